"""The session: the one object between the window and its features.

It owns the open project, its path, the undo stack, the data signature (the shape of the
project's data, for validation) and the training lock. Every change goes through
``push`` (or ``undo``/``redo``), so one guard covers keyboard shortcuts, context menus,
inline editors, the inspector and every feature. Views listen to its signals:

- ``project_replaced``: another project is open now (New, Open, recovery): reset views;
- ``edited``: the project or its network changed: once after each undo step (push, undo,
  redo), or on the next event-loop turn for changes made outside the undo stack;
- ``project_event``: each project event (runs, settings) as it happens;
- ``data_signature_changed``: the data's shape is known (or no longer known);
- ``lock_changed``: a run started or ended (locked: only moving nodes is allowed);
- ``modified_changed``: the unsaved-changes state flipped; ``refused``: a sentence
  saying why an edit was not made (e.g. while training runs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import project_events as pe
from nnstudio.graph.model.describe import describe_edit
from nnstudio.graph.model.edits import Compound, MoveNode
from nnstudio.graph.model.events import Event
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import AnyEdit, ProjectCompound
from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.datasets.describe import FILE_SOURCES, spec_file_names
from nnstudio.training.prepared import (
    absolute_data_paths,
    data_signature,
    relative_data_paths,
)
from nnstudio.ui.commands import EditCommand
from nnstudio.ui.weak import weak_method

LOCKED_TEXT = "The network is locked while training runs; press Stop to edit it."


class LockedError(GraphError):
    """An edit refused because a run is going on."""


def allowed_while_locked(edit: AnyEdit) -> bool:
    """Moving nodes does not change what is trained, so it stays allowed during a run."""
    if isinstance(edit, MoveNode):
        return True
    if isinstance(edit, Compound | ProjectCompound):
        return all(allowed_while_locked(part) for part in edit.edits)
    return False


class _SignatureJob(QObject):
    """Loads a project's dataset in a worker thread to learn its shape."""

    done = Signal(int, object)

    def __init__(self, generation: int, project: Project, base_dir: Path | None) -> None:
        super().__init__()
        self.generation, self.project, self.base_dir = generation, project, base_dir

    @Slot()
    def run(self) -> None:
        signature, _reason = data_signature(self.project, self.base_dir)
        self.done.emit(self.generation, signature)


class Session(QObject):
    """One open project and everything that changes it (see the module docstring)."""

    project_replaced = Signal()
    edited = Signal()
    project_event = Signal(object)
    data_signature_changed = Signal()
    reading_data = Signal(str)
    """The project's data file is being read to learn its shape (its name), or "" when
    that ended (the window says so in its status bar: a large file takes seconds)."""
    lock_changed = Signal(bool)
    modified_changed = Signal(bool)
    refused = Signal(str)

    def __init__(self, project: Project | None = None, path: Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project if project is not None else Project()
        self.path: Path | None = path
        self.undo_stack = QUndoStack(self)
        self.data_signature: DataSignature | None = None
        self.locked = False
        self._dirty = False
        self._modified = False
        self._unsubscribe: list[Callable[[], None]] = []
        self._generation = 0
        self._jobs: dict[int, tuple[QThread, QObject]] = {}
        self._edited_timer = QTimer(self)
        self._edited_timer.setSingleShot(True)
        self._edited_timer.setInterval(0)
        self._edited_timer.timeout.connect(self._flush_edited)
        self._pending_edit = False
        self.undo_stack.cleanChanged.connect(self._update_modified)
        self.undo_stack.indexChanged.connect(self._update_modified)
        self.undo_stack.indexChanged.connect(self._flush_edited)
        self._attach()

    # --- the project ---------------------------------------------------------------------
    def set_project(self, project: Project, path: Path | None, modified: bool = False) -> None:
        """Show ``project`` (a fresh undo history); ``modified`` marks it unsaved. Relative
        data paths are made absolute against the file's folder (saving makes them relative
        to wherever the project is saved). A run of the old project is ended by its
        controller (listening to ``project_replaced``); its results are not kept."""
        if path is not None and project.dataset:
            project.dataset = absolute_data_paths(project.dataset, path.parent)
        self.project = project
        self.path = path
        self.undo_stack.clear()
        self._dirty = modified
        self._attach()
        self._update_modified()
        self.project_replaced.emit()
        self.edited.emit()

    def _attach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = [
            self.project.graph.subscribe(weak_method(self._on_document_event, 1)),
            self.project.subscribe(weak_method(self._on_project_event, 1))]
        self.data_signature = None
        self.refresh_signature()

    def _on_document_event(self, _event: Event) -> None:
        self._note_edit()

    def _note_edit(self) -> None:
        self._pending_edit = True
        self._edited_timer.start()

    @Slot()
    def _flush_edited(self) -> None:
        """Emit ``edited`` once for everything changed since the last time."""
        if self._pending_edit:
            self._pending_edit = False
            self._edited_timer.stop()
            self.edited.emit()

    def _on_project_event(self, event: pe.ProjectEvent) -> None:
        self.project_event.emit(event)
        if isinstance(event, pe.FieldChanged) and event.name == "dataset":
            self.refresh_signature()
        self._note_edit()

    @property
    def base_dir(self) -> Path | None:
        """The folder relative data paths are read from (the project file's)."""
        return self.path.parent if self.path is not None else None

    # --- editing -------------------------------------------------------------------------
    def push(self, edit: AnyEdit, text: str | None = None, merge_key: str | None = None,
             *, system: bool = False) -> None:
        """Apply ``edit`` as one undo step. Raises GraphError (nothing changes) when the
        model refuses it, LockedError while a run goes on (unless ``system``: results of
        the run itself, or moving nodes)."""
        if self.locked and not system and not allowed_while_locked(edit):
            self.refused.emit(LOCKED_TEXT)
            raise LockedError(LOCKED_TEXT)
        if text is None:
            text = describe_edit(edit, self.project.graph)  # before: a deleted node's title
        inverse = self.project.apply(edit)
        self.undo_stack.push(EditCommand(self.project, edit, text, merge_key,
                                         applied_inverse=inverse))
        self._flush_edited()  # a merged step does not move the stack's index

    def try_push(self, edit: AnyEdit, text: str | None = None,
                 merge_key: str | None = None) -> str | None:
        """``push``, returning the refusal's sentence instead of raising (None: done)."""
        try:
            self.push(edit, text, merge_key)
        except GraphError as error:
            return str(error)
        return None

    def undo(self) -> bool:
        """Undo one step; False (and ``refused``) while a run goes on."""
        if self.locked:
            self.refused.emit(LOCKED_TEXT)
            return False
        self.undo_stack.undo()
        return True

    def redo(self) -> bool:
        if self.locked:
            self.refused.emit(LOCKED_TEXT)
            return False
        self.undo_stack.redo()
        return True

    # --- training lock -------------------------------------------------------------------
    def set_locked(self, locked: bool) -> None:
        if locked != self.locked:
            self.locked = locked
            self.lock_changed.emit(locked)

    # --- saved state ---------------------------------------------------------------------
    def is_modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def mark_modified(self) -> None:
        """Unsaved without an undo step (a recovered or imported project)."""
        self._dirty = True
        self._update_modified()

    def mark_saved(self, path: Path) -> None:
        self.path = path
        self.undo_stack.setClean()
        self._dirty = False
        self._update_modified()

    def project_for_file(self, path: Path) -> Project:
        """The project as it is saved to ``path``: its data paths relative to that folder."""
        project = self.project.copy()
        if project.dataset:
            project.dataset = relative_data_paths(project.dataset, path.parent)
        return project

    def _update_modified(self) -> None:
        modified = self.is_modified()
        if modified != self._modified:
            self._modified = modified
            self.modified_changed.emit(modified)

    # --- data signature ------------------------------------------------------------------
    def refresh_signature(self) -> None:
        """Learn the shape of the project's data: at once for built-in sets, in a worker
        thread for data files (they may be large); ``data_signature_changed`` tells."""
        self._generation += 1
        spec = self.project.dataset
        if self._jobs and spec.get("source") not in FILE_SOURCES:
            self.reading_data.emit("")  # the file being read is no longer wanted
        if not spec:
            self._set_signature(None)
            return
        if spec.get("source") == "builtin":
            self._set_signature(data_signature(self.project, self.base_dir)[0])
            return
        self.reading_data.emit(", ".join(spec_file_names(spec)) or "the data file")
        job = _SignatureJob(self._generation, self.project.copy(), self.base_dir)
        thread = QThread(self)
        thread.setObjectName("data signature")
        job.moveToThread(thread)
        thread.started.connect(job.run)
        job.done.connect(self._on_signature)
        self._jobs[self._generation] = (thread, job)
        thread.start()

    @Slot(int, object)
    def _on_signature(self, generation: int, signature: DataSignature | None) -> None:
        thread, job = self._jobs.pop(generation, (None, None))
        if thread is not None and job is not None:
            thread.quit()
            thread.wait()
            job.deleteLater()
            thread.deleteLater()
        if generation == self._generation:
            self.reading_data.emit("")
            self._set_signature(signature)

    def _set_signature(self, signature: DataSignature | None) -> None:
        self.data_signature = signature
        self.data_signature_changed.emit()

    def wait_for_signature(self, timeout_ms: int = 30_000) -> None:
        """Block until the pending signature jobs ended and their answers arrived (tests,
        shutdown)."""
        for thread, _job in list(self._jobs.values()):
            thread.quit()
            thread.wait(timeout_ms)
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.processEvents()

    def close(self) -> None:
        """Stop listening to the project, wait for background jobs and drop the undo
        history now (its commands must not outlive the stack in a garbage collection,
        where PySide may free them twice)."""
        self.wait_for_signature()
        self.undo_stack.clear()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
