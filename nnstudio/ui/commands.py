"""Undo commands: each wraps one ``nnstudio.graph.model.edits`` Edit and touches only the document.

``redo`` applies the edit (``inverse = document.apply(edit)``); ``undo`` applies the inverse.
Use ``push_edit``: it applies the edit first, so a refused edit raises GraphError with its
sentence and nothing reaches the stack, then pushes a command whose first ``redo`` (the one
``QUndoStack.push`` makes) keeps that result instead of applying the edit twice.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand, QUndoStack

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.edits import Edit

_MERGE_ID = 0x4E4E  # any constant: commands with a merge_key merge with the same key only


class EditCommand(QUndoCommand):
    """One undo step for one Edit (a Compound edit for several changes at once).

    applied_inverse: the inverse returned when the caller already applied ``edit``; the
    first redo then does nothing. merge_key: consecutive commands with the same non-None key
    become one step (e.g. an inspector spin box sending SetParam on every tick).
    """

    def __init__(self, document: Document, edit: Edit, text: str | None = None,
                 merge_key: str | None = None, applied_inverse: Edit | None = None,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text if text is not None else edit.description, parent)
        self.document = document
        self.edit = edit
        self.merge_key = merge_key
        self._inverse: Edit | None = applied_inverse
        self._already_applied = applied_inverse is not None

    def redo(self) -> None:
        if self._already_applied:
            self._already_applied = False
            return
        self._inverse = self.document.apply(self.edit)

    def undo(self) -> None:
        if self._inverse is None:
            return
        # Applying the inverse returns an edit that restores the current state: the redo.
        self.edit = self.document.apply(self._inverse)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or self.merge_key is None:
            return False
        if other.merge_key != self.merge_key or other.document is not self.document:
            return False
        # Undo goes back to the state before self (self's inverse); redo reaches other's.
        self.edit = other.edit
        return True


def push_edit(stack: QUndoStack, document: Document, edit: Edit, text: str | None = None,
              merge_key: str | None = None) -> EditCommand:
    """Apply ``edit`` and push it as one undo step.

    Raises GraphError (document and stack unchanged) if the document refuses the edit.
    """
    inverse = document.apply(edit)
    command = EditCommand(document, edit, text, merge_key, applied_inverse=inverse)
    stack.push(command)
    return command
