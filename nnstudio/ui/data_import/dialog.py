"""The "Import data" dialog: pick a CSV, NPZ or IDX pair, choose columns, get a spec.

Every choice re-reads the data with the real importer, so the summary line shows what
training will see and an importer's ``DatasetError`` appears as its one sentence (OK is
then disabled). Reading happens off the GUI thread (``DataLoader``) with a progress bar
and a Stop button; a new choice stops the reading before it. ``spec()`` is the dict
``load_dataset`` accepts; file paths are stored relative to ``base_dir`` (the project's
folder) when one is given, else absolute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnstudio.safe_io import clip
from nnstudio.training.datasets import Dataset, NpyHeader, idx_partner
from nnstudio.training.datasets.csv_reader import CsvHead
from nnstudio.training.datasets.describe import describe_dataset, stored_path
from nnstudio.training.new_project import parse_hidden
from nnstudio.ui.data_import.csv_page import CsvPage
from nnstudio.ui.data_import.loader import DataLoader

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
FILE_FILTER = ("Data files (*.csv *.tsv *.txt *.npz *.gz *.idx *ubyte*);;"
               "CSV tables (*.csv *.tsv *.txt);;NumPy archives (*.npz);;"
               "MNIST IDX files (*.gz *.idx *ubyte*);;All files (*)")
ERROR_STYLE = "color: #b3261e; font-weight: 600;"
SUMMARY_STYLE = "color: #1e6b3a;"
BUSY_STYLE = "color: #5a6270;"
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
        self.loader = DataLoader(self)
        self.loader.progressed.connect(self._on_progress)
        self.loader.finished.connect(self._on_finished)

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
        self.progress = QProgressBar()
        self.progress.setObjectName("import_progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(180)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("import_stop")
        self.stop_button.setAutoDefault(False)
        self.stop_button.clicked.connect(self._stop_or_retry)
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
        status = QHBoxLayout()
        status.addWidget(self.summary, 1)
        status.addWidget(self.progress)
        status.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        layout.addLayout(status)
        layout.addWidget(self.buttons)
        self.for_new_project = for_new_project
        self.csv_page.changed.connect(self._revalidate)
        self.resize(980, 600)
        self._show_busy(False)
        self._update_ok()

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
    @property
    def loading(self) -> bool:
        """True while a file is being read in the background."""
        return self.loader.busy

    def set_path(self, path: Path) -> None:
        """Use ``path`` (CSV, NPZ, or an IDX images or labels file); reading starts in the
        background (``loading`` until it ends)."""
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
        self.csv_page.clear()
        self.npz_label.setText("")
        self.error = ""
        if self.kind in ("csv", "npz"):
            self._start("preview", {"source": self.kind, "path": str(self.path)})
        else:
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

    # --- reading in the background -------------------------------------------------------
    def _revalidate(self) -> None:
        """Read the data with the importer (in the background) for the current choice."""
        self.dataset = None
        spec = self._spec(None)
        if spec is None:
            self.loader.abandon()
            self._show_busy(False)
            self.summary.setText("")
            self._update_ok()
            return
        if spec["source"] == "idx" and not spec["labels"]:
            self.loader.abandon()
            self._show_busy(False)
            self._show_error(f"Choose the labels file that belongs to {spec['images']}.")
            return
        if self.kind == "csv" and self.csv_page.path is None:
            return  # the first lines have not arrived (or failed): nothing to read yet
        self._start("load", spec)

    def _start(self, kind: str, spec: dict[str, Any]) -> None:
        self.dataset = None
        self.loader.start(kind, spec)
        name = self.path.name if self.path is not None else "the file"
        self.summary.setStyleSheet(BUSY_STYLE)
        self.summary.setText(f"Reading {clip(name, 80)}…")
        self.progress.setValue(0)
        self._show_busy(True)
        self._update_ok()

    def _show_busy(self, busy: bool, stopped: bool = False) -> None:
        self.progress.setVisible(busy)
        self.stop_button.setVisible(busy or stopped)
        self.stop_button.setText("Stop" if busy else "Read again")

    def _stop_or_retry(self) -> None:
        if self.loading:
            self.loader.cancel()
        elif self.kind == "csv" and self.csv_page.path is None and self.path is not None:
            self.set_path(self.path)
        else:
            self._revalidate()

    @Slot(float)
    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(int(fraction * 1000))

    @Slot(str, object)
    def _on_finished(self, kind: str, result: Any) -> None:
        self._show_busy(False, stopped=result is None)
        if result is None:
            name = self.path.name if self.path is not None else "the file"
            self._show_error(f"Stopped reading {clip(name, 80)}.", style=BUSY_STYLE)
            return
        if isinstance(result, str):
            if kind == "preview":
                self.csv_page.clear()
            self._show_error(result)
            return
        if kind == "preview":
            if isinstance(result, CsvHead):
                self.csv_page.load(result)
            elif isinstance(result, list):
                self.npz_label.setText(_npz_table(result))
            self._revalidate()
            return
        self.dataset = result
        self.error = ""
        self.summary.setStyleSheet(SUMMARY_STYLE)
        self.summary.setText("✓ " + describe_dataset(result))
        self._update_ok()

    def _show_error(self, sentence: str, style: str = ERROR_STYLE) -> None:
        self.dataset = None
        self.error = sentence
        self.summary.setStyleSheet(style)
        self.summary.setText(sentence)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.dataset is not None and not self.loading
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

    def done(self, result: int) -> None:
        """Closing stops any reading in the background."""
        self.loader.abandon()
        super().done(result)


def _npz_table(headers: list[NpyHeader | str]) -> str:
    """An HTML list of the arrays an NPZ file announces (name, shape, type)."""
    rows = []
    for header in headers:
        if isinstance(header, str):
            rows.append(f"<tr><td><b>{_html(header)}</b></td><td colspan=2>unreadable or "
                        "not numeric (not loaded)</td></tr>")
        else:
            rows.append(f"<tr><td><b>{_html(header.name)}</b></td><td>{header.shape}</td>"
                        f"<td>{header.dtype}</td></tr>")
    return ("<p>Arrays in the archive (X = inputs, y = targets):</p>"
            "<table cellspacing=0 cellpadding=4><tr><th align=left>array</th>"
            "<th align=left>shape</th><th align=left>type</th></tr>"
            + "".join(rows[:40]) + "</table>")


def _html(text: str) -> str:
    return clip(text, 60).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
