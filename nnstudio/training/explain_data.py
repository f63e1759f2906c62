"""The data the teaching views (loss landscape, convolution explainer) compute on: the
project's network compiled as the trainer compiles it, and its training split scaled and
encoded the way the trainer does it. No Qt here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.training.datasets import (
    DatasetError,
    load_dataset,
    saved_or_fitted_scaler,
    split_dataset,
    target_array,
)
from nnstudio.training.settings import TrainingError, TrainingSettings

SAMPLE_LIMIT = 2000
"""At most this many training samples (the first ones) enter a loss surface."""


class ExplainError(Exception):
    """One sentence saying why a teaching view cannot be computed (no dataset, bad graph)."""


@dataclass(frozen=True)
class TrainingData:
    """plan: the network with the project's current weights; x: ``(N, *input_shape)``
    scaled as in training; y: targets as the loss wants them (labels or columns);
    raw_x: the same samples unscaled; n_train: training samples before the cap."""

    plan: Plan
    x: np.ndarray
    y: np.ndarray
    raw_x: np.ndarray
    n_train: int
    dataset_name: str


def training_data(project: Project, base_dir: Path | None = None,
                  limit: int = SAMPLE_LIMIT) -> TrainingData:
    """The first ``limit`` training samples of the project's dataset and its compiled plan.

    The plan is compiled with the project's seed, so an untrained project gets exactly the
    initial weights its first training run starts from. Raises ExplainError.
    """
    if not project.dataset:
        raise ExplainError("The project has no dataset yet: choose one in the Training panel.")
    if limit < 1:
        raise ExplainError(f"At least one sample is needed, not {limit}.")
    try:
        settings = TrainingSettings.from_dict(project.training)
        seed = int(project.seed)
        dataset = load_dataset(project.dataset, base_dir=base_dir, seed=seed)
        train = split_dataset(dataset, settings.val_fraction, settings.test_fraction,
                              seed=seed).train
        scaler = saved_or_fitted_scaler(settings.scaling, project.preprocessing, train.x)
        plan = compile_graph(project.graph, dataset.signature(), seed=seed)
    except (DatasetError, TrainingError, GraphError) as error:
        raise ExplainError(str(error)) from None
    needs_labels = any(h.loss == "cross_entropy" for h in plan.heads)
    y_all = target_array(train, "labels" if needs_labels else "one_hot")
    raw = np.array(train.x[:limit])
    x = np.asarray(scaler.transform(raw), dtype=plan.dtype)
    y = np.array(y_all[:limit])
    try:
        plan.forward(x[:2], training=False)
        plan.loss(y[:2])
    except GraphError as error:
        raise ExplainError(f"The network does not fit the dataset: {error}") from None
    return TrainingData(plan, x, y, raw, int(train.n_samples), dataset.name)


def node_input_output(plan: Plan, doc: Document, node_id: str, sample: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """What node ``node_id`` receives and computes for one sample ``(*input_shape)``, in
    evaluation mode: ``(input, output)`` without the batch axis, e.g. ``(C, H, W)`` and
    ``(O, ho, wo)`` for a convolution."""
    sources = [e.source.node_id for e in doc.edges.values() if e.target.node_id == node_id]
    if len(sources) != 1:
        raise ExplainError("This node needs exactly one incoming connection to be explained.")
    plan.forward(np.asarray(sample, dtype=plan.dtype)[None], training=False)
    outputs = plan.node_outputs()
    if sources[0] not in outputs or node_id not in outputs:
        raise ExplainError("This node is not part of the compiled network.")
    return np.array(outputs[sources[0]][0]), np.array(outputs[node_id][0])


def snapshot(project: Project) -> Project:
    """A copy of what ``training_data`` reads (graph, dataset, settings, scaler, seed), safe
    to use in another thread while the user goes on editing the original."""
    return Project(graph=project.graph.copy(), name=project.name,
                   dataset=copy.deepcopy(project.dataset),
                   training=copy.deepcopy(project.training),
                   preprocessing=copy.deepcopy(project.preprocessing), seed=project.seed)
