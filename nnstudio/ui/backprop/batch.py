"""The small batch the backprop view traces: the first training samples, scaled and encoded
the way the trainer does it (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnstudio.graph.compile import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.project import Project
from nnstudio.training.datasets import (
    DatasetError,
    load_dataset,
    saved_or_fitted_scaler,
    split_dataset,
    target_array,
)
from nnstudio.training.settings import TrainingError, TrainingSettings

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
        settings = TrainingSettings.from_dict(project.training)
        dataset = load_dataset(project.dataset, base_dir=base_dir, seed=int(project.seed))
        split = split_dataset(dataset, settings.val_fraction, settings.test_fraction,
                              seed=int(project.seed))
        train = split.train
        scaler = saved_or_fitted_scaler(settings.scaling, project.preprocessing, train.x)
        plan = compile_graph(project.graph, dataset.signature(), seed=int(project.seed))
    except (DatasetError, TrainingError, GraphError) as error:
        raise BatchError(str(error)) from None
    needs_labels = any(h.loss == "cross_entropy" for h in plan.heads)
    y_all = target_array(train, "labels" if needs_labels else "one_hot")
    raw = np.array(train.x[:size])
    return Batch(scaler.transform(raw), np.array(y_all[:size]), raw, plan, dataset.name,
                 settings.scaling)
