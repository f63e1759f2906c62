"""Inverted dropout: zero each unit with probability p and scale the rest by 1/(1-p)."""

from __future__ import annotations

import numpy as np

from nnstudio.engine.base import Array, Layer, resolve_rng


class Dropout(Layer):
    """``x: (batch, ...)`` → same shape. Identity when ``training`` is False.

    In training, y = x · m / (1 - p) with m ~ Bernoulli(1 - p) drawn from ``rng``
    (a generator seeded with 0 when none is passed), so the expected output equals x.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"The dropout probability must lie between 0 and 1, not {p}.")
        self.p = float(p)
        self.rng = resolve_rng(rng)
        self._mask: Array | None = None

    def forward(self, x: Array, training: bool = True) -> Array:
        if not training or self.p == 0.0:
            self._mask = None
            return x
        dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
        keep = self.rng.random(x.shape, dtype=dtype) >= self.p
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        self._mask = keep * x.dtype.type(scale)
        return x * self._mask

    def backward(self, dy: Array) -> Array:
        if self._mask is None:
            return dy
        return dy * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"
