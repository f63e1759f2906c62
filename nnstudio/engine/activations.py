"""Activation functions of the lecture's table, each a parameter-free layer.

Every activation maps ``x`` to ``y`` of the same shape element-wise (Softmax along
``axis``); backward multiplies ``dy`` by the derivative f'(x) (for Softmax, by its
Jacobian).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nnstudio.engine.base import Array, Layer


def sigmoid(x: Array) -> Array:
    """σ(x) = 1 / (1 + e^(−x)), from e = e^(−|x|) so it never overflows.

    For x ≥ 0: 1 / (1 + e); for x < 0: e / (1 + e) (full relative precision when tiny).
    """
    e = np.exp(-np.abs(x))
    s = 1 / (1 + e)
    return np.where(x < 0, e * s, s)


class Identity(Layer):
    """f(x) = x (the linear activation); f'(x) = 1."""

    def forward(self, x: Array, training: bool = True) -> Array:
        return x

    def backward(self, dy: Array) -> Array:
        return dy


class Sigmoid(Layer):
    """f(x) = 1 / (1 + e^(−x)); f'(x) = f(x)·(1 − f(x))."""

    def forward(self, x: Array, training: bool = True) -> Array:
        self._y = sigmoid(x)
        return self._y

    def backward(self, dy: Array) -> Array:
        y = self._y
        return dy * (y * (1 - y))


class Tanh(Layer):
    """f(x) = tanh(x); f'(x) = 1 − f(x)²."""

    def forward(self, x: Array, training: bool = True) -> Array:
        self._y = np.tanh(x)
        return self._y

    def backward(self, dy: Array) -> Array:
        y = self._y
        return dy * (1 - y * y)


class ReLU(Layer):
    """f(x) = max(0, x); f'(x) = 1 where x > 0, else 0."""

    def forward(self, x: Array, training: bool = True) -> Array:
        self._mask = x > 0
        return x * self._mask

    def backward(self, dy: Array) -> Array:
        return dy * self._mask


class LeakyReLU(Layer):
    """f(x) = x where x > 0, else a·x (a = ``negative_slope``); f'(x) = 1 or a."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Array, training: bool = True) -> Array:
        a = x.dtype.type(self.negative_slope)
        slope = (x > 0).astype(x.dtype)
        slope *= 1 - a
        slope += a
        self._slope = slope
        return x * slope

    def backward(self, dy: Array) -> Array:
        return dy * self._slope

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Softmax(Layer):
    """f(x)_i = e^(x_i) / Σ_j e^(x_j) along ``axis``; dx = y ⊙ (dy − Σ(dy ⊙ y))."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = int(axis)

    def forward(self, x: Array, training: bool = True) -> Array:
        e = np.exp(x - np.max(x, axis=self.axis, keepdims=True))
        e /= np.sum(e, axis=self.axis, keepdims=True)
        self._y = e
        return e

    def backward(self, dy: Array) -> Array:
        y = self._y
        return y * (dy - np.sum(dy * y, axis=self.axis, keepdims=True))

    def __repr__(self) -> str:
        return f"Softmax(axis={self.axis})"


class Swish(Layer):
    """f(x) = x·σ(x); f'(x) = σ(x)·(1 + x·(1 − σ(x)))."""

    def forward(self, x: Array, training: bool = True) -> Array:
        self._x = x
        self._s = sigmoid(x)
        return x * self._s

    def backward(self, dy: Array) -> Array:
        s = self._s
        return dy * (s * (1 + self._x * (1 - s)))


_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


class GELU(Layer):
    """Tanh approximation: f(x) = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³).

    f'(x) = ½(1 + tanh u) + ½x(1 − tanh² u)·√(2/π)(1 + 3·0.044715x²).
    """

    def forward(self, x: Array, training: bool = True) -> Array:
        c, k = x.dtype.type(_GELU_C), x.dtype.type(_GELU_K)
        self._x = x
        self._t = np.tanh(c * (x + k * x * x * x))
        return 0.5 * x * (1 + self._t)

    def backward(self, dy: Array) -> Array:
        x, t = self._x, self._t
        c, k = x.dtype.type(_GELU_C), x.dtype.type(_GELU_K)
        dfdx = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x)
        return dy * dfdx


ACTIVATIONS: dict[str, type[Layer]] = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
    "swish": Swish,
    "gelu": GELU,
}


def make_activation(name: str, **kwargs: Any) -> Layer:
    """Build the activation layer called ``name`` (a key of ``ACTIVATIONS``)."""
    cls = ACTIVATIONS.get(name)
    if cls is None:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"Unknown activation {name!r}; choose one of {known}.")
    return cls(**kwargs)
