"""Loss functions: each ``(prediction, target) -> (loss: float, grad)`` with mean reduction.

``grad`` is dL/d(prediction), same shape and dtype as ``prediction``. The formulas
(n = number of averaged terms):

- ``mse_loss``: L = (1/n) Σ (p − t)², dL/dp = 2(p − t)/n, n = all elements
- ``binary_cross_entropy`` on probabilities p: L = −(1/n) Σ [t·log p + (1 − t)·log(1 − p)],
  each log clamped at −100 and the gradient (p − t) / max(p(1 − p), 1e-12) / n, as PyTorch
- ``binary_cross_entropy_with_logits`` on logits z (one sigmoid per output, also the
  multi-label loss): L = (1/n) Σ [max(z, 0) − z·t + log(1 + e^(−|z|))], dL/dz = (σ(z) − t)/n
- ``cross_entropy`` on logits z: (N, C) with integer labels y: (N,) (or class probabilities
  t: (N, C)): L = (1/N) Σ_i [logsumexp(z_i) − z_i,y_i], dL/dz = (softmax(z) − onehot(y)) / N
"""

from __future__ import annotations

import numpy as np

from nnstudio.engine.activations import sigmoid
from nnstudio.engine.base import Array


def _check_same_shape(prediction: Array, target: Array, name: str) -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{name} needs prediction and target of the same shape, "
            f"got {prediction.shape} and {target.shape}."
        )


def mse_loss(prediction: Array, target: Array) -> tuple[float, Array]:
    """Mean squared error over all elements."""
    _check_same_shape(prediction, target, "Mean squared error")
    diff = prediction - target.astype(prediction.dtype, copy=False)
    loss = float(np.vdot(diff, diff)) / diff.size
    diff *= prediction.dtype.type(2.0 / diff.size)
    return loss, diff


def binary_cross_entropy(prediction: Array, target: Array) -> tuple[float, Array]:
    """Binary cross-entropy on probabilities ``prediction`` in [0, 1]."""
    _check_same_shape(prediction, target, "Binary cross-entropy")
    if np.any(prediction < 0) or np.any(prediction > 1):
        raise ValueError("Binary cross-entropy needs probabilities between 0 and 1.")
    p = prediction
    t = target.astype(p.dtype, copy=False)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_1mp = np.maximum(np.log1p(-p), -100.0)
    loss = -float(np.mean(t * log_p + (1 - t) * log_1mp))
    grad = (p - t) / np.maximum(p * (1 - p), p.dtype.type(1e-12))
    grad *= p.dtype.type(1.0 / p.size)
    return loss, grad.astype(p.dtype, copy=False)


def binary_cross_entropy_with_logits(prediction: Array, target: Array) -> tuple[float, Array]:
    """Sigmoid + binary cross-entropy fused on logits ``prediction`` (numerically stable)."""
    _check_same_shape(prediction, target, "Binary cross-entropy with logits")
    z = prediction
    t = target.astype(z.dtype, copy=False)
    terms = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    loss = float(np.mean(terms))
    grad = sigmoid(z) - t
    grad *= z.dtype.type(1.0 / z.size)
    return loss, grad


def cross_entropy(prediction: Array, target: Array) -> tuple[float, Array]:
    """Softmax cross-entropy on logits ``(N, C)``, labels ``(N,)`` ints or probs ``(N, C)``."""
    z = prediction
    if z.ndim != 2:
        raise ValueError(f"Cross-entropy expects logits of shape (batch, classes), got {z.shape}.")
    n, c = z.shape
    shifted = z - np.max(z, axis=1, keepdims=True)
    e = np.exp(shifted)
    total = np.sum(e, axis=1, keepdims=True)
    log_probs = shifted - np.log(total)
    probs = e / total
    if target.ndim == 2:
        _check_same_shape(z, target, "Cross-entropy with class probabilities")
        t = target.astype(z.dtype, copy=False)
        loss = -float(np.vdot(t, log_probs)) / n
        probs -= t
    else:
        if target.shape != (n,) or target.dtype.kind not in "iu":
            raise ValueError(
                f"Cross-entropy needs integer class labels of shape ({n},), got "
                f"{target.dtype} {target.shape}."
            )
        if n and (target.min() < 0 or target.max() >= c):
            raise ValueError(f"Cross-entropy class labels must lie between 0 and {c - 1}.")
        rows = np.arange(n)
        loss = -float(np.sum(log_probs[rows, target])) / n
        probs[rows, target] -= 1
    probs *= z.dtype.type(1.0 / n)
    return loss, probs
