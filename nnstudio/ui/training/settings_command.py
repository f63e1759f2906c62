"""Undoable changes of a project's training settings, dataset choice and seed.

They are not document edits (the graph does not change), so they get their own
``QUndoCommand`` on the window's undo stack; consecutive changes of one field merge.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from nnstudio.graph.model.project import Project

_MERGE_ID = 0x5453  # "TS"
Path = tuple[str, ...]  # ("training", "lr") / ("dataset", "params", "noise") / ("seed",)


def read_path(project: Project, path: Path) -> Any:
    """The value at ``path`` in the project (None if absent)."""
    value: Any = getattr(project, path[0])
    for key in path[1:]:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def write_path(project: Project, path: Path, value: Any) -> None:
    """Set (or with value None remove) the value at ``path``."""
    if len(path) == 1:
        setattr(project, path[0], value)
        return
    target: dict[str, Any] = getattr(project, path[0])
    for key in path[1:-1]:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(value)


class SettingsCommand(QUndoCommand):
    """Set one project field; ``changed`` is called after redo and undo to refresh views."""

    def __init__(self, project: Project, path: Path, value: Any, text: str,
                 changed: Callable[[], None]) -> None:
        super().__init__(text)
        self.project = project
        self.path = path
        self.old = copy.deepcopy(read_path(project, path))
        self.new = copy.deepcopy(value)
        self.changed = changed

    def redo(self) -> None:
        write_path(self.project, self.path, self.new)
        self.changed()

    def undo(self) -> None:
        write_path(self.project, self.path, self.old)
        self.changed()

    def id(self) -> int:
        return _MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SettingsCommand) or other.project is not self.project \
                or other.path != self.path:
            return False
        self.new = other.new
        return True
