"""The registry of built-in datasets and :func:`load_builtin`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from nnstudio.training.datasets import playground, synthetic
from nnstudio.training.datasets.dataset import Dataset, Task
from nnstudio.training.datasets.digits import digits
from nnstudio.training.datasets.errors import DatasetError

ParamValue = int | float


@dataclass(frozen=True)
class BuiltinDataset:
    """One built-in set: how to show it and how to make it.

    generator(rng, **params) -> Dataset; ``defaults`` lists every accepted parameter
    with its default (an int default means the parameter must be an integer).
    """

    title: str
    task: Task
    description: str
    defaults: Mapping[str, ParamValue]
    generator: Callable[..., Dataset]
    param_help: Mapping[str, str] = field(default_factory=dict)
    scaling: str | None = None
    """The scaling the lecture uses with this set (a new project takes it); None: the
    default."""


_N = "number of samples"
_NOISE = "noise standard deviation, in input units"


def _entry(
    title: str,
    task: Task,
    generator: Callable[..., Dataset],
    defaults: dict[str, ParamValue],
    description: str,
    *,
    scaling: str | None = None,
    **help_text: str,
) -> BuiltinDataset:
    help_all = {"n_samples": _N, "noise": _NOISE, **help_text}
    param_help = {k: v for k, v in help_all.items() if k in defaults}
    return BuiltinDataset(
        title,
        task,
        description,
        MappingProxyType(defaults),
        generator,
        MappingProxyType(param_help),
        scaling,
    )


BUILTIN: dict[str, BuiltinDataset] = {
    "chocolate": _entry(
        "Chocolate → happiness",
        "binary",
        synthetic.chocolate,
        {"n_samples": 24, "noise": 0.15},
        synthetic.CHOCOLATE_DESCRIPTION,
        scaling="none",  # the lecture's x is already 0–1 consumption
    ),
    "line": _entry(
        "Noisy line",
        "regression",
        synthetic.line,
        {"n_samples": 100, "noise": 0.1, "slope": 2.0, "intercept": 0.5},
        "Points around a straight line: linear regression with one neuron.",
        slope="slope of the line",
        intercept="value of the line at x = 0",
    ),
    "logistic": _entry(
        "1-D two classes",
        "binary",
        synthetic.logistic,
        {"n_samples": 300, "noise": 0.02, "margin": 0.05},
        "Class 1 right of 0, class 0 left of it: logistic regression with one sigmoid neuron.",
        margin="empty gap on each side of the class border",
    ),
    "circle": _entry(
        "Circle",
        "classification",
        playground.circle,
        {"n_samples": 400, "noise": 0.05},
        "A disc of one class inside a ring of the other.",
    ),
    "xor": _entry(
        "XOR",
        "classification",
        playground.xor,
        {"n_samples": 400, "noise": 0.0, "padding": 0.05},
        "Same-sign quadrants against opposite-sign quadrants; needs a hidden layer.",
        padding="gap kept free around the axes",
    ),
    "gaussians": _entry(
        "Two Gaussians",
        "classification",
        playground.gaussians,
        {"n_samples": 400, "noise": 0.2},
        "Two Gaussian clouds, separable by a line.",
    ),
    "spiral": _entry(
        "Spiral",
        "classification",
        playground.spiral,
        {"n_samples": 400, "noise": 0.05, "turns": 1.75},
        "Two interleaved spiral arms; needs a deeper network.",
        turns="how many times each arm winds around the centre",
    ),
    "moons": _entry(
        "Moons",
        "classification",
        playground.moons,
        {"n_samples": 400, "noise": 0.1},
        "Two interleaving half moons.",
    ),
    "plane": _entry(
        "Plane",
        "regression",
        synthetic.plane,
        {"n_samples": 200, "noise": 0.05},
        "A tilted plane over two inputs: linear 2-D regression.",
    ),
    "multi_gaussian": _entry(
        "Several Gaussians",
        "regression",
        synthetic.multi_gaussian,
        {"n_samples": 400, "noise": 0.05, "width": 0.22},
        "A surface of six Gaussian bumps and dips: non-linear 2-D regression.",
        width="standard deviation of each bump",
    ),
    "sine": _entry(
        "Sine",
        "regression",
        synthetic.sine,
        {"n_samples": 200, "noise": 0.1, "cycles": 1.0},
        "A noisy sine wave: 1-D non-linear regression.",
        cycles="number of periods over the input range",
    ),
    "digits": _entry(
        "Handwritten digits 8x8",
        "classification",
        digits,
        {},
        "1,797 8x8 images of handwritten digits, classes 0-9 (UCI optical digits).",
    ),
}

MIN_SAMPLES = 4
MAX_SAMPLES = 1_000_000
MAX_NOISE = 10.0
"""Largest noise standard deviation (the data lie within about ±1)."""
_MIN_SAMPLES, _MAX_SAMPLES = MIN_SAMPLES, MAX_SAMPLES


def _check_param(name: str, key: str, value: Any, default: ParamValue) -> ParamValue:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DatasetError(
            f"Parameter '{key}' of dataset '{name}' must be a number, not {value!r}."
        )
    if not np.isfinite(value):
        raise DatasetError(f"Parameter '{key}' of dataset '{name}' must be finite.")
    if isinstance(default, int):
        if float(value) != int(value):
            raise DatasetError(f"Parameter '{key}' of dataset '{name}' must be a whole number.")
        value = int(value)
    else:
        value = float(value)
    if key == "n_samples" and not _MIN_SAMPLES <= value <= _MAX_SAMPLES:
        raise DatasetError(
            f"Parameter 'n_samples' of dataset '{name}' must be between {_MIN_SAMPLES} "
            f"and {_MAX_SAMPLES:,}, not {value}."
        )
    if key in ("noise", "width", "padding", "margin") and value < 0:
        raise DatasetError(f"Parameter '{key}' of dataset '{name}' must not be negative.")
    if key == "noise" and value > MAX_NOISE:
        raise DatasetError(f"Parameter 'noise' of dataset '{name}' must be at most "
                           f"{MAX_NOISE:g}.")
    if key == "margin" and value >= 1:
        raise DatasetError(f"Parameter 'margin' of dataset '{name}' must be below 1.")
    return value


def load_builtin(name: str, *, seed: int = 0, **params: Any) -> Dataset:
    """Generate built-in set ``name`` from ``seed``; ``params`` override its defaults."""
    entry = BUILTIN.get(name)
    if entry is None:
        raise DatasetError(
            f"There is no built-in dataset '{name}' (choose from {', '.join(sorted(BUILTIN))})."
        )
    unknown = sorted(set(params) - set(entry.defaults))
    if unknown:
        accepted = ", ".join(entry.defaults) or "none"
        raise DatasetError(
            f"Dataset '{name}' has no parameter {', '.join(repr(u) for u in unknown)} "
            f"(accepted: {accepted})."
        )
    values = {
        key: _check_param(name, key, params.get(key, default), default)
        for key, default in entry.defaults.items()
    }
    return entry.generator(np.random.default_rng(seed), **values)
