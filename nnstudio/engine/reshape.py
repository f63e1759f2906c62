"""Flatten: (N, C, H, W) or any (N, ...) → (N, C·H·W)."""

from __future__ import annotations

from nnstudio.engine.base import Array, Layer


class Flatten(Layer):
    """``x: (batch, *rest)`` → ``y: (batch, prod(rest))``; backward restores the shape."""

    def __init__(self) -> None:
        super().__init__()
        self._shape: tuple[int, ...] = ()

    def forward(self, x: Array, training: bool = True) -> Array:
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: Array) -> Array:
        return dy.reshape(self._shape)
