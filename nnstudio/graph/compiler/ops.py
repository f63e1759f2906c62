"""Run-time operations of a plan: each reads a list of arrays and writes one array.

Every op has ``forward(inputs, training) -> y`` and ``backward(dy) -> [dx or None per input]``;
``need_grad[i]`` (set by the compiler) says whether input ``i`` needs its gradient at all.
Parameterised ops keep ``params``/``grads`` dicts like engine layers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.engine.base import Array, Layer


class Op:
    """Base class; ``need_grad`` has one flag per input."""

    def __init__(self, n_inputs: int) -> None:
        self.need_grad: list[bool] = [True] * n_inputs
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}

    def forward(self, inputs: list[Array], training: bool) -> Array:
        raise NotImplementedError

    def backward(self, dy: Array) -> list[Array | None]:
        raise NotImplementedError


class LayerOp(Op):
    """An engine layer with one input (Dense, Conv2D, pools, activations, ...)."""

    def __init__(self, layer: Layer) -> None:
        super().__init__(1)
        self.layer = layer
        self.params = layer.params
        self.grads = layer.grads

    def forward(self, inputs: list[Array], training: bool) -> Array:
        return self.layer.forward(inputs[0], training)

    def backward(self, dy: Array) -> list[Array | None]:
        dx = self.layer.backward(dy)
        return [dx if self.need_grad[0] else None]


class ReshapeOp(Op):
    """``x: (N, ...)`` → ``(N, prod(...))``: the vector behind a Split or an output head."""

    def __init__(self) -> None:
        super().__init__(1)
        self._shape: tuple[int, ...] = ()

    def forward(self, inputs: list[Array], training: bool) -> Array:
        x = inputs[0]
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: Array) -> list[Array | None]:
        return [dy.reshape(self._shape)]


class OnesOp(Op):
    """The Bias node's constant +1 as a column ``(N, 1)``; reads x only for the batch size."""

    def __init__(self) -> None:
        super().__init__(1)
        self.need_grad = [False]

    def forward(self, inputs: list[Array], training: bool) -> Array:
        x = inputs[0]
        return np.ones((x.shape[0], 1), dtype=x.dtype)

    def backward(self, dy: Array) -> list[Array | None]:
        return [None]


class StackOp(Op):
    """Gathers scalar columns of several 2-D values into one ``(N, k)`` tensor.

    ``columns[i]`` are the columns taken from input ``i`` and ``positions[i]`` where they go
    in the result; ``widths[i]`` is the width of input ``i``. Loops run over the (few) source
    values, never over single scalars.
    """

    def __init__(self, columns: list[np.ndarray], positions: list[np.ndarray],
                 widths: list[int], size: int) -> None:
        super().__init__(len(columns))
        self.columns = [_as_index(c) for c in columns]
        self.positions = [_as_index(p) for p in positions]
        self.unique = [len(set(c.tolist())) == len(c) for c in columns]
        self.widths = widths
        self.size = size

    def forward(self, inputs: list[Array], training: bool) -> Array:
        if len(inputs) == 1:
            return np.ascontiguousarray(inputs[0][:, self.columns[0]])
        x0 = inputs[0]
        out = np.empty((x0.shape[0], self.size), dtype=x0.dtype)
        for x, cols, pos in zip(inputs, self.columns, self.positions, strict=True):
            out[:, pos] = x[:, cols]
        return out

    def backward(self, dy: Array) -> list[Array | None]:
        result: list[Array | None] = []
        for i, (cols, pos) in enumerate(zip(self.columns, self.positions, strict=True)):
            if not self.need_grad[i]:
                result.append(None)
                continue
            dx = np.zeros((dy.shape[0], self.widths[i]), dtype=dy.dtype)
            if self.unique[i]:
                dx[:, cols] = dy[:, pos]
            else:
                np.add.at(dx.T, cols, dy[:, pos].T)
            result.append(dx)
        return result


def _as_index(idx: np.ndarray) -> Any:
    """A slice when ``idx`` is a contiguous ascending run (views instead of copies)."""
    idx = np.asarray(idx, dtype=np.intp)
    if len(idx) > 0 and np.array_equal(idx, np.arange(idx[0], idx[0] + len(idx))):
        return slice(int(idx[0]), int(idx[0]) + len(idx))
    return idx


class NeuronGroupOp(Op):
    """Neurons at one depth as one matrix product: ``y = x Wᵀ + b``.

    ``x: (N, S)`` the scalars feeding the group, ``weight: (k, S)`` one row per neuron (zero
    where a neuron has no connection), ``bias: (k,)`` from Bias edges. ``mask``/``bias_mask``
    (None = all connected) keep absent connections at zero by zeroing their gradients.
    """

    def __init__(self, weight: Array, bias: Array | None, mask: Array | None,
                 bias_mask: Array | None) -> None:
        super().__init__(1)
        self.params["weight"] = weight
        self.grads["weight"] = np.zeros_like(weight)
        if bias is not None:
            self.params["bias"] = bias
            self.grads["bias"] = np.zeros_like(bias)
        self.mask = mask
        self.bias_mask = bias_mask
        self._x: Array | None = None

    def forward(self, inputs: list[Array], training: bool) -> Array:
        x = inputs[0]
        self._x = x
        y = x @ self.params["weight"].T
        if "bias" in self.params:
            y += self.params["bias"]
        return y

    def backward(self, dy: Array) -> list[Array | None]:
        assert self._x is not None, "backward called before forward"
        dw = dy.T @ self._x
        if self.mask is not None:
            dw *= self.mask
        self.grads["weight"] += dw
        if "bias" in self.params:
            db = np.add.reduce(dy, axis=0)
            if self.bias_mask is not None:
                db *= self.bias_mask
            self.grads["bias"] += db
        if not self.need_grad[0]:
            return [None]
        return [dy @ self.params["weight"]]


class AddOp(Op):
    """Element-wise sum of inputs of one shape."""

    def forward(self, inputs: list[Array], training: bool) -> Array:
        out = inputs[0] + inputs[1] if len(inputs) > 1 else inputs[0].copy()
        for x in inputs[2:]:
            out += x
        return out

    def backward(self, dy: Array) -> list[Array | None]:
        return [dy if need else None for need in self.need_grad]


class ConcatOp(Op):
    """Concatenation along axis 1 (features or channels)."""

    def __init__(self, n_inputs: int) -> None:
        super().__init__(n_inputs)
        self._bounds: list[int] = []

    def forward(self, inputs: list[Array], training: bool) -> Array:
        self._bounds = np.cumsum([x.shape[1] for x in inputs]).tolist()[:-1]
        return np.concatenate(inputs, axis=1)

    def backward(self, dy: Array) -> list[Array | None]:
        parts = np.split(dy, self._bounds, axis=1)
        return [p if need else None for p, need in zip(parts, self.need_grad, strict=True)]
