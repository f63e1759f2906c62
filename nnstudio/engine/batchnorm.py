"""Batch normalization for ``(N, C)`` and ``(N, C, H, W)`` inputs (PyTorch semantics).

Training, per channel over the batch (and pixels):
    μ = mean(x), σ² = mean((x − μ)²), x̂ = (x − μ) / √(σ² + ε), y = γ·x̂ + β
    running_mean ← (1 − m)·running_mean + m·μ
    running_var  ← (1 − m)·running_var  + m·σ²·n / (n − 1)      (unbiased, n values)
Evaluation uses the running statistics instead of μ and σ².
Backward in training (n values per channel, g = dy·γ):
    dx = (n·g − Σg − x̂·Σ(g·x̂)) / (n·√(σ² + ε)),  dγ = Σ dy·x̂,  dβ = Σ dy
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from nnstudio.engine.base import Array, Layer, check_float_dtype


class BatchNorm(Layer):
    """``x: (N, C)`` or ``(N, C, H, W)`` → same shape.

    ``weight`` (γ) and ``bias`` (β): ``(C,)``; ``buffers``: ``running_mean``, ``running_var``.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        *,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        if num_features < 1:
            raise ValueError("Batch normalization needs at least one feature (channel).")
        dt = check_float_dtype(dtype)
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = float(momentum)
        self._add_param("weight", np.ones(num_features, dtype=dt))
        self._add_param("bias", np.zeros(num_features, dtype=dt))
        self.buffers["running_mean"] = np.zeros(num_features, dtype=dt)
        self.buffers["running_var"] = np.ones(num_features, dtype=dt)
        self._xhat: Array | None = None
        self._inv_std: Array | None = None
        self._training = True

    def _axes_and_shape(self, x: Array) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if x.ndim not in (2, 4) or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm({self.num_features}) expects input (batch, {self.num_features}) or "
                f"(batch, {self.num_features}, height, width), got {x.shape}."
            )
        if x.ndim == 2:
            return (0,), (1, self.num_features)
        return (0, 2, 3), (1, self.num_features, 1, 1)

    def forward(self, x: Array, training: bool = True) -> Array:
        axes, shape = self._axes_and_shape(x)
        self._training = training
        if training:
            n = x.size // self.num_features
            if n < 2:
                raise ValueError(
                    "Batch normalization needs more than one value per channel in training."
                )
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            var = np.mean(centered * centered, axis=axes)
            m = self.momentum
            rm, rv = self.buffers["running_mean"], self.buffers["running_var"]
            rm *= 1.0 - m
            rm += (m * mean).astype(rm.dtype)
            rv *= 1.0 - m
            rv += (m * var * (n / (n - 1))).astype(rv.dtype)
        else:
            centered = x - self.buffers["running_mean"].reshape(shape).astype(x.dtype)
            var = self.buffers["running_var"].astype(x.dtype)
        inv_std = (1.0 / np.sqrt(var + x.dtype.type(self.eps))).astype(x.dtype)
        xhat = centered * inv_std.reshape(shape)
        self._xhat, self._inv_std = xhat, inv_std
        return xhat * self.params["weight"].reshape(shape) + self.params["bias"].reshape(shape)

    def backward(self, dy: Array) -> Array:
        assert self._xhat is not None and self._inv_std is not None, "backward before forward"
        axes, shape = self._axes_and_shape(dy)
        xhat = self._xhat
        self.grads["weight"] += np.sum(dy * xhat, axis=axes)
        self.grads["bias"] += np.sum(dy, axis=axes)
        g = dy * self.params["weight"].reshape(shape)
        inv_std = self._inv_std.reshape(shape)
        if not self._training:
            return g * inv_std
        n = dy.size // self.num_features
        sum_g = np.sum(g, axis=axes).reshape(shape)
        sum_gx = np.sum(g * xhat, axis=axes).reshape(shape)
        return (g - (sum_g + xhat * sum_gx) / n) * inv_std

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features}, eps={self.eps}, momentum={self.momentum})"
