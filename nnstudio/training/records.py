"""Small immutable progress records that a training run yields (arrays are copies)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnstudio.graph.model.edits import Edit

FINISH_REASONS = ("completed", "stopped", "early_stopped", "diverged", "error")


@dataclass(frozen=True)
class StepRecord:
    """One optimisation step (throttled: at most ~20 per second)."""

    epoch: int
    step: int
    batch_loss: float
    lr: float
    samples_per_s: float
    member: int | None = None


@dataclass(frozen=True)
class EpochRecord:
    """End of one epoch. ``val_loss``/``test_loss`` are evaluation-mode data losses (no
    penalties); ``train_loss`` is the mean training-mode objective over the epoch's batches
    (penalties included). Norms are Euclidean, per node with weights. ``member`` is the
    bagging member (None for the run itself or the ensemble)."""

    epoch: int
    step: int
    train_loss: float
    val_loss: float | None
    test_loss: float | None
    metrics: Mapping[str, float]
    lr: float
    grad_norms: Mapping[str, float]
    weight_norms: Mapping[str, float]
    best_epoch: int | None
    epochs_since_best: int
    elapsed_s: float
    member: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Flat JSON-able dict: epoch, step, train_loss, val_loss, test_loss, the metrics
        (val_accuracy, val_mae, ...), lr, ``grad_norm/<node>``, ``weight_norm/<node>``,
        best_epoch, epochs_since_best, member. Non-finite numbers become None. The wall
        time ``elapsed_s`` is left out so that the same seed gives the same history."""
        out: dict[str, Any] = {
            "epoch": self.epoch,
            "step": self.step,
            "train_loss": _num(self.train_loss),
            "val_loss": _num(self.val_loss),
            "test_loss": _num(self.test_loss),
        }
        out.update({k: _num(v) for k, v in self.metrics.items()})
        out["lr"] = _num(self.lr)
        out.update({f"grad_norm/{k}": _num(v) for k, v in self.grad_norms.items()})
        out.update({f"weight_norm/{k}": _num(v) for k, v in self.weight_norms.items()})
        out["best_epoch"] = self.best_epoch
        out["epochs_since_best"] = self.epochs_since_best
        out["member"] = self.member
        return out


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class GridPrediction:
    """Predictions over a grid of 2-D inputs in the data's ORIGINAL (unscaled) units.

    xs: (W,) first feature, ys: (H,) second feature, values: (H, W) — the class-1
    probability (binary / two classes), the predicted class (more classes) or the
    predicted value (regression); ``values[i, j]`` belongs to ``(xs[j], ys[i])``.
    """

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Snapshot:
    """Copies of the arrays that live views need (only when snapshots were asked for).

    weights/grads: node id -> array (``Plan.node_weights``/``node_grads``);
    edge_weights/edge_grads: neuron-level edge id -> float; filters: conv node id ->
    (out, in, kh, kw); feature_maps: conv/pool node id -> (C, H, W) for the chosen sample;
    grid: 2-D data only; neuron_maps: hidden scalar node id -> (H, W) over the same grid;
    curve: 1-feature data only, (x grid (M,), g(x) (M,)) in original units, g as in
    ``GridPrediction.values`` (prediction, class-1 probability or predicted class).
    """

    epoch: int
    step: int
    weights: Mapping[str, np.ndarray]
    grads: Mapping[str, np.ndarray]
    edge_weights: Mapping[str, float]
    edge_grads: Mapping[str, float]
    filters: Mapping[str, np.ndarray]
    feature_maps: Mapping[str, np.ndarray]
    grid: GridPrediction | None
    neuron_maps: Mapping[str, np.ndarray]
    curve: tuple[np.ndarray, np.ndarray] | None


@dataclass(frozen=True)
class Finished:
    """The last record of every run. reason: completed | stopped | early_stopped |
    diverged | error; ``message`` is one sentence for the user."""

    reason: str
    message: str
    epochs_run: int
    best_epoch: int | None


Progress = StepRecord | EpochRecord | Snapshot | Finished


@dataclass(frozen=True)
class TrainingResults:
    """What a run learned, ready to store in a project.

    weights_edit: the Plan's write-back Edit (member 0 when bagging); history: every epoch
    record so far (JSON); optimizer_state: ``{"meta", "arrays"}``; preprocessing: the fitted
    scaler (``{"scaler": Scaler.to_dict()}``); ensemble: one state dict per bagging member
    (empty without bagging); fingerprint: the network's parameter shapes, hashed.
    """

    weights_edit: Edit
    history: list[dict[str, Any]]
    optimizer_state: dict[str, Any]
    preprocessing: dict[str, Any]
    ensemble: list[dict[str, np.ndarray]]
    fingerprint: str = ""
