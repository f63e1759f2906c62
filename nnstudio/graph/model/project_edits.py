"""Edits of a project beyond its network: settings, dataset choice, run records and the
learned state that belongs to the current run.

Like the document's edits they are immutable values; ``Project.apply`` performs one and
returns its exact inverse. A ``ProjectCompound`` mixes document edits (weights) and project
edits (history, optimizer state) into one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnstudio.graph.model.edits import Edit
from nnstudio.graph.model.runs import Run

FIELDS = ("name", "description", "dataset", "training", "preprocessing", "seed",
          "active_run", "optimizer_state", "ensemble", "run_weights_limit_mb", "ui")
"""Project fields a ``SetField`` may replace."""

SETTING_ROOTS = ("training", "dataset", "ui")
"""Fields whose inner keys a ``SetSetting`` may change."""

@dataclass(frozen=True, eq=False)
class SetField:
    """Replace one whole project field (see ``FIELDS``) with ``value`` (deep-copied)."""

    name: str
    value: Any
    text: str = ""

    @property
    def description(self) -> str:
        return self.text or f"Change {self.name.replace('_', ' ')}"


@dataclass(frozen=True, eq=False)
class SetSetting:
    """Set one value inside ``training``, ``dataset`` or ``ui``; ``path`` starts with the
    field, e.g. ``("training", "lr")`` or ``("dataset", "params", "noise")``. A value of
    None removes the key."""

    path: tuple[str, ...]
    value: Any

    @property
    def description(self) -> str:
        return f"Change {self.path[-1].replace('_', ' ')}"  # callers pass readable texts


@dataclass(frozen=True, eq=False)
class AddRun:
    """Add a run record at ``index`` (None: at the end)."""

    run: Run
    index: int | None = None

    @property
    def description(self) -> str:
        return f"Add {self.run.name}"


@dataclass(frozen=True)
class RemoveRun:
    run_id: str

    @property
    def description(self) -> str:
        return "Delete run"


@dataclass(frozen=True, eq=False)
class ReplaceRun:
    """Put ``run`` in place of the record with the same id."""

    run: Run
    text: str = ""

    @property
    def description(self) -> str:
        return self.text or "Change run"


@dataclass(frozen=True, eq=False)
class ProjectCompound:
    """Several document and project edits as one step (applied in order)."""

    edits: tuple[AnyEdit, ...]
    text: str = ""

    @property
    def description(self) -> str:
        if self.text:
            return self.text
        if len(self.edits) == 1:
            return self.edits[0].description
        return "Several changes"


def choose_dataset(spec: dict[str, Any], text: str, full_batch: bool = False
                   ) -> ProjectCompound:
    """Use another dataset: the fitted scaler belongs to the old data and goes with it in
    the same step; ``full_batch`` also sets batch size 0 (a new project on small data)."""
    edits: list[AnyEdit] = [SetField("dataset", spec), SetField("preprocessing", {})]
    if full_batch:
        edits.append(SetSetting(("training", "batch_size"), 0))
    return ProjectCompound(tuple(edits), text)


ProjectEdit = SetField | SetSetting | AddRun | RemoveRun | ReplaceRun | ProjectCompound
AnyEdit = Edit | ProjectEdit
