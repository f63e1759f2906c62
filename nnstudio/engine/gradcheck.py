"""Gradient checking by central finite differences in float64.

    ∂f/∂a_k ≈ (f(a + ε·e_k) − f(a − ε·e_k)) / (2ε)

compared with the analytic gradient by the relative error ‖g_a − g_n‖ / max(‖g_a‖, ‖g_n‖).
Correct gradients give about 1e-9 or less; a wrong one gives something near 1.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from nnstudio.engine.base import Array, Layer
from nnstudio.engine.sequential import Sequential


def numeric_gradient(f: Callable[[], float], array: Array, eps: float = 1e-6) -> Array:
    """d f() / d array, one element at a time; ``array`` is perturbed in place and restored.

    ``array`` should be float64 for a meaningful result. Returns float64, shape of ``array``.
    """
    grad = np.zeros(array.shape, dtype=np.float64)
    for index in np.ndindex(array.shape):
        original = array[index].copy()
        array[index] = original + eps
        f_plus = f()
        array[index] = original - eps
        f_minus = f()
        array[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic: Array, numeric: Array) -> float:
    """‖a − n‖ / max(‖a‖, ‖n‖); 0 when both are zero."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(n)))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n)) / scale


def _cast_to_float64(layer: Layer) -> None:
    """Cast the params, grads and buffers of ``layer`` (and of its sub-layers) to float64."""
    if isinstance(layer, Sequential):
        for sub in layer.layers:
            _cast_to_float64(sub)
        layer.collect()
        return
    for store in (layer.params, layer.grads, layer.buffers):
        for name in store:
            store[name] = store[name].astype(np.float64)


def _generators(layer: Layer) -> list[np.random.Generator]:
    found = [v for v in vars(layer).values() if isinstance(v, np.random.Generator)]
    if isinstance(layer, Sequential):
        for sub in layer.layers:
            found += _generators(sub)
    return found


def gradcheck_layer(layer: Layer, x: Array, training: bool = True, seed: int = 0) -> float:
    """Worst relative error of dL/dx and of every parameter gradient of ``layer``.

    L = Σ y ⊙ R with a fixed random R (seeded by ``seed``), so every output matters.
    The check runs on a float64 copy; the layer itself is not changed. Random layers
    (Dropout) reuse the same mask: their generators are rewound before each forward.
    """
    twin = copy.deepcopy(layer)
    _cast_to_float64(twin)
    x64 = np.array(x, dtype=np.float64)
    generators = _generators(twin)
    states = [g.bit_generator.state for g in generators]

    def run_forward() -> Array:
        for g, s in zip(generators, states, strict=True):
            g.bit_generator.state = s
        return twin.forward(x64, training)

    y = run_forward()
    r = np.random.default_rng(seed).standard_normal(y.shape)
    twin.zero_grad()
    dx = twin.backward(r)
    analytic = {name: g.copy() for name, g in twin.grads.items()}

    def f() -> float:
        return float(np.vdot(run_forward(), r))

    worst = relative_error(dx, numeric_gradient(f, x64))
    for name, p in twin.params.items():
        worst = max(worst, relative_error(analytic[name], numeric_gradient(f, p)))
    return worst


def gradcheck_loss(
    loss_fn: Callable[[Array, Array], tuple[float, Array]], pred: Array, target: Array
) -> float:
    """Relative error of ``loss_fn``'s gradient with respect to ``pred`` (in float64)."""
    p64 = np.array(pred, dtype=np.float64)
    t = np.asarray(target)
    t64 = t.astype(np.float64) if t.dtype.kind == "f" else t
    _, analytic = loss_fn(p64, t64)
    numeric = numeric_gradient(lambda: loss_fn(p64, t64)[0], p64)
    return relative_error(analytic, numeric)
