"""The executable plan: forward, loss, backward and parameter access by node id."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from nnstudio.engine.activations import sigmoid
from nnstudio.engine.base import Array, Layer
from nnstudio.engine.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)
from nnstudio.graph.compiler import values as learned
from nnstudio.graph.compiler.build import Discarded, Program
from nnstudio.graph.compiler.ir import OutputHead, ParamKey, Step
from nnstudio.graph.compiler.ops import NeuronGroupOp, Op
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.edits import Edit

LOSSES: dict[str, Callable[[Array, Array], tuple[float, Array]]] = {
    "mse": mse_loss,
    "binary_cross_entropy": binary_cross_entropy,
    "bce_with_logits": binary_cross_entropy_with_logits,
    "multilabel": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
}

EVAL_FLOATS = 1 << 20  # values of one evaluation batch, about 4 MB in float32


class Samples(Protocol):
    """Samples ``(N, ...)`` read a slice at a time: an array, or a dataset part that is
    scaled as it is read."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: slice, /) -> Any: ...


class Plan:
    """A compiled network (see ``nnstudio.graph.compiler`` for the step IR).

    ``params``/``grads`` (keys ``(owner_id, name)``) are the arrays the ops compute with, so
    an optimizer updating ``params`` in place trains the plan. Penalties apply to weights
    only, never to biases (Bias edges, ``bias`` arrays) nor to batch-norm parameters.
    """

    def __init__(self, program: Program, rebuild: Callable[[Any], Plan]) -> None:
        self._p = program
        self._rebuild = rebuild
        self.input_shape: tuple[int, ...] = program.input_shape
        self.dtype: np.dtype[Any] = program.dtype
        self.heads: tuple[OutputHead, ...] = tuple(program.heads)
        self.params: dict[ParamKey, Array] = program.params
        self.grads: dict[ParamKey, Array] = program.grads
        self.buffers: dict[ParamKey, Array] = program.buffers
        self.layers: dict[str, Layer] = dict(program.layers)
        self.steps: tuple[Step, ...] = tuple(program.steps)
        self.discarded: tuple[Discarded, ...] = tuple(program.discarded)
        """Stored values of the document that did not fit (drawn afresh instead)."""
        ops = learned.ops_of(program)
        self._run: list[tuple[tuple[str, ...], str, Op, bool]] = [
            (s.inputs, s.output, op, program.requires_grad[s.output])
            for s, op in zip(self.steps, ops, strict=True)]
        self._masked = [(op.params["weight"], op.mask) for op in ops
                        if isinstance(op, NeuronGroupOp) and op.mask is not None]
        self._masked += [(op.params["bias"], op.bias_mask) for op in ops
                         if isinstance(op, NeuronGroupOp) and "bias" in op.params
                         and op.bias_mask is not None]
        self._values: dict[str, Array] = {}
        self._dheads: list[Array] = []

    # --- computing -----------------------------------------------------------------------

    def forward(self, x: Array, training: bool) -> Array:
        """``x: (N, *input_shape)`` → predictions ``(N, P)``, the heads side by side."""
        x = np.asarray(x, dtype=self.dtype)
        if x.shape[1:] != self.input_shape:
            raise GraphError(f"The network expects samples of shape {self.input_shape}, "
                             f"but the data has shape {x.shape[1:]}.")
        values = {"x": x}
        for inputs, output, op, _ in self._run:
            values[output] = op.forward([values[v] for v in inputs], training)
        self._values = values
        preds = [values[v] for v in self._p.head_values]
        return preds[0] if len(preds) == 1 else np.concatenate(preds, axis=1)

    def loss(self, y: Array) -> float:
        """After forward: Σ head mean losses + weight penalties. Stores dL/dpred."""
        y = np.asarray(y)
        total = 0.0
        self._dheads = []
        for head, value in zip(self.heads, self._p.head_values, strict=True):
            pred = self._values[value]
            try:
                loss, grad = LOSSES[head.loss](pred, self._target(head, y, pred))
            except ValueError as error:
                raise GraphError(f"Output '{self._p.titles[head.node_id]}': {error}") from None
            total += loss
            self._dheads.append(grad)
        for key, penalty, rows in self._p.penalties:
            total += penalty.loss(self.params[key][rows])
        return total

    def _target(self, head: OutputHead, y: Array, pred: Array) -> Array:
        n = pred.shape[0]
        if y.shape[:1] != (n,):
            raise GraphError(f"There are {y.shape[0] if y.ndim else 0} targets for {n} "
                             "samples.")
        if head.loss == "cross_entropy":
            labels = y.reshape(n)
            return labels if labels.dtype.kind in "iu" else labels.astype(np.int64)
        if head.target_column is not None:
            if y.ndim == 1 and head.target_column == 0:
                column = y
            elif y.ndim == 2 and head.target_column < y.shape[1]:
                column = y[:, head.target_column]
            else:
                raise GraphError(f"Output '{self._p.titles[head.node_id]}' predicts target column "
                                 f"{head.target_column}, which the data does not have.")
            return column.reshape(n, 1).astype(self.dtype, copy=False)
        if y.size != pred.size:
            raise GraphError(f"Output '{self._p.titles[head.node_id]}' gives {pred.shape[1]} "
                             "values per sample "
                             f"but the targets have {y.size // n}.")
        return y.reshape(pred.shape).astype(self.dtype, copy=False)

    def backward(self, keep_value_grads: bool = False) -> dict[str, Array]:
        """Accumulate dL/dparams into ``grads`` (penalty gradients included).

        Training drops each value's gradient once it has been passed on; with
        ``keep_value_grads`` (teaching views) every dL/d(value) is kept and returned.
        """
        grads: dict[str, Array] = {}
        for value, grad in zip(self._p.head_values, self._dheads, strict=True):
            grads[value] = grad
        for inputs, output, op, needed in reversed(self._run):
            dy = grads.get(output) if keep_value_grads else grads.pop(output, None)
            if dy is None or not needed:
                continue
            for name, dx in zip(inputs, op.backward(dy), strict=True):
                if dx is not None:
                    previous = grads.get(name)
                    grads[name] = dx if previous is None else previous + dx
        for key, penalty, rows in self._p.penalties:
            self.grads[key][rows] += penalty.grad(self.params[key][rows])
        return grads

    def zero_grad(self) -> None:
        for g in self.grads.values():
            g.fill(0)

    def predict(self, x: Samples, batch_size: int | None = None) -> Array:
        """Eval-mode predictions ``(N, P)`` for ``x: (N, *input_shape)``: softmax for
        cross-entropy heads, sigmoid for logit heads.

        ``batch_size`` defaults to what keeps one batch's values near 4 MB (float32): 1024
        samples for small MLPs, a few dozen for CNNs on 28×28 images, whose im2col buffers
        of 1024 images no longer fit any cache (12,000 images: 0.33 s instead of 0.51 s).
        """
        if batch_size is None:
            batch_size = int(np.clip(EVAL_FLOATS // max(self._p.floats_per_sample, 1),
                                     32, 1024))
        # x is read batch by batch (anything with len and slicing: an array, or a dataset
        # part scaled as it is read, which then never exists whole)
        parts = [self.forward(x[i:i + batch_size], training=False)
                 for i in range(0, len(x), batch_size)] or [self.forward(x[0:0], training=False)]
        pred = np.concatenate(parts, axis=0)  # a new array: the heads' outputs stay intact
        for head in self.heads:
            block = pred[:, head.columns]
            if head.loss == "cross_entropy":
                e = np.exp(block - block.max(axis=1, keepdims=True))
                pred[:, head.columns] = e / e.sum(axis=1, keepdims=True)
            elif head.loss in ("bce_with_logits", "multilabel"):
                pred[:, head.columns] = sigmoid(block)
        return pred

    # --- looking inside ------------------------------------------------------------------

    def node_outputs(self) -> dict[str, Array]:
        """Last forward's output of every node (scalar nodes: ``(N,)``); {} before any."""
        if not self._values:
            return {}
        n = self._values["x"].shape[0]
        result: dict[str, Array] = {}
        for node_id, (value, column) in self._p.node_values.items():
            if value == "":
                result[node_id] = np.ones(n, dtype=self.dtype)
            elif column is None:
                result[node_id] = self._values[value]
            else:
                result[node_id] = self._values[value][:, column]
        return result

    def node_weights(self) -> dict[str, Array]:
        """node id -> weights: a layer's ``weight``; a Neuron's incoming edge weights."""
        return self._node_arrays(self.params, learned.edge_weights(self._p))

    def node_grads(self) -> dict[str, Array]:
        return self._node_arrays(self.grads, learned.edge_weights(self._p, grads=True))

    def _node_arrays(self, store: dict[ParamKey, Array],
                     edges: dict[str, float]) -> dict[str, Array]:
        result = {node_id: store[(node_id, "weight")] for node_id in self.layers
                  if (node_id, "weight") in store}
        for node_id, edge_ids in self._p.neuron_edges.items():
            result[node_id] = np.array([edges[e] for e in edge_ids], dtype=self.dtype)
        return result

    def edge_weights(self) -> dict[str, float]:
        """Neuron-level edge id -> weight (Bias edges included)."""
        return learned.edge_weights(self._p)

    def edge_grads(self) -> dict[str, float]:
        return learned.edge_weights(self._p, grads=True)

    def write_back(self) -> Edit:
        """A Compound of SetValues / SetEdgeWeight storing every learned value."""
        return learned.write_back(self._p)

    # --- state ---------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Array]:
        """``"owner_id/name"`` -> a copy of every param and buffer."""
        return {f"{o}/{n}": a.copy() for (o, n), a in {**self.params, **self.buffers}.items()}

    def load_state_dict(self, state: Mapping[str, Array]) -> None:
        """Copy arrays from ``state`` (same keys and shapes as ``state_dict``) into the plan."""
        own = {f"{o}/{n}": a for (o, n), a in {**self.params, **self.buffers}.items()}
        missing = sorted(set(own) - set(state))
        extra = sorted(set(state) - set(own))
        if missing or extra:
            raise GraphError("The saved values do not fit this network (missing: "
                             f"{', '.join(missing) or 'none'}; "
                             f"unknown: {', '.join(extra) or 'none'}).")
        for key, array in own.items():
            value = np.asarray(state[key])
            if value.shape != array.shape:
                raise GraphError(f"The saved values of {key} have shape {value.shape}, "
                                 f"but this network needs {array.shape}.")
            array[...] = value
        for array, mask in self._masked:  # absent connections and biases stay zero
            array *= mask

    def copy(self) -> Plan:
        """An independent deep copy (its own arrays, layers and generators)."""
        return copy.deepcopy(self)

    def astype(self, dtype: Any) -> Plan:
        """The same network with the same values, computing in ``dtype``."""
        twin = self._rebuild(dtype)
        twin.load_state_dict(self.state_dict())
        return twin

    def generators(self) -> list[np.random.Generator]:
        """The random generators of the plan (dropout), e.g. to rewind for a gradient check."""
        return [layer.rng for layer in self._p.dropouts]
