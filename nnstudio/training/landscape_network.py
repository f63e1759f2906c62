"""A network's loss over a 2-D plane through its weights θ0.

The plane is θ(u, v) = origin + u·d1 + v·d2, with two choices of d1, d2:

- two chosen parameters: unit vectors, and the origin holds every other parameter at its
  current value, so u and v ARE the two parameters' values (for a network with exactly
  two parameters this is its true loss surface);
- two random, filter-normalised directions (Li, Xu, Taylor, Studer & Goldstein,
  "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018): Gaussian directions
  whose every filter (row of a weight matrix, output channel of a kernel) is rescaled to
  the norm of the same filter of θ0; biases and batch-norm parameters get no direction.
  The origin is θ0, so (0, 0) is the current network.

The loss is the plan's loss (penalties included) in evaluation mode (no dropout, batch
norm with its running statistics) on the training samples of ``TrainingData``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnstudio.graph.compiler import Plan
from nnstudio.graph.compiler.ir import ParamKey
from nnstudio.graph.compiler.value_grads import edge_slot
from nnstudio.graph.model.document import Document
from nnstudio.training.explain_data import TrainingData
from nnstudio.training.landscape import LandscapeError

LIST_ALL_UP_TO = 300
"""Networks with at most this many parameters list every one of them for the axes."""
LISTED_PER_TENSOR = 10
"""Larger networks list the first entries of each weight and bias array."""

Vectors = dict[ParamKey, np.ndarray]


@dataclass(frozen=True)
class ScalarParam:
    """One trainable number: ``plan.params[key].flat[index]``, and a name for people."""

    key: ParamKey
    index: int
    label: str


def free_masks(plan: Plan, doc: Document) -> dict[ParamKey, np.ndarray]:
    """Per parameter array, True where an entry is trainable. A layer's arrays are all
    trainable; a group of neurons has a weight only where the canvas has an edge."""
    masks = {key: np.ones(a.shape, dtype=bool) for key, a in plan.params.items()
             if key[0] in plan.layers}
    for edge_id in doc.edges:
        try:
            key, flat = edge_slot(plan, edge_id)
        except KeyError:
            continue  # a layer-level connection: no weight of its own
        if key not in masks:
            masks[key] = np.zeros(plan.params[key].shape, dtype=bool)
        masks[key].reshape(-1)[flat] = True
    for key, array in plan.params.items():
        masks.setdefault(key, np.zeros(array.shape, dtype=bool))
    return masks


def trainable_count(plan: Plan, doc: Document) -> int:
    """How many numbers training changes."""
    return int(sum(m.sum() for m in free_masks(plan, doc).values()))


def scalar_parameters(plan: Plan, doc: Document) -> list[ScalarParam]:
    """The parameters an axis can show: all of them for small networks, else the first
    ``LISTED_PER_TENSOR`` of each array. Neuron-level weights are named by their edge."""
    edge_names: dict[tuple[ParamKey, int], str] = {}
    for edge_id, edge in doc.edges.items():
        try:
            slot = edge_slot(plan, edge_id)
        except KeyError:
            continue
        source = doc.nodes[edge.source.node_id].title
        target = doc.nodes[edge.target.node_id].title
        edge_names[slot] = f"{source} → {target}"
    masks = free_masks(plan, doc)
    listed_all = sum(int(m.sum()) for m in masks.values()) <= LIST_ALL_UP_TO
    result: list[ScalarParam] = []
    for key, mask in masks.items():
        flat = np.flatnonzero(mask.reshape(-1))
        if not listed_all:
            flat = flat[:LISTED_PER_TENSOR]
        owner, name = key
        title = doc.nodes[owner].title if owner in doc.nodes else owner
        for index in flat.tolist():
            label = edge_names.get((key, index))
            if label is None:
                where = ",".join(str(int(i)) for i in np.unravel_index(index, mask.shape))
                label = f"{title} {name}[{where}]"
            result.append(ScalarParam(key, index, label))
    return result


@dataclass(frozen=True)
class Plane:
    """θ(u, v) = origin + u·d1 + v·d2 (float64 arrays shaped like the plan's params);
    ``current``: (u, v) of the network's weights; ``axis_labels``: what u and v are."""

    origin: Vectors
    d1: Vectors
    d2: Vectors
    current: tuple[float, float]
    axis_labels: tuple[str, str]
    kind: str


def _current(plan: Plan) -> Vectors:
    return {key: np.asarray(a, dtype=np.float64).copy() for key, a in plan.params.items()}


def parameter_plane(plan: Plan, first: ScalarParam, second: ScalarParam) -> Plane:
    """u = ``first``'s value, v = ``second``'s; every other parameter stays as it is."""
    if (first.key, first.index) == (second.key, second.index):
        raise LandscapeError("Choose two different parameters for the two axes.")
    origin = _current(plan)
    d1 = {key: np.zeros_like(a) for key, a in origin.items()}
    d2 = {key: np.zeros_like(a) for key, a in origin.items()}
    u = float(origin[first.key].reshape(-1)[first.index])
    v = float(origin[second.key].reshape(-1)[second.index])
    origin[first.key].reshape(-1)[first.index] = 0.0
    origin[second.key].reshape(-1)[second.index] = 0.0
    d1[first.key].reshape(-1)[first.index] = 1.0
    d2[second.key].reshape(-1)[second.index] = 1.0
    return Plane(origin, d1, d2, (u, v), (first.label, second.label), "parameters")


def filter_normalised_direction(params: Vectors, masks: dict[ParamKey, np.ndarray],
                                rng: np.random.Generator) -> Vectors:
    """A Gaussian direction whose every filter has the norm of θ0's filter (Li et al.
    2018): for a weight of shape ``(out, ...)`` each ``d[i]`` is scaled to ``‖θ0[i]‖``;
    1-D arrays (biases, batch-norm γ and β) get zeros; untrainable entries stay zero."""
    direction: Vectors = {}
    for key, theta in params.items():
        mask = masks[key]
        d = rng.standard_normal(theta.shape) * mask
        if theta.ndim < 2:
            direction[key] = np.zeros_like(theta)
            continue
        rows_d = d.reshape(theta.shape[0], -1)
        rows_t = theta.reshape(theta.shape[0], -1) * mask.reshape(theta.shape[0], -1)
        norm_d = np.linalg.norm(rows_d, axis=1, keepdims=True)
        norm_t = np.linalg.norm(rows_t, axis=1, keepdims=True)
        scale = np.divide(norm_t, norm_d, out=np.zeros_like(norm_d), where=norm_d > 0)
        direction[key] = (rows_d * scale).reshape(theta.shape)
    return direction


def random_plane(plan: Plan, doc: Document, seed: int) -> Plane:
    """Two filter-normalised random directions through the current weights."""
    origin = _current(plan)
    masks = free_masks(plan, doc)
    rng = np.random.default_rng(seed)
    d1 = filter_normalised_direction(origin, masks, rng)
    d2 = filter_normalised_direction(origin, masks, rng)
    if not any(np.any(d) for d in d1.values()):
        raise LandscapeError("This network has no non-zero weights to move along; "
                             "choose two parameters instead.")
    return Plane(origin, d1, d2, (0.0, 0.0),
                 ("direction 1 (× filter norm)", "direction 2 (× filter norm)"), "random")


class NetworkSlice:
    """The loss of ``data.plan`` on ``data.x, data.y`` over ``plane`` (a Problem).

    Owns the plan: it writes θ(u, v) into the plan's parameter arrays.
    """

    def __init__(self, data: TrainingData, plane: Plane, title: str) -> None:
        self.plan = data.plan
        self.x, self.y = data.x, data.y
        self.plane = plane
        self.title = title
        self.axis_labels = plane.axis_labels
        self.n_samples = len(data.x)
        dtype = self.plan.dtype
        # only the arrays a direction touches change from point to point
        moving = [k for k in plane.origin if np.any(plane.d1[k]) or np.any(plane.d2[k])]
        self._moving = [(self.plan.params[k], plane.origin[k], plane.d1[k], plane.d2[k])
                        for k in moving]
        for key, array in self.plan.params.items():
            array[...] = plane.origin[key].astype(dtype)
        self._d1 = {k: plane.d1[k].astype(dtype) for k in moving}
        self._d2 = {k: plane.d2[k].astype(dtype) for k in moving}

    def _set(self, u: float, v: float) -> None:
        for array, origin, d1, d2 in self._moving:
            array[...] = origin + u * d1 + v * d2

    def loss_at(self, points: np.ndarray) -> np.ndarray:
        """points: ``(K, 2)`` -> losses ``(K,)`` on all samples, evaluation mode."""
        out = np.empty(len(points))
        for i, (u, v) in enumerate(np.asarray(points, dtype=np.float64)):
            self._set(float(u), float(v))
            self.plan.forward(self.x, training=False)
            out[i] = self.plan.loss(self.y)
        return out

    def gradient(self, point: np.ndarray, rows: np.ndarray | None,
                 rng: np.random.Generator) -> np.ndarray:
        """∂L/∂(u, v) = (⟨∇θL, d1⟩, ⟨∇θL, d2⟩) on the samples ``rows`` (None: all)."""
        self._set(float(point[0]), float(point[1]))
        x, y = (self.x, self.y) if rows is None else (self.x[rows], self.y[rows])
        plan = self.plan
        plan.forward(x, training=False)
        plan.loss(y)
        plan.zero_grad()
        plan.backward()
        gu = sum(float(np.vdot(plan.grads[k], d)) for k, d in self._d1.items())
        gv = sum(float(np.vdot(plan.grads[k], d)) for k, d in self._d2.items())
        return np.array([gu, gv])
