"""Fully connected layer: y = x Wᵀ + b."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from nnstudio.engine.base import Array, Layer, check_float_dtype, resolve_rng
from nnstudio.engine.init import init_weight_and_bias


class Dense(Layer):
    """``x: (batch, in_features)`` → ``y: (batch, out_features)``.

    ``weight: (out_features, in_features)``, ``bias: (out_features,)`` as in PyTorch.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        *,
        init: str = "default",
        bias_init: str | None = None,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError("A dense layer needs at least one input and one output feature.")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dt = check_float_dtype(dtype)
        w, b = init_weight_and_bias(
            (self.out_features, self.in_features),
            self.in_features,
            self.out_features,
            init,
            bias_init,
            resolve_rng(rng),
            dt,
        )
        self._add_param("weight", w)
        if bias:
            self._add_param("bias", b)
        self._x: Array | None = None

    def forward(self, x: Array, training: bool = True) -> Array:
        """``x: (batch, in_features)`` → ``(batch, out_features)``."""
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"Dense expects input of shape (batch, {self.in_features}), got {x.shape}."
            )
        self._x = x
        y = x @ self.params["weight"].T
        if "bias" in self.params:
            y += self.params["bias"]
        return y

    def backward(self, dy: Array) -> Array:
        """``dy: (batch, out_features)`` → ``dx: (batch, in_features)``.

        dW = dyᵀ x, db = Σ_batch dy, dx = dy W.
        """
        assert self._x is not None, "backward called before forward"
        self.grads["weight"] += dy.T @ self._x
        if "bias" in self.grads:
            self.grads["bias"] += np.add.reduce(dy, axis=0)
        if not self.input_grad:
            return np.zeros_like(self._x)
        return dy @ self.params["weight"]

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features}, bias={'bias' in self.params})"
