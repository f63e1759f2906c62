"""Weight initializers, all drawing from a passed ``numpy.random.Generator``.

Bounds and standard deviations (``fan_in``: inputs per output unit; ``fan_out``: outputs
per input unit; for a conv layer both include the kernel area kh*kw):

- ``zeros``:          0
- ``uniform``:        U(-scale, scale), ``scale`` = 0.05 by default
- ``normal``:         N(0, scale²), ``scale`` = 0.05 by default
- ``xavier_uniform``: U(±sqrt(6 / (fan_in + fan_out)))       (Glorot & Bengio 2010)
- ``xavier_normal``:  N(0, 2 / (fan_in + fan_out))
- ``he_uniform``:     U(±sqrt(6 / fan_in))                     (He et al. 2015, ReLU gain)
- ``he_normal``:      N(0, 2 / fan_in)
- ``default``:        U(±1 / sqrt(fan_in)) — PyTorch's default for Linear/Conv weights and
                      biases (kaiming_uniform with a = sqrt(5))
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike

from nnstudio.engine.base import Array

INITIALIZERS: tuple[str, ...] = (
    "default",
    "zeros",
    "uniform",
    "normal",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
)


def initialize(
    name: str,
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    dtype: DTypeLike = np.float32,
    scale: float = 0.05,
) -> Array:
    """Return a new array of ``shape`` and ``dtype`` filled by initializer ``name``."""
    if name not in INITIALIZERS:
        known = ", ".join(INITIALIZERS)
        raise ValueError(f"Unknown initializer {name!r}; choose one of {known}.")
    fan_in = max(int(fan_in), 1)
    fan_out = max(int(fan_out), 1)
    if name == "zeros":
        return np.zeros(shape, dtype=dtype)
    if name == "uniform":
        return _uniform(rng, shape, scale, dtype)
    if name == "normal":
        return _normal(rng, shape, scale, dtype)
    if name == "xavier_uniform":
        return _uniform(rng, shape, math.sqrt(6.0 / (fan_in + fan_out)), dtype)
    if name == "xavier_normal":
        return _normal(rng, shape, math.sqrt(2.0 / (fan_in + fan_out)), dtype)
    if name == "he_uniform":
        return _uniform(rng, shape, math.sqrt(6.0 / fan_in), dtype)
    if name == "he_normal":
        return _normal(rng, shape, math.sqrt(2.0 / fan_in), dtype)
    return _uniform(rng, shape, 1.0 / math.sqrt(fan_in), dtype)  # "default"


DRAW_CHUNK = 1 << 18
"""Values drawn at a time: the draws are float64 (the same numbers as one big draw), but
only a chunk of them exists at once, so a large layer never needs a float64 copy."""


def _filled(shape: tuple[int, ...], dtype: DTypeLike,
            draw: Callable[[int], np.ndarray]) -> Array:
    out = np.empty(shape, dtype=dtype)
    flat = out.reshape(-1)
    for start in range(0, flat.size, DRAW_CHUNK):
        count = min(DRAW_CHUNK, flat.size - start)
        flat[start:start + count] = draw(count)
    return out


def _uniform(
    rng: np.random.Generator, shape: tuple[int, ...], bound: float, dtype: DTypeLike
) -> Array:
    return _filled(shape, dtype, lambda n: rng.uniform(-bound, bound, size=n))


def _normal(
    rng: np.random.Generator, shape: tuple[int, ...], std: float, dtype: DTypeLike
) -> Array:
    return _filled(shape, dtype, lambda n: rng.normal(0.0, std, size=n))


def init_weight_and_bias(
    weight_shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    init: str,
    bias_init: str | None,
    rng: np.random.Generator,
    dtype: DTypeLike,
) -> tuple[Array, Array]:
    """Weight by ``init``; bias by ``bias_init`` (None: ``default`` if init is, else zeros)."""
    weight = initialize(init, weight_shape, fan_in, fan_out, rng, dtype)
    if bias_init is None:
        bias_init = "default" if init == "default" else "zeros"
    bias = initialize(bias_init, (weight_shape[0],), fan_in, fan_out, rng, dtype)
    return weight, bias
