"""The "Import data" dialog: pick a CSV, NPZ or IDX pair, choose columns, get a spec.

Every choice re-reads the data with the real importer, so the summary line shows what
training will see and an importer's ``DatasetError`` appears as its one sentence (OK is
then disabled). ``spec()`` is the dict ``load_dataset`` accepts; file paths are stored
relative to ``base_dir`` (the project's folder) when one is given, else absolute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnstudio.training.datasets import Dataset, DatasetError, load_dataset
from nnstudio.training.datasets.describe import describe_dataset, stored_path
from nnstudio.training.new_project import parse_hidden
from nnstudio.ui.data_import.csv_page import CsvPage

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
FILE_FILTER = ("Data files (*.csv *.tsv *.txt *.npz *.gz *.idx *ubyte*);;"
               "CSV tables (*.csv *.tsv *.txt);;NumPy archives (*.npz);;"
               "MNIST IDX files (*.gz *.idx *ubyte*);;All files (*)")
ERROR_STYLE = "color: #b3261e; font-weight: 600;"
SUMMARY_STYLE = "color: #1e6b3a;"
HINT = ("Choose a CSV table (numbers, one sample per row), a NumPy .npz archive with arrays "
        "X and y, or an MNIST-style IDX images file (its labels file is found next to it).")


def file_kind(path: Path) -> str:
    """``csv``, ``npz`` or ``idx`` from a file name."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix == ".npz":
        return "npz"
    return "idx"


def idx_partner(path: Path) -> Path | None:
    """The labels file beside an images file (``train-images-idx3`` → ``train-labels-idx1``),
    or the images file beside a labels file; None if it is not there."""
    name = path.name
    swaps = [("images", "labels"), ("idx3", "idx1")] if "images" in name else \
        [("labels", "images"), ("idx1", "idx3")]
    for old, new in swaps:
        name = name.replace(old, new)
    other = path.with_name(name)
    return other if other != path and other.is_file() else None


class _PathRow(QWidget):
    """A read-only path field with a Browse button."""

    def __init__(self, browse: Any) -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setReadOnly(True)
        self.edit.setPlaceholderText("no file chosen")
        button = QPushButton("Browse…")
        button.clicked.connect(lambda _=False: browse())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(button)
        self.button = button


class ImportDataDialog(QDialog):
    """Choose a data file and how to read it; ``spec()`` afterwards (see module docstring)."""

    def __init__(self, parent: QWidget | None = None, base_dir: Path | None = None,
                 for_new_project: bool = False, start_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_data_dialog")
        self.setWindowTitle("New project from data" if for_new_project else "Import data")
        self.base_dir = base_dir
        self.start_dir = start_dir or base_dir
        self.kind = ""
        self.path: Path | None = None
        self.labels_path: Path | None = None
        self.dataset: Dataset | None = None
        self.error = ""

        self.file_row = _PathRow(self._browse_main)
        self.labels_row = _PathRow(self._browse_labels)
        self.labels_row.edit.setPlaceholderText("the labels file of the images")
        self.csv_page = CsvPage()
        self.npz_label = QLabel("")
        self.npz_label.setTextFormat(Qt.TextFormat.RichText)
        self.npz_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5a6270;")
        hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        idx_page = QWidget()
        idx_form = QFormLayout(idx_page)
        idx_form.setContentsMargins(0, 0, 0, 0)
        idx_form.addRow("Labels file", self.labels_row)
        self.pages = QStackedWidget()
        self._page_index: dict[str, int] = {}
        for name, page in (("", hint), ("csv", self.csv_page), ("npz", self.npz_label),
                           ("idx", idx_page)):
            self._page_index[name] = self.pages.addWidget(page)

        self.hidden_edit = QLineEdit("32,16")
        self.hidden_edit.setToolTip("Units of the hidden layers, e.g. 32,16")
        self.hidden_edit.textChanged.connect(lambda _t: self._update_ok())
        self.summary = QLabel("")
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create project" if for_new_project else "Use this data")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        top = QFormLayout()
        top.addRow("Data file", self.file_row)
        if for_new_project:
            self.hidden_edit.setFixedWidth(140)
            note = QLabel("units of the Dense + ReLU layers between Input and Output "
                          "(empty: none)")
            note.setStyleSheet("color: #5a6270;")
            hidden_row = QHBoxLayout()
            hidden_row.addWidget(self.hidden_edit)
            hidden_row.addWidget(note, 1)
            top.addRow("Hidden layers", hidden_row)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.for_new_project = for_new_project
        self.csv_page.changed.connect(self._revalidate)
        self.resize(980, 600)
        self._revalidate()

    # --- questions (replaceable in tests) ------------------------------------------------
    def ask_file(self, title: str) -> Path | None:
        start = str(self.path.parent if self.path else self.start_dir or "")
        name, _ = QFileDialog.getOpenFileName(self, title, start, FILE_FILTER)
        return Path(name) if name else None

    def _browse_main(self) -> None:
        path = self.ask_file("Choose a data file")
        if path is not None:
            self.set_path(path)

    def _browse_labels(self) -> None:
        path = self.ask_file("Choose the IDX labels file")
        if path is not None:
            self.set_labels_path(path)

    # --- choosing files ------------------------------------------------------------------
    def set_path(self, path: Path) -> None:
        """Use ``path`` (CSV, NPZ, or an IDX images or labels file)."""
        path = Path(path)
        self.kind = file_kind(path)
        if self.kind == "idx" and "label" in path.name.lower():
            self.labels_path = path
            partner = idx_partner(path)
            self.path = partner if partner is not None else path
        else:
            self.path = path
            if self.kind == "idx":
                self.labels_path = idx_partner(path)
        self.file_row.edit.setText(str(self.path))
        self.labels_row.edit.setText(str(self.labels_path or ""))
        self.pages.setCurrentIndex(self._page_index[self.kind])
        self.error = ""
        if self.kind == "csv":
            try:
                self.csv_page.load(self.path)
            except DatasetError as error:
                self.csv_page.clear()
                self._show_error(str(error))
                return
        elif self.kind == "npz":
            self.npz_label.setText(_npz_table(self.path))
        self._revalidate()

    def set_labels_path(self, path: Path) -> None:
        self.labels_path = Path(path)
        self.labels_row.edit.setText(str(self.labels_path))
        self._revalidate()

    # --- the spec ------------------------------------------------------------------------
    def spec(self) -> dict[str, Any] | None:
        """The dataset spec for the current choice (None before a file is chosen)."""
        return self._spec(self.base_dir)

    def _spec(self, folder: Path | None) -> dict[str, Any] | None:
        """The spec with paths relative to ``folder`` (absolute when None)."""
        if self.path is None:
            return None
        if self.kind == "csv":
            return {"source": "csv", "path": stored_path(self.path, folder),
                    **self.csv_page.options()}
        if self.kind == "npz":
            return {"source": "npz", "path": stored_path(self.path, folder)}
        labels = stored_path(self.labels_path, folder) if self.labels_path else ""
        return {"source": "idx", "images": stored_path(self.path, folder), "labels": labels}

    def hidden_layers(self) -> list[int]:
        """The hidden layer sizes typed in (raises ValueError with a sentence)."""
        return parse_hidden(self.hidden_edit.text())

    def _revalidate(self) -> None:
        """Read the data with the importer; show its summary or its one-sentence error."""
        self.dataset = None
        spec = self._spec(None)
        if spec is None:
            self.summary.setText("")
            self._update_ok()
            return
        if spec["source"] == "idx" and not spec["labels"]:
            self._show_error(f"Choose the labels file that belongs to {spec['images']}.")
            return
        try:
            self.dataset = load_dataset(spec)
        except DatasetError as error:
            self._show_error(str(error))
            return
        except (OSError, ValueError, MemoryError) as error:  # not expected from importers
            self._show_error(f"The data could not be read: {error}.")
            return
        self.error = ""
        self.summary.setStyleSheet(SUMMARY_STYLE)
        self.summary.setText("✓ " + describe_dataset(self.dataset))
        self._update_ok()

    def _show_error(self, sentence: str) -> None:
        self.dataset = None
        self.error = sentence
        self.summary.setStyleSheet(ERROR_STYLE)
        self.summary.setText(sentence)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.dataset is not None
        if ok and self.for_new_project:
            try:
                self.hidden_layers()
            except ValueError as error:
                ok = False
                self.summary.setStyleSheet(ERROR_STYLE)
                self.summary.setText(str(error).replace("--hidden", "Hidden layers"))
            else:
                assert self.dataset is not None
                self.summary.setStyleSheet(SUMMARY_STYLE)
                self.summary.setText("✓ " + describe_dataset(self.dataset))
        self.ok_button.setEnabled(ok)


def _npz_table(path: Path) -> str:
    """An HTML list of the arrays in an NPZ file (name, shape, type)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            rows = []
            for key in data.files:
                try:
                    array = data[key]
                    rows.append(f"<tr><td><b>{key}</b></td><td>{tuple(array.shape)}</td>"
                                f"<td>{array.dtype}</td></tr>")
                except ValueError:
                    rows.append(f"<tr><td><b>{key}</b></td><td colspan=2>Python objects "
                                "(not loaded)</td></tr>")
    except (OSError, ValueError, EOFError, AttributeError):
        return ""  # the importer's sentence explains it
    return ("<p>Arrays in the archive (X = inputs, y = targets):</p>"
            "<table cellspacing=0 cellpadding=4><tr><th align=left>array</th>"
            "<th align=left>shape</th><th align=left>type</th></tr>"
            + "".join(rows) + "</table>")
