"""Generated 1-D and 2-D sets for regression and the lecture's first examples.

Every function takes a ``numpy.random.Generator`` and returns a :class:`Dataset`;
inputs lie roughly in ``[-1, 1]`` (chocolate: ``[0, 1]``) so they need no scaling.
"""

from __future__ import annotations

import numpy as np

from nnstudio.training.datasets.dataset import Dataset

CHOCOLATE_DESCRIPTION = (
    "The lecture's very simple example. Each row is one person: x is their chocolate "
    "consumption scaled to 0–1 and y is 1 if they are happy, 0 if not. Happiness grows more "
    "likely as consumption rises (a person is happy when consumption plus some noise passes "
    "0.5), so the lecture's linear two-weight network g = w2·(w1·x + b1) + b2 trained on MSE "
    "learns a rising line and its loss falls; a straight line cannot hit 0 and 1 exactly, "
    "so the loss levels off above zero."
)


def chocolate(rng: np.random.Generator, n_samples: int = 24, noise: float = 0.15) -> Dataset:
    """x: (N, 1) consumption in [0, 1]; y: (N, 1) happiness 0/1 (binary)."""
    x = rng.uniform(0.0, 1.0, size=(n_samples, 1))
    happy = (x + noise * rng.standard_normal((n_samples, 1))) > 0.5
    return Dataset(
        name="chocolate",
        x=x.astype(np.float32),
        y=happy.astype(np.float32),
        task="binary",
        feature_names=("chocolate",),
        class_names=("unhappy", "happy"),
        description=CHOCOLATE_DESCRIPTION,
    )


def line(
    rng: np.random.Generator,
    n_samples: int = 100,
    noise: float = 0.1,
    slope: float = 2.0,
    intercept: float = 0.5,
) -> Dataset:
    """x: (N, 1) in [-1, 1]; y: (N, 1) = slope·x + intercept + noise·N(0, 1)."""
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 1))
    y = slope * x + intercept + noise * rng.standard_normal((n_samples, 1))
    return Dataset(
        name="line",
        x=x.astype(np.float32),
        y=y.astype(np.float32),
        task="regression",
        feature_names=("x",),
        description=(
            f"Points scattered around the line y = {slope:g}·x + {intercept:g} with Gaussian "
            f"noise (std {noise:g}). One neuron without activation is linear regression: its "
            "weight learns the slope and its bias the intercept."
        ),
    )


def logistic(
    rng: np.random.Generator, n_samples: int = 300, noise: float = 0.02, margin: float = 0.05
) -> Dataset:
    """x: (N, 1) in [-1, -margin] ∪ [margin, 1]; y: (N, 1) = 1 where x + noise·N(0, 1) > 0."""
    sign = rng.choice(np.array([-1.0, 1.0]), size=(n_samples, 1))
    x = sign * rng.uniform(margin, 1.0, size=(n_samples, 1))
    y = (x + noise * rng.standard_normal((n_samples, 1))) > 0.0
    return Dataset(
        name="logistic",
        x=x.astype(np.float32),
        y=y.astype(np.float32),
        task="binary",
        feature_names=("x",),
        class_names=("negative", "positive"),
        description=(
            "A 1-D two-class set: points right of 0 are class 1, points left of 0 class 0, "
            f"with a gap of {margin:g} on each side of the border and a little noise (std "
            f"{noise:g}) that can flip points near it. One neuron with a sigmoid is logistic "
            "regression; it finds the border and classifies almost every point."
        ),
    )


def sine(
    rng: np.random.Generator, n_samples: int = 200, noise: float = 0.1, cycles: float = 1.0
) -> Dataset:
    """x: (N, 1) in [-1, 1]; y: (N, 1) = sin(π·cycles·x) + noise·N(0, 1)."""
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 1))
    y = np.sin(np.pi * cycles * x) + noise * rng.standard_normal((n_samples, 1))
    return Dataset(
        name="sine",
        x=x.astype(np.float32),
        y=y.astype(np.float32),
        task="regression",
        feature_names=("x",),
        description=(
            f"{cycles:g} period(s) of a sine wave with Gaussian noise (std {noise:g}). A line "
            "cannot follow it: hidden neurons with a non-linear activation are needed."
        ),
    )


def plane(rng: np.random.Generator, n_samples: int = 200, noise: float = 0.05) -> Dataset:
    """x: (N, 2) in [-1, 1]²; y: (N, 1) = (x1 + x2) / 2 + noise·N(0, 1)."""
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = 0.5 * (x[:, :1] + x[:, 1:]) + noise * rng.standard_normal((n_samples, 1))
    return Dataset(
        name="plane",
        x=x.astype(np.float32),
        y=y.astype(np.float32),
        task="regression",
        feature_names=("x1", "x2"),
        description=(
            "A tilted plane y = (x1 + x2)/2 with Gaussian noise: linear regression with two "
            "inputs, solved by a single neuron with two weights."
        ),
    )


# Centres (x1, x2) and signs of the bumps, on a 3 x 2 grid inside [-1, 1]².
_BUMPS = np.array(
    [
        [-0.65, 0.4, 1.0],
        [0.0, 0.4, -1.0],
        [0.65, 0.4, 1.0],
        [-0.65, -0.4, -1.0],
        [0.0, -0.4, 1.0],
        [0.65, -0.4, -1.0],
    ]
)


def multi_gaussian(
    rng: np.random.Generator, n_samples: int = 400, noise: float = 0.05, width: float = 0.22
) -> Dataset:
    """x: (N, 2) in [-1, 1]²; y: (N, 1) = Σ ±exp(-|x - c|² / (2·width²)) + noise."""
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    sq_dist = ((x[:, None, :] - _BUMPS[None, :, :2]) ** 2).sum(axis=2)  # (N, 6)
    y = (_BUMPS[:, 2] * np.exp(-sq_dist / (2.0 * width**2))).sum(axis=1, keepdims=True)
    y = y + noise * rng.standard_normal((n_samples, 1))
    return Dataset(
        name="multi_gaussian",
        x=x.astype(np.float32),
        y=y.astype(np.float32),
        task="regression",
        feature_names=("x1", "x2"),
        description=(
            "Six Gaussian bumps, alternately up (+1) and down (-1), on a 3 x 2 grid; the "
            "target is their sum plus noise. A non-linear 2-D regression surface that needs "
            "a hidden layer."
        ),
    )
