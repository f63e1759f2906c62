"""The small batch the backprop view traces: the first training samples, scaled and encoded
the way the trainer does it (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnstudio.graph.compiler import Plan
from nnstudio.graph.model.project import Project
from nnstudio.training.prepared import prepare_run
from nnstudio.training.settings import TrainingError

BATCH_SIZE = 4


class BatchError(Exception):
    """One sentence saying why no batch could be made (no dataset, a bad graph, ...)."""


@dataclass(frozen=True)
class Batch:
    """x: ``(N, *input_shape)`` scaled as in training; y: targets as the loss wants them;
    raw_x: the same samples before scaling; plan: the project's network compiled for them."""

    x: np.ndarray
    y: np.ndarray
    raw_x: np.ndarray
    plan: Plan
    dataset_name: str
    scaling: str


def load_batch(project: Project, base_dir: Path | None = None, size: int = BATCH_SIZE) -> Batch:
    """The first ``size`` training samples of the project's dataset and its compiled plan."""
    if not project.dataset:
        raise BatchError("The project has no dataset yet: choose one in the Training panel.")
    try:
        prepared = prepare_run(project, base_dir, members=1)
    except TrainingError as error:
        raise BatchError(str(error)) from None
    x = prepared.split.train.x[:size]
    y = prepared.targets["train"][:size]
    return Batch(np.array(x), np.array(y), prepared.raw_train_x(size), prepared.plan,
                 prepared.dataset.name, prepared.settings.scaling)
