"""The one undo command: it wraps any project or document edit and touches only the model.

``redo`` applies the edit (``inverse = target.apply(edit)``); ``undo`` applies the inverse.
Use ``Session.push``: it applies the edit first, so a refused edit raises GraphError with its
sentence and nothing reaches the stack, then pushes a command whose first ``redo`` (the one
``QUndoStack.push`` makes) keeps that result instead of applying the edit twice.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoCommand

from nnstudio.graph.model.project_edits import AnyEdit

_MERGE_ID = 0x4E4E  # any constant: commands with a merge_key merge with the same key only


class Editable(Protocol):
    """What an edit changes (a ``Project``): applying returns the inverse."""

    def apply(self, edit: AnyEdit) -> AnyEdit: ...


class EditCommand(QUndoCommand):
    """One undo step for one edit (a compound edit for several changes at once).

    applied_inverse: the inverse returned when the caller already applied ``edit``; the
    first redo then does nothing. merge_key: consecutive commands with the same non-None key
    become one step (e.g. an inspector spin box sending SetParam on every tick).
    """

    def __init__(self, target: Editable, edit: AnyEdit, text: str | None = None,
                 merge_key: str | None = None, applied_inverse: AnyEdit | None = None,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text if text is not None else edit.description, parent)
        self.target = target
        self.edit = edit
        self.merge_key = merge_key
        self._inverse: AnyEdit | None = applied_inverse
        self._already_applied = applied_inverse is not None

    def redo(self) -> None:
        if self._already_applied:
            self._already_applied = False
            return
        self._inverse = self.target.apply(self.edit)

    def undo(self) -> None:
        if self._inverse is None:
            return
        # Applying the inverse returns an edit that restores the current state: the redo.
        self.edit = self.target.apply(self._inverse)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or self.merge_key is None:
            return False
        if other.merge_key != self.merge_key or other.target is not self.target:
            return False
        # Undo goes back to the state before self (self's inverse); redo reaches other's.
        self.edit = other.edit
        return True
