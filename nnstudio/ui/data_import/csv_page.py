"""The CSV part of the import dialog: a preview table and the choice of columns.

The rows come from the CSV reader's own head (``read_head``: the first lines, split by the
strict rules) and the header guess from ``detect_header``, so the preview shows what
``import_csv`` reads. Columns are referred to by index inside the page; the spec names
them (or numbers them when the file has no usable header).

Everything here is linear in the number of columns: the column list and target menu are
filled once with signals blocked, a target change touches two items, and the preview table
shows at most ``PREVIEW_COLUMNS`` columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnstudio.training.datasets.csv_import import detect_header
from nnstudio.training.datasets.csv_reader import CsvHead, Rows
from nnstudio.training.datasets.csv_text import is_missing

PREVIEW_ROWS = 12
PREVIEW_COLUMNS = 60
TARGET_KINDS = (("auto", "auto"), ("numeric (regression)", "numeric"),
                ("categorical (classes)", "categorical"))
TASK_CHOICES = (("automatic", None), ("regression", "regression"),
                ("classification (softmax)", "classification"),
                ("binary (one sigmoid output)", "binary"))
TARGET_BG = QColor("#fde3c8")
MISSING_BG = QColor("#f9d0cc")
UNUSED_FG = QColor("#a0a6b0")
CHECKABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable


class CsvPage(QWidget):
    """Preview and column choice for one CSV file; ``changed`` after every choice."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self._rows: Rows = []
        self._complete = True
        self._detected = False
        self._names: list[str] = []
        self._target = -1

        self.header_check = QCheckBox("First row holds the column names")
        self.header_note = QLabel("")
        self.header_note.setStyleSheet("color: #5a6270;")
        self.columns = QListWidget()
        self.columns.setObjectName("feature_columns")
        self.columns.setToolTip("Tick the columns the network gets as inputs")
        self.columns.setUniformItemSizes(True)
        self.all_button = QPushButton("All")
        self.none_button = QPushButton("None")
        for button, tip in ((self.all_button, "Use every column except the target"),
                            (self.none_button, "Untick every column")):
            button.setToolTip(tip)
            button.setAutoDefault(False)
        self.target_combo = QComboBox()
        self.target_combo.setMaxVisibleItems(20)
        self.kind_combo = QComboBox()
        for text, data in TARGET_KINDS:
            self.kind_combo.addItem(text, data)
        self.task_combo = QComboBox()
        for text, task in TASK_CHOICES:
            self.task_combo.addItem(text, task)
        self.kind_combo.setToolTip("auto: text or a few whole numbers are classes, "
                                   "other numbers are values to predict")
        self.task_combo.setToolTip("Overrides the target kind; binary needs exactly 2 classes")
        self.table = QTableWidget()
        self.table.setObjectName("csv_preview")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.preview_note = QLabel("")
        self.preview_note.setStyleSheet("color: #5a6270;")

        pick = QHBoxLayout()
        pick.addWidget(QLabel("Feature columns (inputs):"), 1)
        pick.addWidget(self.all_button)
        pick.addWidget(self.none_button)
        form = QFormLayout()
        form.addRow(self.header_check)
        form.addRow(self.header_note)
        form.addRow(pick)
        form.addRow(self.columns)
        form.addRow("Target column", self.target_combo)
        form.addRow("Target kind", self.kind_combo)
        form.addRow("Task", self.task_combo)
        left = QWidget()
        left.setLayout(form)
        left.setFixedWidth(290)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.table, 1)
        right.addWidget(self.preview_note)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(left)
        row.addLayout(right, 1)

        self.header_check.toggled.connect(self._header_toggled)
        self.columns.itemChanged.connect(self._column_ticked)
        self.target_combo.currentIndexChanged.connect(self._target_chosen)
        self.kind_combo.currentIndexChanged.connect(self._emit)
        self.task_combo.currentIndexChanged.connect(self._emit)
        self.all_button.clicked.connect(self._tick_all)
        self.none_button.clicked.connect(self._tick_none)

    # --- loading -------------------------------------------------------------------------
    def load(self, head: CsvHead) -> None:
        """Show the first rows ``head`` read; choices are reset (no ``changed``)."""
        self.path = head.path
        self._rows = head.rows
        self._complete = head.complete
        self._detected = detect_header(head.rows) if head.rows else False
        with QSignalBlocker(self.header_check):
            self.header_check.setChecked(self._detected)
        self._rebuild(reset=True)

    def clear(self) -> None:
        self.path = None
        self._rows = []
        self._detected = False
        with QSignalBlocker(self.header_check):
            self.header_check.setChecked(False)
        self._rebuild(reset=True)

    def n_columns(self) -> int:
        """Number of columns (from the first row)."""
        return len(self._rows[0][1]) if self._rows else 0

    def column_names(self) -> list[str]:
        """Column names as the importer will see them."""
        return list(self._names)

    def _compute_names(self) -> list[str]:
        if self.has_header():
            return [n or f"column {i + 1}" for i, n in enumerate(self._rows[0][1])]
        return [f"column {i + 1}" for i in range(self.n_columns())]

    def has_header(self) -> bool:
        return bool(self._rows) and self.header_check.isChecked()

    def _rebuild(self, reset: bool) -> None:
        """Refill the column list, target combo and table (keeping choices unless reset)."""
        old_ticked = self._ticked()
        self._names = names = self._compute_names()
        if reset or len(old_ticked) != len(names):
            self._target = len(names) - 1
            ticked = [i != self._target for i in range(len(names))]
        else:
            ticked = old_ticked
        with QSignalBlocker(self.columns), QSignalBlocker(self.target_combo):
            self.columns.clear()
            self.target_combo.clear()
            for i, name in enumerate(names):
                item = QListWidgetItem(name)
                item.setFlags(CHECKABLE)
                item.setCheckState(Qt.CheckState.Checked if ticked[i] and i != self._target
                                   else Qt.CheckState.Unchecked)
                self.columns.addItem(item)
            self.target_combo.addItems(names)
            self.target_combo.setCurrentIndex(max(self._target, 0))
            self._mark(self._target, True)
        self.header_note.setText(
            ("The first row looks like column names." if self._detected
             else "The first row looks like data.") if self._rows else "")
        self._fill_table()

    def _ticked(self) -> list[bool]:
        return [self.columns.item(i).checkState() == Qt.CheckState.Checked
                for i in range(self.columns.count())]

    def _mark(self, index: int, target: bool) -> None:
        """Show column ``index`` as the target (greyed, unticked) or as a choosable one."""
        item = self.columns.item(index) if 0 <= index < self.columns.count() else None
        if item is None:
            return
        if target:
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            item.setText(f"{self._names[index]}   (target)")
        else:
            item.setFlags(CHECKABLE)
            item.setText(self._names[index])

    def _fill_table(self) -> None:
        data = self._rows[1:] if self.has_header() else self._rows
        shown = data[:PREVIEW_ROWS]
        names = self._names[:PREVIEW_COLUMNS]
        features = set(self.feature_indices())
        self.table.setUpdatesEnabled(False)
        try:
            self.table.clear()
            self.table.setColumnCount(len(names))
            self.table.setRowCount(len(shown))
            roles = ["target" if i == self._target else "feature" if i in features
                     else "unused" for i in range(len(names))]
            self.table.setHorizontalHeaderLabels(
                [f"{n}\n{role}" for n, role in zip(names, roles, strict=True)])
            self.table.setVerticalHeaderLabels([str(line) for line, _ in shown])
            for r, (_line, cells) in enumerate(shown):
                for c, cell in enumerate(cells[: len(names)]):
                    self.table.setItem(r, c, self._cell(cell, roles[c]))
            self.table.resizeColumnsToContents()
        finally:
            self.table.setUpdatesEnabled(True)
        more = len(data) - len(shown)
        if not data:
            note = ""
        elif self._complete:
            note = (f"Rows {len(shown)} of {len(data)} shown (numbers are file lines)"
                    + (f"; {more} more not shown." if more > 0 else "."))
        else:
            note = f"The first {len(shown)} rows shown (numbers are file lines)."
        if len(self._names) > PREVIEW_COLUMNS:
            note += f" Columns 1–{PREVIEW_COLUMNS} of {len(self._names):,} shown."
        self.preview_note.setText(note)

    @staticmethod
    def _cell(text: str, role: str) -> QTableWidgetItem:
        item = QTableWidgetItem(text if len(text) <= 200 else text[:200] + "…")
        if role == "target":
            item.setBackground(QBrush(TARGET_BG))
        elif role == "unused":
            item.setForeground(QBrush(UNUSED_FG))
        if role != "unused" and is_missing(text):
            item.setBackground(QBrush(MISSING_BG))
            item.setToolTip("missing value")
        return item

    # --- choices -------------------------------------------------------------------------
    def feature_indices(self) -> list[int]:
        return [i for i, on in enumerate(self._ticked()) if on and i != self._target]

    def target_index(self) -> int:
        return self._target

    def set_features(self, refs: list[int | str]) -> None:
        """Tick exactly these columns (names or 0-based indices)."""
        index = {name: i for i, name in enumerate(self._names)}
        wanted = {index[r] if isinstance(r, str) else r for r in refs}
        self._set_ticks(lambda i: i in wanted)

    def _set_ticks(self, wanted: Any) -> None:
        with QSignalBlocker(self.columns):
            for i in range(self.columns.count()):
                self.columns.item(i).setCheckState(
                    Qt.CheckState.Checked if wanted(i) and i != self._target
                    else Qt.CheckState.Unchecked)
        self._fill_table()
        self.changed.emit()

    def _tick_all(self) -> None:
        self._set_ticks(lambda _i: True)

    def _tick_none(self) -> None:
        self._set_ticks(lambda _i: False)

    def set_target(self, ref: int | str) -> None:
        """Choose the target column by name or 0-based index."""
        index = self._names.index(ref) if isinstance(ref, str) else ref
        self.target_combo.setCurrentIndex(index)

    def set_target_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def set_task(self, task: str | None) -> None:
        self.task_combo.setCurrentIndex(self.task_combo.findData(task))

    def options(self) -> dict[str, Any]:
        """The CSV keys of a dataset spec (without ``source`` and ``path``)."""
        names = self._names
        by_name = self.has_header() and len(set(names)) == len(names)

        def ref(i: int) -> int | str:
            return names[i] if by_name else i

        options: dict[str, Any] = {
            "header": self.has_header(),
            "feature_columns": [ref(i) for i in self.feature_indices()],
            "target_column": ref(self._target),
            "target_kind": self.kind_combo.currentData(),
        }
        if self.task_combo.currentData() is not None:
            options["task"] = self.task_combo.currentData()
        return options

    # --- slots ---------------------------------------------------------------------------
    def _header_toggled(self, _on: bool) -> None:
        self._rebuild(reset=False)
        self.changed.emit()

    def _column_ticked(self, _item: QListWidgetItem) -> None:
        self._fill_table()
        self.changed.emit()

    def _target_chosen(self, index: int) -> None:
        if index < 0 or index == self._target:
            return
        old, self._target = self._target, index
        with QSignalBlocker(self.columns):
            self._mark(old, False)
            if 0 <= old < self.columns.count():
                self.columns.item(old).setCheckState(Qt.CheckState.Checked)
            self._mark(index, True)
        self._fill_table()
        self.changed.emit()

    def _emit(self, _index: int = 0) -> None:
        self.changed.emit()
