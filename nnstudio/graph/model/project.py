"""A project: the network document plus its settings, dataset choice and training runs.

Every change a view should hear about goes through ``Project.apply(edit)``, which returns
the exact inverse (document edits are passed on to ``project.graph``) and notifies the
project's subscribers. Code that builds a project before anyone watches it (the command
line, tests, examples) may set the plain fields directly.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import project_events as pe
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.fields import (
    SEED,
    TRAINING_FIELDS,
    FieldError,
    check_value,
    short,
)
from nnstudio.graph.model.project_edits import (
    FIELDS,
    SETTING_ROOTS,
    AddRun,
    AnyEdit,
    ProjectCompound,
    RemoveRun,
    ReplaceRun,
    SetField,
    SetSetting,
)
from nnstudio.graph.model.runs import Run, RunWeights

DEFAULT_RUN_WEIGHTS_LIMIT_MB = 50
"""How many MB of finished runs' weights a project keeps by default (older runs beyond
it keep their curves and metrics but drop their weights)."""


@dataclass
class Project:
    """Everything a ``*.nnstudio`` file holds.

    dataset: the dataset choice, e.g. ``{"source": "builtin", "name": "xor", "params": {...}}``;
    training: training settings; preprocessing: the fitted scaler of the current weights
    (all JSON-able and interpreted by ``nnstudio.training``). runs: the training runs,
    oldest first; active_run: the id of the run whose weights are in ``graph`` (a further
    Train continues it), None when the weights are fresh. optimizer_state
    (``{"meta": json-able, "arrays": {name: ndarray}}``) and ensemble (one state dict per
    bagging member) belong to the active run. ui: view state (zoom, scroll, panel layout).
    """

    graph: Document = field(default_factory=Document)
    name: str = "Untitled"
    description: str = ""
    dataset: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    preprocessing: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    runs: list[Run] = field(default_factory=list)
    active_run: str | None = None
    optimizer_state: dict[str, Any] = field(default_factory=dict)
    ensemble: list[dict[str, np.ndarray]] = field(default_factory=list)
    run_weights_limit_mb: int = DEFAULT_RUN_WEIGHTS_LIMIT_MB
    ui: dict[str, Any] = field(default_factory=dict)
    _subscribers: list[Callable[[pe.ProjectEvent], None]] = field(
        default_factory=list, repr=False, compare=False)

    # --- reading -------------------------------------------------------------------------

    @property
    def history(self) -> list[dict[str, Any]]:
        """The active run's epoch records (copies; empty without an active run)."""
        run = self.active
        return [dict(r) for r in run.history] if run is not None else []

    @property
    def active(self) -> Run | None:
        """The run whose weights are in the network (None: fresh weights)."""
        return self.find_run(self.active_run) if self.active_run is not None else None

    def find_run(self, run_id: str) -> Run | None:
        return next((r for r in self.runs if r.id == run_id), None)

    def run(self, run_id: str) -> Run:
        """The run ``run_id``; raises GraphError if there is none."""
        found = self.find_run(run_id)
        if found is None:
            raise GraphError(f"There is no run '{run_id}' in this project.")
        return found

    # --- notifications -------------------------------------------------------------------

    def subscribe(self, callback: Callable[[pe.ProjectEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` after every project change (document events come from
        ``graph.subscribe``); returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _notify(self, event: pe.ProjectEvent) -> None:
        for callback in list(self._subscribers):
            callback(event)

    # --- changing ------------------------------------------------------------------------

    def apply(self, edit: AnyEdit) -> AnyEdit:
        """Perform ``edit`` (a project or document edit) and return its inverse.

        A refused edit raises GraphError and changes nothing (a compound is rolled back).
        """
        if isinstance(edit, ProjectCompound):
            return self._apply_compound(edit)
        if isinstance(edit, SetField):
            return self._set_field(edit)
        if isinstance(edit, SetSetting):
            return self._set_setting(edit)
        if isinstance(edit, AddRun):
            return self._add_run(edit)
        if isinstance(edit, RemoveRun):
            return self._remove_run(edit)
        if isinstance(edit, ReplaceRun):
            return self._replace_run(edit)
        return self.graph.apply(edit)

    def _apply_compound(self, edit: ProjectCompound) -> AnyEdit:
        inverses: list[AnyEdit] = []
        try:
            for part in edit.edits:
                inverses.append(self.apply(part))
        except GraphError:
            for inverse in reversed(inverses):
                self.apply(inverse)
            raise
        return ProjectCompound(tuple(reversed(inverses)), edit.text)

    def _set_field(self, edit: SetField) -> AnyEdit:
        if edit.name not in FIELDS:
            raise GraphError(f"A project has no field '{edit.name}'.")
        if edit.name == "active_run" and edit.value is not None \
                and self.find_run(edit.value) is None:
            raise GraphError(f"There is no run '{edit.value}' to make current.")
        _check_field(edit.name, edit.value)
        old = getattr(self, edit.name)
        setattr(self, edit.name, copy.deepcopy(edit.value))
        self._notify(pe.FieldChanged(edit.name))
        return SetField(edit.name, old, edit.text)

    def _set_setting(self, edit: SetSetting) -> AnyEdit:
        path = edit.path
        if len(path) < 2 or path[0] not in SETTING_ROOTS:
            raise GraphError(f"Cannot set {'/'.join(path)} in a project.")
        root = copy.deepcopy(getattr(self, path[0]))
        target = root
        for key in path[1:-1]:
            inner = target.get(key)
            if not isinstance(inner, dict):
                inner = {}
                target[key] = inner
            target = inner
        if path[0] == "training" and len(path) == 2 and edit.value is not None:
            _check_field("training", {path[1]: edit.value})
        old = copy.deepcopy(target.get(path[-1]))
        if edit.value is None:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = copy.deepcopy(edit.value)
        setattr(self, path[0], root)
        self._notify(pe.FieldChanged(path[0]))
        return SetSetting(path, old)

    def _index_of(self, run_id: str) -> int:
        for index, run in enumerate(self.runs):
            if run.id == run_id:
                return index
        raise GraphError(f"There is no run '{run_id}' in this project.")

    def _add_run(self, edit: AddRun) -> AnyEdit:
        if self.find_run(edit.run.id) is not None:
            raise GraphError(f"The project already has a run '{edit.run.id}'.")
        index = len(self.runs) if edit.index is None else max(0, min(edit.index, len(self.runs)))
        self.runs = [*self.runs[:index], edit.run, *self.runs[index:]]
        self._notify(pe.RunAdded(edit.run.id))
        return RemoveRun(edit.run.id)

    def _remove_run(self, edit: RemoveRun) -> AnyEdit:
        index = self._index_of(edit.run_id)
        if self.active_run == edit.run_id:
            raise GraphError("This run holds the network's current weights; reset the "
                             "weights or restore another run before deleting it.")
        run = self.runs[index]
        self.runs = [r for r in self.runs if r.id != edit.run_id]
        self._notify(pe.RunRemoved(edit.run_id))
        return AddRun(run, index)

    def _replace_run(self, edit: ReplaceRun) -> AnyEdit:
        index = self._index_of(edit.run.id)
        old = self.runs[index]
        self.runs = [*self.runs[:index], edit.run, *self.runs[index + 1:]]
        self._notify(pe.RunChanged(edit.run.id))
        return ReplaceRun(old, edit.text)

    # --- comparing -----------------------------------------------------------------------

    def copy(self) -> Project:
        """An independent copy without subscribers (arrays copied)."""
        return dataclasses.replace(
            self, graph=self.graph.copy(), dataset=copy.deepcopy(self.dataset),
            training=copy.deepcopy(self.training),
            preprocessing=copy.deepcopy(self.preprocessing), runs=list(self.runs),
            optimizer_state=copy.deepcopy(self.optimizer_state),
            ensemble=[{k: np.array(v) for k, v in m.items()} for m in self.ensemble],
            ui=copy.deepcopy(self.ui), _subscribers=[])

    def same_as(self, other: Project) -> bool:
        """Equal content: same graph (incl. arrays), settings, runs and states.

        NaN equals NaN here, so a diverged run compares equal to its reloaded copy.
        """
        if not self.graph.same_as(other.graph):
            return False
        plain = ("name", "description", "dataset", "training", "preprocessing", "seed",
                 "active_run", "run_weights_limit_mb", "ui", "optimizer_state")
        if not all(same_value(getattr(self, n), getattr(other, n)) for n in plain):
            return False
        if len(self.runs) != len(other.runs) or len(self.ensemble) != len(other.ensemble):
            return False
        if not all(same_run(a, b) for a, b in zip(self.runs, other.runs, strict=True)):
            return False
        return all(same_value(a, b) for a, b in zip(self.ensemble, other.ensemble, strict=True))


def _check_field(name: str, value: Any) -> None:
    """Training settings and the seed within their declared bounds (``fields``), so the
    project never holds what its file could not be opened with again."""
    if name == "seed":
        checks = [(SEED, value)]
    elif name == "training":
        if not isinstance(value, Mapping):
            raise GraphError("The training settings must be a dict.")
        unknown = [key for key in value if key not in TRAINING_FIELDS]
        if unknown:
            raise GraphError(f"There is no training setting {short(unknown[0])}.")
        checks = [(TRAINING_FIELDS[key], item) for key, item in value.items()]
    else:
        return
    for spec, item in checks:
        try:
            check_value(spec, item)
        except FieldError as error:
            raise GraphError(f"The {spec.label} {error}.") from None


def same_run(a: Run, b: Run) -> bool:
    """Equal run records (weights compared array by array)."""
    for f in dataclasses.fields(Run):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "weights":
            if (x is None) != (y is None):
                return False
            if x is not None and not _same_weights(x, y):
                return False
        elif not same_value(x, y):
            return False
    return True


def _same_weights(a: RunWeights, b: RunWeights) -> bool:
    return (same_value(a.values, b.values) and same_value(a.edge_weights, b.edge_weights)
            and same_value(list(a.ensemble), list(b.ensemble)))


def same_value(a: Any, b: Any) -> bool:
    """Deep equality of JSON-like data and arrays (dtype, shape, NaN-aware values)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(type(a) is type(b) and a == b)
