"""Weight penalties (regularization): L1, L2 and both together (elastic net).

For a parameter array w:
    penalty(w) = l1 · Σ|w| + l2 · Σ w²
    ∂penalty/∂w = l1 · sign(w) + 2 · l2 · w         (sign(0) = 0)
Note: PyTorch's ``weight_decay = λ`` (coupled, SGD) equals the L2 penalty with l2 = λ / 2.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

import numpy as np

from nnstudio.engine.base import Array

Key = TypeVar("Key", bound=Hashable)


class Penalty:
    """l1 · Σ|w| + l2 · Σ w² on each chosen parameter array."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        if l1 < 0 or l2 < 0:
            raise ValueError("Penalty strengths must not be negative.")
        self.l1 = float(l1)
        self.l2 = float(l2)

    def loss(self, w: Array) -> float:
        """The penalty of one array (a Python float)."""
        total = 0.0
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(w)))
        if self.l2:
            total += self.l2 * float(np.vdot(w, w))
        return total

    def grad(self, w: Array) -> Array:
        """∂penalty/∂w, same shape and dtype as ``w``."""
        g = np.zeros_like(w)
        if self.l1:
            g += w.dtype.type(self.l1) * np.sign(w)
        if self.l2:
            g += w.dtype.type(2 * self.l2) * w
        return g

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


class L1(Penalty):
    """strength · Σ|w| (lasso: drives weights to exactly zero)."""

    def __init__(self, strength: float) -> None:
        super().__init__(l1=strength)


class L2(Penalty):
    """strength · Σ w² (ridge: shrinks weights towards zero)."""

    def __init__(self, strength: float) -> None:
        super().__init__(l2=strength)


class ElasticNet(Penalty):
    """l1 · Σ|w| + l2 · Σ w² (L1 + L2)."""


def apply_penalty(
    penalty: Penalty,
    params: Mapping[Key, Array],
    grads: Mapping[Key, Array],
    keys: Iterable[Key] | None = None,
) -> float:
    """Add the penalty's gradient into ``grads`` (in place) for ``keys`` (default: all
    params) and return the total penalty to add to the loss."""
    total = 0.0
    for key in params if keys is None else keys:
        w = params[key]
        total += penalty.loss(w)
        grads[key][...] += penalty.grad(w)
    return total
