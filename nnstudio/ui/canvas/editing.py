"""What the canvas needs to change a project: the session's edit path (a protocol, so the
canvas does not import the session)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoStack

from nnstudio.graph.model.project_edits import AnyEdit


class EditTarget(Protocol):
    """Pushes edits as undo steps; ``push`` raises GraphError when an edit is refused."""

    undo_stack: QUndoStack

    def push(self, edit: AnyEdit, text: str | None = None,
             merge_key: str | None = None) -> None: ...

    def undo(self) -> bool: ...

    def redo(self) -> bool: ...
