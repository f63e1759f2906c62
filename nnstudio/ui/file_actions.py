"""New, Open, Save, Save As, recent files, examples and crash recovery of the main window.

Every question to the user goes through one small method (``ask_save_changes``,
``ask_open_path``, ``ask_save_path``, ``ask_recover``, ``show_error``) so tests can replace it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QSettings, QStandardPaths, QTimer, Slot
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from nnstudio.graph.files.project_file import (
    ProjectFileError,
    load_project,
    project_from_bytes,
    project_to_bytes,
    save_project,
)
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.ui.autosave import RecoveredFile, RecoverySession
from nnstudio.ui.session import Session

AUTOSAVE_AFTER_EDIT_MS = 3000
"""An edit is autosaved this long after the last one (the window's timer runs as well)."""
MAX_RECOVERY_SHOWN = 8
"""The recovery question lists at most this many copies; Discard deletes only those."""
FILE_FILTER = "NN Studio projects (*.nnstudio)"
SUFFIX = ".nnstudio"
RECENT_KEY = "recent_files"
MAX_RECENT = 10
Answer = Literal["save", "discard", "cancel"]


def example_files() -> list[Path]:
    """The bundled example projects, sorted by name."""
    folder = examples_dir()
    return sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []


def example_title(path: Path) -> str:
    """``digits_cnn.nnstudio`` -> ``Digits cnn`` (when the file has no readable name)."""
    return path.stem.replace("_", " ").capitalize()


def first_sentence(text: str) -> str:
    """The text up to and including its first full stop (the whole text if it has none)."""
    match = re.search(r"[.!?](\s|$)", text)
    return text[:match.end()].strip() if match else text.strip()


def example_entry(path: Path) -> tuple[str, str]:
    """(menu title, status tip) of an example: its project name and the first sentence
    of its description; the file name if the file cannot be read."""
    try:
        project = load_project(path)
    except (ProjectFileError, OSError):
        return example_title(path), f"Open a copy of the example {path.name}"
    title = project.name or example_title(path)
    tip = first_sentence(project.description) or f"Open a copy of the example {path.name}"
    return title, tip


def documents_dir() -> Path:
    """The user's Documents folder (the home folder if the platform names none)."""
    location = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def safe_file_stem(name: str) -> str:
    """``name`` without characters that file systems refuse; "Untitled" if nothing is left."""
    stem = " ".join(re.sub(r'[\\/:*?"<>|]+', " ", name).split()).strip(" .")
    return stem or "Untitled"


def recovery_question(files: list[RecoveredFile]) -> str:
    """The question of the recovery dialog: which copies there are, newest first."""
    def origin(item: RecoveredFile) -> str:
        return str(item.original_path) if item.original_path else "an unsaved project"

    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(files[0].saved_at))
    text = f"Recover the changes to {origin(files[0])} (autosaved {when})?"
    if len(files) > 1:
        others = "; ".join(origin(item) for item in files[1:])
        text += (f" Discard deletes this copy and the {len(files) - 1} older one"
                 f"{'s' if len(files) > 2 else ''} listed here: {others}.")
    return text


class FileController:
    """The file commands of one window: ``parent`` for dialogs, ``session`` for the
    project, and ``display_name()`` for the project's name in questions."""

    def __init__(self, parent: QWidget, session: Session,
                 recovery: RecoverySession | None = None,
                 display_name: Callable[[], str] | None = None) -> None:
        self.parent = parent
        self.session = session
        self.display_name = display_name or (lambda: session.project.name or "Untitled")
        self.recovery = recovery if recovery is not None else RecoverySession()
        self.edit_timer = QTimer(parent)
        self.edit_timer.setObjectName("autosave_after_edit")
        self.edit_timer.setSingleShot(True)
        self.edit_timer.setInterval(AUTOSAVE_AFTER_EDIT_MS)
        self.edit_timer.timeout.connect(self.autosave)
        session.edited.connect(self._on_edited)

    @Slot()
    def _on_edited(self) -> None:
        """Autosave shortly after an edit (each further edit moves that moment on)."""
        if self.session.is_modified():
            self.edit_timer.start()

    # --- questions (replaceable in tests) ------------------------------------------------
    def ask_save_changes(self) -> Answer:
        """Ask whether to save the unsaved changes before they would be lost."""
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(
            self.parent, "Unsaved changes",
            f"Save the changes to “{self.display_name()}” first?",
            buttons, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    def ask_open_path(self) -> Path | None:
        path = self.session.path
        start = str(path.parent) if path else ""
        name, _ = QFileDialog.getOpenFileName(self.parent, "Open project", start, FILE_FILTER)
        return Path(name) if name else None

    def save_start_path(self) -> Path:
        """Where Save As starts: the project's own file, else its name in Documents."""
        current = self.session.path
        if current is not None:
            return current
        return documents_dir() / f"{safe_file_stem(self.display_name())}{SUFFIX}"

    def ask_save_path(self) -> Path | None:
        start = str(self.save_start_path())
        name, _ = QFileDialog.getSaveFileName(self.parent, "Save project as", start, FILE_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX)

    def ask_recover(self, files: list[RecoveredFile]) -> bool:
        """Ask whether to reopen the newest of ``files`` (all of them are listed); False
        discards exactly these."""
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Recover unsaved work")
        box.setText("NN Studio closed last time before your changes were saved.")
        box.setInformativeText(recovery_question(files))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("Recover")
        box.button(QMessageBox.StandardButton.No).setText("Discard")
        return box.exec() == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.parent, title, message)

    # --- commands ------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True if the current project may be replaced (saved, discarded or unchanged)."""
        if not self.session.is_modified():
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.recovery.clear()
        self.session.set_project(Project(), None)
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        path = self.ask_open_path()
        return self.open_path(path, ask=False) if path is not None else False

    def open_path(self, path: Path, ask: bool = True) -> bool:
        """Open ``path``; on a bad file show its sentence and leave everything as it was."""
        if ask and not self.maybe_save():
            return False
        project = self._load(path)
        if project is None:
            return False
        self.recovery.clear()
        self.session.set_project(project, path)
        self.add_recent(path)
        return True

    def open_example(self, path: Path) -> bool:
        """Open a copy of an example: untitled, so Save asks where to put it."""
        if not self.maybe_save():
            return False
        project = self._load(path)
        if project is None:
            return False
        self.recovery.clear()
        self.session.set_project(project, None)
        return True

    def _load(self, path: Path) -> Project | None:
        try:
            return load_project(path)
        except ProjectFileError as error:
            self.show_error("Could not open the project", str(error))
        except OSError as error:
            self.show_error("Could not open the project",
                            f"Could not read {path}: {error.strerror or error}.")
        return None

    def save(self) -> bool:
        path = self.session.path
        return self.save_to(path) if path is not None else self.save_as()

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return self.save_to(path) if path is not None else False

    def save_to(self, path: Path) -> bool:
        try:
            save_project(self.session.project_for_file(path), path)
        except (ProjectFileError, OSError) as error:
            self.show_error("Could not save the project", str(error))
            return False
        self.session.mark_saved(path)
        self.recovery.clear()
        self.add_recent(path)
        return True

    # --- recent files and examples -------------------------------------------------------
    def recent_files(self) -> list[Path]:
        value = QSettings().value(RECENT_KEY, [])
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, list | tuple):
            items = [str(v) for v in value]
        else:
            items = []
        return [Path(p) for p in items if p]

    def add_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        items = [str(p) for p in self.recent_files() if str(p) != text]
        QSettings().setValue(RECENT_KEY, [text, *items][:MAX_RECENT])

    def clear_recent(self) -> None:
        QSettings().setValue(RECENT_KEY, [])

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        recent = self.recent_files()
        for number, path in enumerate(recent, start=1):
            action = menu.addAction(f"&{number % 10} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear list", self.clear_recent)
        else:
            menu.addAction("No recent projects").setEnabled(False)

    def fill_examples_menu(self, menu: QMenu) -> None:
        menu.clear()
        files = example_files()
        for path in files:
            title, tip = example_entry(path)
            action = menu.addAction(title)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(lambda _=False, p=path: self.open_example(p))
        if not files:
            menu.addAction("No examples installed").setEnabled(False)

    # --- autosave and recovery -----------------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the project to the recovery folder if it has unsaved changes."""
        session = self.session
        if not session.is_modified():
            return None
        try:
            path = session.path
            project = session.project_for_file(path) if path else session.project
            return self.recovery.write(project_to_bytes(project), path)
        except (ProjectFileError, OSError):
            return None  # autosave must never interrupt the user

    def offer_recovery(self) -> bool:
        """Offer the newest project left by a crashed session; True if one was reopened."""
        files = self.recovery.orphans()[:MAX_RECOVERY_SHOWN]
        if not files:
            return False
        if not self.ask_recover(files):
            for item in files:  # the copies the question listed, and no other
                item.remove()
            return False
        newest = files[0]
        try:
            project = project_from_bytes(newest.project_path.read_bytes(),
                                         name=newest.project_path.name)
        except (ProjectFileError, OSError) as error:
            self.show_error("Could not recover the project", str(error))
            return False
        self.session.set_project(project, newest.original_path, modified=True)
        newest.remove()
        self.autosave()
        return True
