"""File › New from Data… and File › Load Data File…, wired to one controller.

``install_data_menu(window)`` adds both actions to a ``MainWindow``'s File menu (after
New) and connects the training panel's "Load data file…" button. New from Data builds
a ready-to-train project (``project_from_spec``) and shows it as an untitled, unsaved
document after the window's usual save-or-discard question. Load Data File sets the
current project's dataset spec as one undo step and re-validates the network against it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QUndoCommand
from PySide6.QtWidgets import QDialog, QMessageBox

from nnstudio.graph.model.project import Project
from nnstudio.training.datasets import DatasetError, load_dataset
from nnstudio.training.settings import TrainingError
from nnstudio.ui.data_import.describe import spec_file_names
from nnstudio.ui.data_import.dialog import ImportDataDialog
from nnstudio.ui.data_import.project import project_from_spec

if TYPE_CHECKING:
    from nnstudio.ui.main_window import MainWindow


@dataclass(frozen=True)
class ImportChoice:
    """What the dialog returned: the spec and (New from Data) the hidden layer sizes."""

    spec: dict[str, Any]
    hidden: tuple[int, ...] = ()


class DatasetCommand(QUndoCommand):
    """Replace the project's dataset spec; the fitted scaler of the old data goes with it.

    Never merges: each loaded file is its own undo step.
    """

    def __init__(self, project: Project, spec: dict[str, Any], text: str,
                 changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.project = project
        self.old = (copy.deepcopy(project.dataset), copy.deepcopy(project.preprocessing))
        self.new: tuple[dict[str, Any], dict[str, Any]] = (copy.deepcopy(spec), {})
        self.changed = changed

    def _apply(self, state: tuple[dict[str, Any], dict[str, Any]]) -> None:
        self.project.dataset = copy.deepcopy(state[0])
        self.project.preprocessing = copy.deepcopy(state[1])
        self.changed()

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class DataImportController(QObject):
    """The two data actions of one window (questions replaceable in tests)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.new_action = QAction("New from &Data…", window)
        self.new_action.setStatusTip("Create a network sized to a CSV, NPZ or IDX data file")
        self.new_action.triggered.connect(self._new_triggered)
        self.load_action = QAction("&Load Data File…", window)
        self.load_action.setStatusTip("Train the current network on a CSV, NPZ or IDX file "
                                      "(undoable)")
        self.load_action.triggered.connect(self._load_triggered)

    # --- questions (replaceable in tests) ------------------------------------------------
    def ask_import(self, for_new_project: bool) -> ImportChoice | None:
        """Run the import dialog; None when cancelled."""
        base = self._project_dir()
        dialog = ImportDataDialog(self.window, None if for_new_project else base,
                                  for_new_project=for_new_project, start_dir=base)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        spec = dialog.spec()
        if spec is None:
            return None
        hidden = tuple(dialog.hidden_layers()) if for_new_project else ()
        return ImportChoice(spec, hidden)

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.window, title, message)

    # --- commands ------------------------------------------------------------------------
    def new_from_data(self) -> bool:
        """Ask to save unsaved work, run the dialog, show the new project; True if shown."""
        if self._busy() or not self.window.files.maybe_save():
            return False
        choice = self.ask_import(for_new_project=True)
        if choice is None:
            return False
        try:
            project = project_from_spec(choice.spec, choice.hidden)
        except TrainingError as error:
            self.show_error("Could not create the project", str(error))
            return False
        self.window.files.recovery.clear()
        self.window.set_project(project, None, modified=True)
        self.window.statusBar().showMessage(project.description, 8000)
        return True

    def load_data_file(self) -> bool:
        """Run the dialog and make its spec the project's dataset (one undo step)."""
        if self._busy():
            return False
        choice = self.ask_import(for_new_project=False)
        if choice is None:
            return False
        self.set_dataset(choice.spec)
        return True

    def set_dataset(self, spec: dict[str, Any]) -> None:
        """Push the undoable change of the current project's dataset to ``spec``."""
        names = " and ".join(spec_file_names(spec)) or "data"
        self.window.undo_stack.push(DatasetCommand(self.window.project, spec,
                                                   f"Load data file {names}", self.refresh))

    def refresh(self) -> None:
        """After a dataset change (or its undo): panel, data signature, problems."""
        window = self.window
        training_ui = getattr(window, "training_ui", None)
        if training_ui is not None:
            training_ui.panel.reload()
        project = window.project
        if not project.dataset:
            window.set_data_signature(None)
            return
        try:
            ds = load_dataset(project.dataset, base_dir=self._project_dir(), seed=project.seed)
        except DatasetError as error:
            window.set_data_signature(None)
            window.statusBar().showMessage(str(error), 8000)
            return
        window.set_data_signature(ds.signature())

    # --- helpers -------------------------------------------------------------------------
    def _project_dir(self) -> Path | None:
        path = self.window.file_path
        return path.parent if path is not None else None

    def _busy(self) -> bool:
        """True (with a note in the status bar) while a training run holds the project."""
        training_ui = getattr(self.window, "training_ui", None)
        locked = bool(training_ui is not None and training_ui.controller.lock.locked)
        if locked:
            self.window.statusBar().showMessage(
                "Training is running; press Stop before changing the data.", 4000)
        return locked

    def _set_enabled(self, state: str) -> None:
        idle = state not in ("running", "paused")
        self.new_action.setEnabled(idle)
        self.load_action.setEnabled(idle)

    @Slot()
    def _new_triggered(self) -> None:
        self.new_from_data()

    @Slot()
    def _load_triggered(self) -> None:
        self.load_data_file()

    @Slot(str)
    def _on_training_state(self, state: str) -> None:
        self._set_enabled(state)


def install_data_menu(window: MainWindow) -> DataImportController:
    """Add New from Data… and Load Data File… to ``window``'s File menu (after New) and
    connect the training panel's "Load data file…" button; returns the controller."""
    controller = DataImportController(window)
    menu = window.file_menu
    actions = menu.actions()
    new_action = getattr(window, "new_action", None)
    after = actions.index(new_action) + 1 if new_action in actions else 0
    before = actions[after] if after < len(actions) else None
    for action in (controller.new_action, controller.load_action):
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
    training_ui = getattr(window, "training_ui", None)
    if training_ui is not None:
        training_ui.panel.load_data_requested.connect(controller._load_triggered)
        training_ui.controller.state_changed.connect(controller._on_training_state)
        controller._set_enabled(training_ui.controller.state)
    return controller
