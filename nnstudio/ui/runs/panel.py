"""The Runs panel: every training run of the project, ticked ones compared.

The list shows each run's name (double-click to rename), start, optimizer, epochs, final
and best validation loss, final accuracy, time and whether its weights are kept. Ticking
runs overlays their curves in the Loss and Accuracy plots (``compared_changed``) and fills
the comparison table: only the settings that differ between them, then their metrics.
Every change (rename, delete, restore, the storage limit) is one undoable project edit.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import project_events as pe
from nnstudio.graph.model.project_edits import (
    AnyEdit,
    ProjectCompound,
    RemoveRun,
    ReplaceRun,
    SetField,
)
from nnstudio.graph.model.runs import Run
from nnstudio.training.compare import COLUMNS, differences, metric_rows, summary_row
from nnstudio.training.runs import restore_edit, weights_cap_edit
from nnstudio.ui.session import Session
from nnstudio.ui.training.plots.compared import RUN_COLOURS, ComparedRun

MAX_LIMIT_MB = 100_000
ROW_HEIGHT = 22
NAME_WIDTH = 200
SIDE_BY_SIDE_WIDTH = 760
"""Width (px) from which the run list and the comparison sit side by side (else stacked)."""
"""Width (px) of the run-name column; the full name is its tooltip."""
EMPTY_TEXT = "No runs yet: every Train, Continue and Step belongs to a run listed here."
COMPARE_HINT = "Tick two or more runs to compare them: the settings that differ are listed here."


class RunsPanel(QWidget):
    """The runs of the session's project; ``compared_changed`` carries the ticked runs as
    ComparedRun values (their curves go into the Loss and Accuracy plots)."""

    compared_changed = Signal(list)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.ticked: list[str] = []
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.note = QLabel(EMPTY_TEXT)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, NAME_WIDTH)  # long names elide; the tooltip holds them
        header.setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        splitter.addWidget(self.table)
        self.compare = QTableWidget(0, 0)
        self.compare.verticalHeader().setVisible(False)
        self.compare.setWordWrap(False)
        self.compare.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.compare_note = QLabel(COMPARE_HINT)
        self.compare_note.setWordWrap(True)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.compare_note)
        column.addWidget(self.compare, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        buttons = QHBoxLayout()  # two rows, so both fit a narrow dock
        storage = QHBoxLayout()
        self.restore_button = QPushButton("Restore weights")
        self.restore_button.setToolTip("Put the selected run's final weights back into the "
                                       "network and make it the current run (undoable)")
        self.rename_button = QPushButton("Rename…")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected run's record (undoable)")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the runs and their comparison as a CSV table")
        for button, slot in ((self.restore_button, self.restore_selected),
                             (self.rename_button, self._rename_selected),
                             (self.delete_button, self.delete_selected),
                             (self.export_button, self._export)):
            button.clicked.connect(lambda _=False, run=slot: run())
            buttons.addWidget(button)
        buttons.addStretch(1)
        storage.addWidget(QLabel("Keep weights of runs up to"))
        self.limit = QSpinBox()
        self.limit.setRange(0, MAX_LIMIT_MB)
        self.limit.setSuffix(" MB")
        self.limit.setKeyboardTracking(False)
        self.limit.setToolTip("Older runs beyond this keep their curves and metrics but drop "
                              "their weights (the current run always keeps them)")
        self.limit.valueChanged.connect(self._limit_changed)
        storage.addWidget(self.limit)
        storage.addStretch(1)
        layout.addLayout(buttons)
        layout.addLayout(storage)
        session.project_event.connect(self._on_project_event)
        session.project_replaced.connect(self._on_project_replaced)
        session.lock_changed.connect(lambda _locked: self._update_buttons())
        self.reload()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Side by side when wide, the comparison under the list when narrow."""
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)

    # --- questions (replaceable in tests) ------------------------------------------------
    def ask_csv_path(self) -> Path | None:
        folder = self.session.base_dir or Path.home()
        name, _ = QFileDialog.getSaveFileName(self, "Export runs table", str(folder / "runs.csv"),
                                              "CSV table (*.csv)")
        return Path(name) if name else None

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Runs", message)

    # --- showing -------------------------------------------------------------------------
    @property
    def runs(self) -> list[Run]:
        return list(self.session.project.runs)

    def reload(self) -> None:
        """Show the project's runs (ticks kept for runs that still exist)."""
        project = self.session.project
        ids = [run.id for run in project.runs]
        self.ticked = [run_id for run_id in self.ticked if run_id in ids]
        self._filling = True
        try:
            self.table.setRowCount(len(project.runs))
            for row, run in enumerate(project.runs):
                cells = summary_row(run, run.id == project.active_run)
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, run.id)
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if column == 0:
                        flags |= Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
                        item.setCheckState(Qt.CheckState.Checked if run.id in self.ticked
                                           else Qt.CheckState.Unchecked)
                        item.setToolTip(f"{run.name}\n{run.message}" if run.message
                                        else run.name)
                        if run.id == project.active_run:
                            font = item.font()
                            font.setBold(True)
                            item.setFont(font)
                    item.setFlags(flags)
                    self.table.setItem(row, column, item)
            self.limit.setValue(int(project.run_weights_limit_mb))
        finally:
            self._filling = False
        self.note.setVisible(not project.runs)
        self._update_buttons()
        self._show_comparison()

    def _show_comparison(self) -> None:
        runs = [run for run in self.session.project.runs if run.id in self.ticked]
        self.compared_changed.emit([
            ComparedRun(run.name, RUN_COLOURS[i % len(RUN_COLOURS)], tuple(run.history))
            for i, run in enumerate(runs)])
        if len(runs) < 2:
            self.compare.setRowCount(0)
            self.compare.setColumnCount(0)
            self.compare_note.setText(COMPARE_HINT)
            return
        rows = differences(runs)
        self.compare_note.setText(
            f"{len(rows)} setting{'s' if len(rows) != 1 else ''} differ"
            f"{'s' if len(rows) == 1 else ''} between the ticked runs"
            if rows else "The ticked runs trained with the same settings.")
        rows += metric_rows(runs)
        self.compare.setColumnCount(len(runs) + 1)
        self.compare.setHorizontalHeaderLabels(["", *(run.name.split(" · ")[0] for run in runs)])
        for c, run in enumerate(runs, start=1):
            header = self.compare.horizontalHeaderItem(c)
            if header is not None:
                header.setToolTip(run.name)
        self.compare.setRowCount(len(rows))
        for r, (label, values) in enumerate(rows):
            for c, text in enumerate([label, *values]):
                item = QTableWidgetItem(text)
                if c > 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.compare.setItem(r, c, item)

    def comparison_rows(self) -> list[tuple[str, list[str]]]:
        """What the comparison table shows (tests, CSV)."""
        def text(row: int, column: int) -> str:
            item = self.compare.item(row, column)
            return item.text() if item is not None else ""

        return [(text(r, 0), [text(r, c) for c in range(1, self.compare.columnCount())])
                for r in range(self.compare.rowCount())]

    def tick(self, run_ids: list[str]) -> None:
        """Compare exactly these runs (as if their boxes were ticked)."""
        self.ticked = [run.id for run in self.runs if run.id in run_ids]
        self.reload()

    def selected_run(self) -> Run | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), 0)
        run_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.session.project.find_run(run_id) if run_id else None

    def select(self, run_id: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == run_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        run = self.selected_run()
        locked = self.session.locked
        self.restore_button.setEnabled(run is not None and run.weights is not None
                                       and not locked)
        self.rename_button.setEnabled(run is not None and not locked)
        self.delete_button.setEnabled(run is not None and not locked)
        self.export_button.setEnabled(bool(self.session.project.runs))
        self.limit.setEnabled(not locked)

    # --- changing ------------------------------------------------------------------------
    def _push(self, edit: AnyEdit, text: str) -> bool:
        try:
            self.session.push(edit, text)
        except GraphError as error:
            self.show_error(str(error))
            self.reload()
            return False
        return True

    def rename(self, run_id: str, name: str) -> bool:
        run = self.session.project.find_run(run_id)
        name = " ".join(name.split())[:200]
        if run is None or not name or name == run.name:
            self.reload()
            return False
        return self._push(ReplaceRun(dataclasses.replace(run, name=name), "Rename run"),
                          "Rename run")

    def _rename_selected(self) -> None:
        run = self.selected_run()
        if run is None:
            return
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == run.id:
                self.table.editItem(item)

    def delete_selected(self) -> bool:
        """Delete the selected run's record; the current run's weights stay in the network
        as fresh weights (the next Train starts a new run from them)."""
        run = self.selected_run()
        if run is None:
            return False
        parts: list[AnyEdit] = [RemoveRun(run.id)]
        if run.id == self.session.project.active_run:
            parts = [SetField("active_run", None), SetField("optimizer_state", {}),
                     RemoveRun(run.id)]
        return self._push(ProjectCompound(tuple(parts), f"Delete {run.name}"),
                          f"Delete {run.name.split(' · ')[0]}")

    def restore_selected(self) -> bool:
        """Put the selected run's final weights back into the network (one undo step)."""
        run = self.selected_run()
        if run is None:
            return False
        try:
            edit = restore_edit(self.session.project, run.id)
        except ValueError as error:
            self.show_error(str(error))
            return False
        return self._push(edit, f"Restore weights of {run.name.split(' · ')[0]}")

    def _export(self) -> None:
        from nnstudio.export import ExportError
        from nnstudio.export.runs_csv import write_runs_csv

        path = self.ask_csv_path()
        if path is None:
            return
        project = self.session.project
        compared = [run for run in project.runs if run.id in self.ticked]
        try:
            write_runs_csv(project.runs, project.active_run, compared, path)
        except ExportError as error:
            self.show_error(str(error))

    @Slot(int)
    def _limit_changed(self, value: int) -> None:
        if self._filling or value == self.session.project.run_weights_limit_mb:
            return
        self._push(weights_cap_edit(self.session.project, value),
                   "Change the run storage limit")

    @Slot(QTableWidgetItem)
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        run_id = item.data(Qt.ItemDataRole.UserRole)
        run = self.session.project.find_run(run_id)
        if run is None:
            return
        ticked = item.checkState() == Qt.CheckState.Checked
        if ticked != (run_id in self.ticked):
            self.ticked = [r.id for r in self.runs
                           if (r.id == run_id and ticked) or (r.id != run_id
                                                               and r.id in self.ticked)]
            self._show_comparison()
        if item.text() != run.name:
            self.rename(run_id, item.text())

    # --- session events ------------------------------------------------------------------
    @Slot(object)
    def _on_project_event(self, event: object) -> None:
        if isinstance(event, pe.RunAdded | pe.RunRemoved | pe.RunChanged) or (
                isinstance(event, pe.FieldChanged)
                and event.name in ("active_run", "run_weights_limit_mb")):
            self.reload()

    @Slot()
    def _on_project_replaced(self) -> None:
        self.ticked = []
        self.reload()
