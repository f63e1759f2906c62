"""File › New from Data… and File › Load Data File…, wired to one controller.

``install(session, host)`` adds both actions to the window's File menu (after New). New
from Data builds a ready-to-train project (``project_from_spec``) and shows it as an
untitled, unsaved document after the window's usual save-or-discard question. Load Data
File sets the current project's dataset spec as one undo step (the session then learns
the data's shape and the network is checked against it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project_edits import choose_dataset
from nnstudio.training.datasets import Dataset
from nnstudio.training.datasets.describe import spec_file_names
from nnstudio.training.new_project import project_from_spec
from nnstudio.training.settings import TrainingError
from nnstudio.ui.data_import.dialog import ImportDataDialog
from nnstudio.ui.host import Host
from nnstudio.ui.session import Session


@dataclass(frozen=True)
class ImportChoice:
    """What the dialog returned: the spec, (New from Data) the hidden layer sizes, and the
    dataset the dialog already read (so the window does not read the file again)."""

    spec: dict[str, Any]
    hidden: tuple[int, ...] = ()
    dataset: Dataset | None = None


class DataImportController(QObject):
    """The two data actions of one window (questions replaceable in tests)."""

    def __init__(self, session: Session, host: Host) -> None:
        super().__init__(host.widget())
        self.session = session
        self.host = host
        window = host.widget()
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
        base = self.session.base_dir
        dialog = ImportDataDialog(self.host.widget(), None if for_new_project else base,
                                  for_new_project=for_new_project, start_dir=base)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        spec = dialog.spec()
        if spec is None:
            return None
        hidden = tuple(dialog.hidden_layers()) if for_new_project else ()
        return ImportChoice(spec, hidden, dialog.dataset)

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.host.widget(), title, message)

    # --- commands ------------------------------------------------------------------------
    def new_from_data(self) -> bool:
        """Ask to save unsaved work, run the dialog, show the new project; True if shown."""
        if self._busy() or not self.host.may_replace_project():
            return False
        choice = self.ask_import(for_new_project=True)
        if choice is None:
            return False
        try:
            project = project_from_spec(choice.spec, choice.hidden, dataset=choice.dataset)
        except TrainingError as error:
            self.show_error("Could not create the project", str(error))
            return False
        self.host.show_project(project, modified=True)
        self.host.show_status(project.description, 8000)
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
        text = f"Load data file {names}"
        try:
            self.session.push(choose_dataset(spec, text), text)
        except GraphError as error:
            self.host.show_status(str(error), 8000)

    # --- helpers -------------------------------------------------------------------------
    def _busy(self) -> bool:
        """True (with a note in the status bar) while a training run holds the project."""
        if self.session.locked:
            self.host.show_status("Training is running; press Stop before changing the "
                                  "data.", 4000)
        return self.session.locked

    @Slot(bool)
    def _on_lock_changed(self, locked: bool) -> None:
        self.new_action.setEnabled(not locked)
        self.load_action.setEnabled(not locked)

    @Slot()
    def _new_triggered(self) -> None:
        self.new_from_data()

    @Slot()
    def _load_triggered(self) -> None:
        self.load_data_file()



def install(session: Session, host: Host) -> DataImportController:
    """Add New from Data… and Load Data File… to the File menu (after New); returns the
    controller (the window connects the training panel's "Load data file…" to it)."""
    controller = DataImportController(session, host)
    menu = host.menu("file")
    actions = menu.actions()
    new_action = host.action("new")
    after = actions.index(new_action) + 1 if new_action in actions else 0
    before = actions[after] if after < len(actions) else None
    for action in (controller.new_action, controller.load_action):
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)
    session.lock_changed.connect(controller._on_lock_changed)
    return controller
