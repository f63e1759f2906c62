"""One undo step for what a run learned (or what Reset weights forgets).

"Training results" and "Reset weights" change the document's learned values AND the
project's training state that belongs to them: history, optimizer state, preprocessing
(the fitted scaler) and the bagging ensemble. Undo restores all of them together, so the
curves never disagree with the weights; ``changed`` refreshes the views after undo/redo.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtGui import QUndoCommand

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.edits import Edit
from nnstudio.graph.model.project import Project


@dataclass
class RunState:
    """The project fields a run writes besides the weights (deep copies)."""

    history: list[dict[str, Any]] = field(default_factory=list)
    optimizer_state: dict[str, Any] = field(default_factory=dict)
    preprocessing: dict[str, Any] = field(default_factory=dict)
    ensemble: list[dict[str, np.ndarray]] = field(default_factory=list)

    @classmethod
    def of(cls, project: Project) -> RunState:
        return cls(history=[dict(h) for h in project.history],
                   optimizer_state=copy.deepcopy(dict(project.optimizer_state)),
                   preprocessing=copy.deepcopy(dict(project.preprocessing)),
                   ensemble=[{k: np.array(v) for k, v in m.items()} for m in project.ensemble])

    def write_to(self, project: Project) -> None:
        """Put copies into ``project`` (the command keeps its own)."""
        project.history = [dict(h) for h in self.history]
        project.optimizer_state = copy.deepcopy(self.optimizer_state)
        project.preprocessing = copy.deepcopy(self.preprocessing)
        project.ensemble = [{k: np.array(v) for k, v in m.items()} for m in self.ensemble]


def finite_optimizer_state(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` unless one of its arrays holds inf or NaN (a diverged run's momentum):
    then none, so the next run starts the optimizer afresh from the last good weights."""
    arrays = state.get("arrays") if isinstance(state, dict) else None
    if isinstance(arrays, dict) and not all(np.all(np.isfinite(np.asarray(a, dtype=float)))
                                            for a in arrays.values()):
        return {}
    return state


class RunResultsCommand(QUndoCommand):
    """Apply ``edit`` (the learned values; None = none) and ``new`` state; undo restores
    the document and ``old``. The caller applies the edit BEFORE the push (a
    refused edit raises GraphError and nothing is pushed) and passes its inverse."""

    def __init__(self, project: Project, text: str, edit: Edit | None,
                 inverse: Edit | None, old: RunState, new: RunState,
                 changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.project = project
        self.document: Document = project.graph
        self.edit = edit
        self._inverse = inverse
        self.old, self.new = old, new
        self.changed = changed
        self._first = True

    def redo(self) -> None:
        if self._first:  # the push: the edit is applied already and the views are live
            self._first = False
            self.new.write_to(self.project)
            return
        if self.edit is not None:
            self._inverse = self.document.apply(self.edit)
        self.new.write_to(self.project)
        self.changed()

    def undo(self) -> None:
        if self._inverse is not None:
            self.edit = self.document.apply(self._inverse)
        self.old.write_to(self.project)
        self.changed()
