"""The layer contract every engine building block follows.

A layer maps a batch ``x`` to ``y`` in ``forward`` and maps the gradient of the loss with
respect to ``y`` back to the gradient with respect to ``x`` in ``backward`` (the chain rule),
adding the gradients of its own parameters into ``grads`` on the way.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import DTypeLike, NDArray

Array: TypeAlias = NDArray[Any]


class Layer:
    """Base class: ``params``/``grads`` share keys, ``buffers`` hold non-trained state.

    ``params``: arrays a trainer may overwrite in place (e.g. ``weight``, ``bias``).
    ``grads``: same keys and shapes; ``backward`` *accumulates* into them.
    ``buffers``: running statistics (only BatchNorm uses them).
    ``input_grad``: set to False on a layer that reads the data directly (nothing before it
    needs dL/dx); Dense and Conv2D then skip computing dL/dx and return zeros, as PyTorch
    skips gradients of inputs that do not require them. Parameter gradients are unaffected.

    A layer remembers what its last forward needs for backward (and conv/pool layers reuse
    work buffers), so one layer object must not run in two threads at once.
    """

    input_grad: bool = True

    def __init__(self) -> None:
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.buffers: dict[str, Array] = {}

    def forward(self, x: Array, training: bool = True) -> Array:
        """Compute the output for a batch ``x`` and remember what backward needs."""
        raise NotImplementedError

    def backward(self, dy: Array) -> Array:
        """Given dL/dy of the last forward, add dL/dparams into grads and return dL/dx."""
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Set every gradient to zero, in place (the arrays keep their identity)."""
        for g in self.grads.values():
            g.fill(0)

    def _add_param(self, name: str, value: Array) -> None:
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def resolve_rng(rng: np.random.Generator | None) -> np.random.Generator:
    """The generator to use: the one passed in, or one seeded with 0 (reproducible)."""
    return rng if rng is not None else np.random.default_rng(0)


def check_float_dtype(dtype: DTypeLike) -> np.dtype[Any]:
    """Return ``dtype`` as a numpy dtype, or raise if it is not a floating type."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"The engine computes in floating point, not in {dt.name}.")
    return dt


def pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """Turn ``3`` or ``(3, 3)`` into ``(3, 3)``; reject anything else with a sentence."""
    if isinstance(value, int | np.integer):
        return int(value), int(value)
    items = tuple(value)
    if len(items) != 2 or not all(isinstance(v, int | np.integer) for v in items):
        raise ValueError(f"The {name} must be an integer or a pair of integers, not {value!r}.")
    return int(items[0]), int(items[1])
