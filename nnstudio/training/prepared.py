"""One prepared run: what a project's training needs from its data, made in one place.

    prepared = prepare_run(project, base_dir)      # raises TrainingError with one sentence
    prepared.split.train.x, prepared.targets["train"], prepared.plans[0] ...

Used by the trainer, the backprop batch, the evaluation panels, ``check``, ``export`` and
the window, so a dataset is loaded, split, scaled and encoded the same way everywhere.
``data_signature`` answers the cheaper question "what shape are the data?" for validation.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nnstudio.graph.checks.memory import memory_problems
from nnstudio.graph.checks.problems import dims
from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.naming import label_start
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.shapes import infer_shapes
from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.datasets import (
    Dataset,
    DatasetError,
    Scaler,
    SplitIndices,
    load_dataset,
    saved_or_fitted_scaler,
    split_indices,
    target_array,
)
from nnstudio.training.datasets.rows import ScaledPart, ScaledSplit
from nnstudio.training.settings import TrainingError, TrainingSettings

Encoding = Literal["labels", "one_hot"]

PATH_KEYS = ("path", "images", "labels")
"""Keys of a dataset spec that hold file paths (relative to the project's folder)."""


@dataclass(frozen=True, eq=False)
class PreparedRun:
    """A project's data ready for its network.

    split: train / val / test parts by row number: ``x`` scaled by ``scaler`` as it is read
    (batch by batch; the dataset is held once), ``y`` as the dataset has them; rows: each
    part's rows in ``dataset``; targets: the same parts' targets as the loss wants them
    (``encoding``: class labels for cross-entropy heads, else one column per output);
    plans: one compiled plan per bagging member (member k seeded with seed + k).
    """

    settings: TrainingSettings
    seed: int
    dataset: Dataset
    split: ScaledSplit
    rows: SplitIndices
    scaler: Scaler
    signature: DataSignature
    plans: tuple[Plan, ...]
    encoding: Encoding
    targets: dict[str, np.ndarray]

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def plan(self) -> Plan:
        """The run's plan (member 0 when bagging)."""
        return self.plans[0]

    notes: tuple[str, ...] = ()
    """Sentences the run should tell before it starts (stored values that did not fit)."""

    def raw_train_x(self, count: int) -> np.ndarray:
        """The first ``count`` training samples before scaling (a copy)."""
        return np.array(self.dataset.x[self.rows.train[:count]])


def project_seed(project: Project) -> int:
    """The project's seed, checked (a negative seed cannot seed NumPy)."""
    seed = int(project.seed)
    if seed < 0:
        raise TrainingError(f"The seed must be zero or a positive whole number, not {seed}.")
    return seed


def load_project_dataset(project: Project, base_dir: Path | None = None) -> Dataset:
    """The project's dataset; TrainingError with one sentence when there is none or it
    cannot be loaded."""
    if not project.dataset:
        raise TrainingError("The project has no dataset: choose one before training.")
    try:
        return load_dataset(project.dataset, base_dir=base_dir, seed=project_seed(project))
    except DatasetError as error:
        raise TrainingError(str(error)) from None


def data_signature(project: Project, base_dir: Path | None = None
                   ) -> tuple[DataSignature | None, str]:
    """The shape of the project's data for validation, or None and a sentence saying why
    not (no dataset chosen, or it cannot be loaded)."""
    if not project.dataset:
        return None, "the project has no dataset chosen"
    try:
        return load_project_dataset(project, base_dir).signature(), ""
    except TrainingError as error:
        return None, str(error).rstrip(".")


def prepare_run(project: Project, base_dir: Path | None = None, *,
                dataset: Dataset | None = None, members: int | None = None) -> PreparedRun:
    """Load, split, scale and encode the project's data and compile its network.

    dataset: already loaded (skips loading); members: how many plans to compile (default:
    the settings' bagging members). Raises TrainingError with one sentence.
    """
    settings = TrainingSettings.from_dict(project.training)
    seed = project_seed(project)
    if dataset is None:
        dataset = load_project_dataset(project, base_dir)
    signature = dataset.signature()
    count = settings.bagging_members if members is None else members
    memory = memory_problems(project.graph, infer_shapes(project.graph),
                             {**settings.to_dict(), "bagging_members": max(count, 1)}, signature)
    if memory and memory[0].severity == "error":  # refused before anything is built
        raise TrainingError(memory[0].message)
    try:
        rows = split_indices(dataset, settings.val_fraction, settings.test_fraction, seed=seed)
        scaler = saved_or_fitted_scaler(settings.scaling, project.preprocessing,
                                        dataset.x, rows.train)
    except DatasetError as error:
        raise TrainingError(str(error)) from None

    def part(indices: np.ndarray, label: str) -> ScaledPart:
        return ScaledPart.of(dataset, indices, scaler, f"{dataset.name} ({label})")

    split = ScaledSplit(train=part(rows.train, "train"), val=part(rows.val, "validation"),
                        test=None if rows.test is None else part(rows.test, "test"))
    try:
        plans = tuple(compile_graph(project.graph, signature, seed=seed + k)
                      for k in range(max(count, 1)))
    except GraphError as error:
        raise TrainingError(str(error)) from None
    encoding: Encoding = ("labels" if any(h.loss == "cross_entropy" for h in plans[0].heads)
                          else "one_hot")
    parts = (("train", rows.train), ("val", rows.val), ("test", rows.test))
    try:
        encoded = target_array(dataset, encoding)  # one-hot rows: small next to the inputs
    except DatasetError as error:  # e.g. a one-hot table larger than the free memory
        raise TrainingError(str(error)) from None
    targets = {name: encoded[part] for name, part in parts if part is not None}
    return PreparedRun(settings, seed, dataset, split, rows, scaler, signature, plans,
                       encoding, targets, discarded_notes(project, plans[0]))


def discarded_notes(project: Project, plan: Plan) -> tuple[str, ...]:
    """One sentence per stored value the plan could not use (its shape no longer fits)."""
    notes = []
    for item in plan.discarded:
        node = project.graph.nodes.get(item.node_id)
        name = label_start(node) if node is not None else f"Node '{item.node_id}'"
        notes.append(f"{name} has a stored {item.name} of shape {dims(item.stored)} but "
                     f"needs {dims(item.needed)}; it starts from new random values.")
    return tuple(notes)


def absolute_data_paths(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``spec`` with its relative data paths made absolute against ``folder`` (a new dict;
    other keys kept). Paths are normalised, never resolved through symlinks."""
    moved = dict(spec)
    for key in PATH_KEYS:
        value = moved.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            moved[key] = os.path.normpath(os.path.join(os.path.abspath(folder), value))
    return moved


def relative_data_paths(spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``spec`` with its absolute data paths made relative to ``folder``, where the project
    is saved (kept absolute on another drive)."""
    moved = dict(spec)
    for key in PATH_KEYS:
        value = moved.get(key)
        if isinstance(value, str) and value and os.path.isabs(value):
            with contextlib.suppress(ValueError):  # another drive (Windows): stays absolute
                moved[key] = os.path.relpath(value, os.path.abspath(folder))
    return moved


def move_data_paths(spec: dict[str, Any], old_dir: Path, new_dir: Path) -> dict[str, Any]:
    """``spec`` with its relative data paths rewritten so they still point at the same
    files when the project moves from ``old_dir`` to ``new_dir`` (a new dict; absolute
    paths and other keys are kept). Used by Save As and ``nnstudio train --save``."""
    only_relative = {k: v for k, v in spec.items()
                     if not (k in PATH_KEYS and isinstance(v, str) and os.path.isabs(v))}
    moved = relative_data_paths(absolute_data_paths(only_relative, old_dir), new_dir)
    return {**spec, **{k: moved[k] for k in only_relative}}
