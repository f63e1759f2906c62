"""Snapshots: copies of weights, gradients, filters, feature maps and grid predictions."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnstudio.graph.compiler import Plan
from nnstudio.training.records import GridPrediction, Snapshot

GRID_SIZE = 100
"""Points per side of the decision-boundary grid (and of the neuron maps)."""
MIN_GRID_SIZE = 25
GRID_WORK = 2e9
"""Multiply-adds one map may take (weights × members × grid points, about 0.1 s here): a
larger network or ensemble gets a coarser grid, never coarser than MIN_GRID_SIZE a side."""
CURVE_POINTS = 200
MARGIN = 0.1  # fraction of the data range added on each side of a grid or curve

_CONV_OPS = ("conv2d",)
_MAP_OPS = ("conv2d", "maxpool2d", "avgpool2d")
_HIDDEN_TYPES = ("neuron.neuron", "activation")


@dataclass(frozen=True)
class Probe:
    """Fixed inputs a snapshot evaluates, prepared once per run.

    sample: (1, *input_shape) scaled, for feature maps. grid_xs/grid_ys: (W,), (H,) in
    original units and grid_inputs: (H·W, 2) scaled, for 2-D data. curve_x: (M,) original
    units and curve_inputs: (M, 1) scaled, for 1-feature data (any task). hidden: node ids whose
    scalar outputs become neuron maps.
    """

    sample: np.ndarray
    grid_xs: np.ndarray | None
    grid_ys: np.ndarray | None
    grid_inputs: np.ndarray | None
    curve_x: np.ndarray | None
    curve_inputs: np.ndarray | None
    hidden: tuple[str, ...]


def _axis(values: np.ndarray, points: int) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    pad = MARGIN * (high - low) if high > low else 1.0
    return np.linspace(low - pad, high + pad, points)


def grid_side(work_per_point: float) -> int:
    """Points per side of the map for a network of ``work_per_point`` multiply-adds per
    input (its weights times the ensemble's members)."""
    if work_per_point <= 0:
        return GRID_SIZE
    return max(MIN_GRID_SIZE, min(GRID_SIZE, int(math.sqrt(GRID_WORK / work_per_point))))


def make_probe(raw_x: np.ndarray, task: str, sample: np.ndarray,
               scale: Callable[[np.ndarray], np.ndarray], hidden: Sequence[str],
               side: int = GRID_SIZE) -> Probe:
    """raw_x: (N, F) or images, the UNSCALED inputs; scale maps raw -> network inputs;
    side: points per side of the map of 2-feature data."""
    grid_xs = grid_ys = grid_inputs = curve_x = curve_inputs = None
    if raw_x.ndim == 2 and raw_x.shape[1] == 2:
        grid_xs, grid_ys = _axis(raw_x[:, 0], side), _axis(raw_x[:, 1], side)
        gx, gy = np.meshgrid(grid_xs, grid_ys)  # (H, W) each; row i = ys[i]
        grid_inputs = scale(np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32))
    elif raw_x.ndim == 2 and raw_x.shape[1] == 1:
        curve_x = _axis(raw_x[:, 0], CURVE_POINTS)
        curve_inputs = scale(curve_x.reshape(-1, 1).astype(np.float32))
    return Probe(sample, grid_xs, grid_ys, grid_inputs, curve_x, curve_inputs, tuple(hidden))


def grid_values(task: str, pred: np.ndarray) -> np.ndarray:
    """(M, P) predictions -> (M,): class-1 probability, predicted class, or value."""
    if task == "regression" or pred.shape[1] == 1:
        return pred[:, 0]
    if pred.shape[1] == 2:
        return pred[:, 1]
    return pred.argmax(axis=1).astype(np.float64)


@np.errstate(over="ignore", invalid="ignore", divide="ignore")  # huge weights from a file
def take_snapshot(plan: Plan, epoch: int, step: int, probe: Probe, task: str,
                  ensemble: Sequence[Plan] = ()) -> Snapshot:
    """Copies of everything the live views show; ``ensemble`` averages grid predictions
    (huge stored weights may make them inf or NaN: the views draw what is finite)."""
    weights = {k: np.array(v, copy=True) for k, v in plan.node_weights().items()}
    grads = {k: np.array(v, copy=True) for k, v in plan.node_grads().items()}
    filters = {s.node_id: plan.params[(s.node_id, "weight")].copy() for s in plan.steps
               if s.op in _CONV_OPS and s.node_id is not None}
    feature_maps: dict[str, np.ndarray] = {}
    map_nodes = [s.node_id for s in plan.steps if s.op in _MAP_OPS and s.node_id is not None]
    if map_nodes:
        plan.forward(probe.sample, training=False)
        outputs = plan.node_outputs()
        feature_maps = {n: np.array(outputs[n][0], copy=True) for n in map_nodes}
    grid, neuron_maps, curve = None, {}, None
    if probe.grid_inputs is not None and probe.grid_xs is not None and probe.grid_ys is not None:
        shape = (len(probe.grid_ys), len(probe.grid_xs))
        plan.forward(probe.grid_inputs, training=False)
        outputs = plan.node_outputs()
        neuron_maps = {n: np.array(outputs[n], dtype=np.float32).reshape(shape)
                       for n in probe.hidden if n in outputs and outputs[n].ndim == 1}
        members = [plan, *ensemble[1:]] if ensemble else [plan]
        pred = np.mean([m.predict(probe.grid_inputs) for m in members], axis=0)
        grid = GridPrediction(probe.grid_xs.copy(), probe.grid_ys.copy(),
                              grid_values(task, pred).reshape(shape).astype(np.float32))
    if probe.curve_inputs is not None and probe.curve_x is not None:
        members = [plan, *ensemble[1:]] if ensemble else [plan]
        pred = np.mean([m.predict(probe.curve_inputs) for m in members], axis=0)
        curve = (probe.curve_x.copy(), grid_values(task, pred).astype(np.float32))
    return Snapshot(epoch=epoch, step=step, weights=weights, grads=grads,
                    edge_weights=dict(plan.edge_weights()), edge_grads=dict(plan.edge_grads()),
                    filters=filters, feature_maps=feature_maps, grid=grid,
                    neuron_maps=neuron_maps, curve=curve)


def hidden_nodes(node_types: dict[str, str]) -> list[str]:
    """Ids of the nodes (id -> type id) whose scalar outputs are worth a neuron map."""
    return [n for n, t in node_types.items() if t in _HIDDEN_TYPES]
