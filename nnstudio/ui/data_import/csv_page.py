"""The CSV part of the import dialog: a preview table and the choice of columns.

The rows and the header guess come from the CSV importer itself, so what the preview
shows is what ``import_csv`` will read. Columns are referred to by index inside the page;
the spec names them (or numbers them when the file has no usable header).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnstudio.training.datasets.csv_import import (  # the importer's own reader
    _detect_header,
    _is_missing,
    _read_rows,
)

PREVIEW_ROWS = 12
TARGET_KINDS = (("auto", "auto"), ("numeric (regression)", "numeric"),
                ("categorical (classes)", "categorical"))
TASK_CHOICES = (("automatic", None), ("regression", "regression"),
                ("classification (softmax)", "classification"),
                ("binary (one sigmoid output)", "binary"))
TARGET_BG = QColor("#fde3c8")
MISSING_BG = QColor("#f9d0cc")
UNUSED_FG = QColor("#a0a6b0")
Rows = list[tuple[int, list[str]]]


class CsvPage(QWidget):
    """Preview and column choice for one CSV file; ``changed`` after every choice."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self._rows: Rows = []
        self._detected = False
        self._target = -1
        self._loading = False

        self.header_check = QCheckBox("First row holds the column names")
        self.header_note = QLabel("")
        self.header_note.setStyleSheet("color: #5a6270;")
        self.columns = QListWidget()
        self.columns.setObjectName("feature_columns")
        self.columns.setToolTip("Tick the columns the network gets as inputs")
        self.target_combo = QComboBox()
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
        self.table.setAlternatingRowColors(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.preview_note = QLabel("")
        self.preview_note.setStyleSheet("color: #5a6270;")

        form = QFormLayout()
        form.addRow(self.header_check)
        form.addRow(self.header_note)
        form.addRow(QLabel("Feature columns (inputs):"))
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

    # --- loading -------------------------------------------------------------------------
    def load(self, path: Path) -> None:
        """Read ``path`` (raises DatasetError with the importer's sentence)."""
        self.path = path
        self._rows = []
        self._rows = _read_rows(path)
        self._detected = _detect_header(self._rows) if self._rows else False
        self._loading = True
        try:
            self.header_check.setChecked(self._detected)
            self._rebuild(reset=True)
        finally:
            self._loading = False

    def clear(self) -> None:
        self.path = None
        self._rows = []
        self._loading = True
        try:
            self._rebuild(reset=True)
        finally:
            self._loading = False

    def n_columns(self) -> int:
        """Number of columns (from the first row)."""
        return len(self._rows[0][1]) if self._rows else 0

    def column_names(self) -> list[str]:
        """Column names as the importer will see them."""
        if self.has_header():
            return [n or f"column {i + 1}" for i, n in enumerate(self._rows[0][1])]
        return [f"column {i + 1}" for i in range(self.n_columns())]

    def has_header(self) -> bool:
        return bool(self._rows) and self.header_check.isChecked()

    def _rebuild(self, reset: bool) -> None:
        """Refill the column list, target combo and table (keeping choices unless reset)."""
        names = self.column_names()
        ticked = [i for i in range(self.columns.count())
                  if self.columns.item(i).checkState() == Qt.CheckState.Checked]
        if reset or self.columns.count() != len(names):
            self._target = len(names) - 1
            ticked = [i for i in range(len(names)) if i != self._target]
        self.columns.clear()
        self.target_combo.clear()
        for i, name in enumerate(names):
            item = QListWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if i in ticked else
                               Qt.CheckState.Unchecked)
            self.columns.addItem(item)
            self.target_combo.addItem(name, i)
        self.target_combo.setCurrentIndex(max(self._target, 0))
        self._mark_target()
        self.header_note.setText(
            ("The first row looks like column names." if self._detected
             else "The first row looks like data.") if self._rows else "")
        self._fill_table()

    def _mark_target(self) -> None:
        for i in range(self.columns.count()):
            item = self.columns.item(i)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
            if i == self._target:
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setText(f"{self.column_names()[i]}   (target)")
            else:
                item.setFlags(flags)
                item.setText(self.column_names()[i])

    def _fill_table(self) -> None:
        data = self._rows[1:] if self.has_header() else self._rows
        shown = data[:PREVIEW_ROWS]
        names = self.column_names()
        features = set(self.feature_indices())
        self.table.clear()
        self.table.setColumnCount(len(names))
        self.table.setRowCount(len(shown))
        roles = ["target" if i == self._target else "feature" if i in features else "unused"
                 for i in range(len(names))]
        labels = [f"{n}\n{role}" for n, role in zip(names, roles, strict=True)]
        self.table.setHorizontalHeaderLabels(labels)
        self.table.setVerticalHeaderLabels([str(line) for line, _ in shown])
        for r, (_line, cells) in enumerate(shown):
            for c, cell in enumerate(cells[: len(names)]):
                item = QTableWidgetItem(cell)
                if c == self._target:
                    item.setBackground(QBrush(TARGET_BG))
                elif c not in features:
                    item.setForeground(QBrush(UNUSED_FG))
                if _is_missing(cell) and (c == self._target or c in features):
                    item.setBackground(QBrush(MISSING_BG))
                    item.setToolTip("missing value")
                self.table.setItem(r, c, item)
        more = len(data) - len(shown)
        self.preview_note.setText(
            f"Rows {len(shown)} of {len(data)} shown (numbers are file lines)"
            + (f"; {more} more not shown." if more > 0 else ".") if data else "")

    # --- choices -------------------------------------------------------------------------
    def feature_indices(self) -> list[int]:
        return [i for i in range(self.columns.count())
                if i != self._target
                and self.columns.item(i).checkState() == Qt.CheckState.Checked]

    def target_index(self) -> int:
        return self._target

    def set_features(self, refs: list[int | str]) -> None:
        """Tick exactly these columns (names or 0-based indices)."""
        names = self.column_names()
        wanted = {names.index(r) if isinstance(r, str) else r for r in refs}
        self._loading = True
        try:
            for i in range(self.columns.count()):
                self.columns.item(i).setCheckState(
                    Qt.CheckState.Checked if i in wanted and i != self._target
                    else Qt.CheckState.Unchecked)
        finally:
            self._loading = False
        self._fill_table()
        self.changed.emit()

    def set_target(self, ref: int | str) -> None:
        """Choose the target column by name or 0-based index."""
        index = self.column_names().index(ref) if isinstance(ref, str) else ref
        self.target_combo.setCurrentIndex(index)

    def set_target_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def set_task(self, task: str | None) -> None:
        self.task_combo.setCurrentIndex(self.task_combo.findData(task))

    def options(self) -> dict[str, Any]:
        """The CSV keys of a dataset spec (without ``source`` and ``path``)."""
        names = self.column_names()
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
        if self._loading:
            return
        self._loading = True
        try:
            self._rebuild(reset=False)
        finally:
            self._loading = False
        self.changed.emit()

    def _column_ticked(self, _item: QListWidgetItem) -> None:
        if self._loading:
            return
        self._fill_table()
        self.changed.emit()

    def _target_chosen(self, index: int) -> None:
        if self._loading or index < 0:
            return
        old = self._target
        self._target = index
        self._loading = True
        try:
            if 0 <= old < self.columns.count():
                self.columns.item(old).setCheckState(Qt.CheckState.Checked)
            self._mark_target()
        finally:
            self._loading = False
        self._fill_table()
        self.changed.emit()

    def _emit(self, _index: int = 0) -> None:
        if not self._loading:
            self.changed.emit()
