"""2-D two-class sets like those TensorFlow Playground made familiar, plus moons.

Inputs ``x: (N, 2)`` float32 roughly in ``[-1, 1]²``; labels ``y: (N,)`` int64 in {0, 1},
half the samples in each class. ``noise`` is a standard deviation in input units.
"""

from __future__ import annotations

import numpy as np

from nnstudio.training.datasets.dataset import Dataset


def _two_class(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    class_names: tuple[str, str],
    description: str,
    rng: np.random.Generator,
) -> Dataset:
    order = rng.permutation(len(y))  # mix the classes so a plain slice is not one class
    return Dataset(
        name=name,
        x=x[order].astype(np.float32),
        y=y[order].astype(np.int64),
        task="classification",
        feature_names=("x1", "x2"),
        class_names=class_names,
        description=description,
    )


def _halves(n_samples: int) -> tuple[int, int]:
    return n_samples // 2, n_samples - n_samples // 2


def circle(rng: np.random.Generator, n_samples: int = 400, noise: float = 0.05) -> Dataset:
    """Class 1 inside radius 0.5, class 0 on a ring between radii 0.7 and 1."""
    n_in, n_out = _halves(n_samples)
    radius = np.concatenate([rng.uniform(0.0, 0.5, n_in), rng.uniform(0.7, 1.0, n_out)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n_samples)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x += noise * rng.standard_normal(x.shape)
    y = np.concatenate([np.ones(n_in), np.zeros(n_out)])
    return _two_class(
        "circle",
        x,
        y,
        ("outside", "inside"),
        "A disc of class 1 inside a ring of class 0. No straight line separates them; a "
        "hidden layer of a few neurons (or the features x1², x2²) can.",
        rng,
    )


def xor(
    rng: np.random.Generator, n_samples: int = 400, noise: float = 0.0, padding: float = 0.05
) -> Dataset:
    """Uniform points kept ``padding`` away from the axes; class 1 where x1·x2 > 0."""
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    x += np.sign(x) * padding * (1.0 - np.abs(x))  # push points off the axes, stay in [-1, 1]
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    x += noise * rng.standard_normal(x.shape)
    return _two_class(
        "xor",
        x,
        y,
        ("opposite signs", "same signs"),
        "The XOR pattern: class 1 in the quadrants where x1 and x2 have the same sign, class 0 "
        "where they differ. A single neuron cannot solve it; one hidden layer of two or more "
        "neurons can.",
        rng,
    )


def gaussians(rng: np.random.Generator, n_samples: int = 400, noise: float = 0.2) -> Dataset:
    """Two Gaussian clouds with std ``noise`` centred at (0.4, 0.4) and (-0.4, -0.4)."""
    n_a, n_b = _halves(n_samples)
    x = np.concatenate(
        [
            rng.normal((0.4, 0.4), noise, size=(n_a, 2)),
            rng.normal((-0.4, -0.4), noise, size=(n_b, 2)),
        ]
    )
    y = np.concatenate([np.ones(n_a), np.zeros(n_b)])
    return _two_class(
        "gaussians",
        x,
        y,
        ("lower left", "upper right"),
        "Two Gaussian clouds, one per class. A straight line separates them (almost fully "
        "when the noise is small), so a single neuron suffices.",
        rng,
    )


def spiral(
    rng: np.random.Generator, n_samples: int = 400, noise: float = 0.05, turns: float = 1.75
) -> Dataset:
    """Two interleaved spiral arms, radius 0..1, each turning ``turns`` times."""
    n_a, n_b = _halves(n_samples)
    parts = []
    for count, offset in ((n_a, 0.0), (n_b, np.pi)):
        r = np.linspace(0.0, 1.0, count, endpoint=False) + 0.02
        t = 2.0 * np.pi * turns * r + offset
        parts.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
    x = np.concatenate(parts) + noise * rng.standard_normal((n_samples, 2))
    y = np.concatenate([np.ones(n_a), np.zeros(n_b)])
    return _two_class(
        "spiral",
        x,
        y,
        ("arm B", "arm A"),
        "Two spiral arms wound into each other: the hardest of the Playground sets. It needs "
        "several hidden layers and overfits easily when noisy, which makes it a good place to "
        "try dropout, L2 and early stopping.",
        rng,
    )


def moons(rng: np.random.Generator, n_samples: int = 400, noise: float = 0.1) -> Dataset:
    """Two interleaving half circles, shifted and scaled into [-1, 1]²."""
    n_a, n_b = _halves(n_samples)
    t_a = rng.uniform(0.0, np.pi, n_a)
    t_b = rng.uniform(0.0, np.pi, n_b)
    upper = np.stack([np.cos(t_a), np.sin(t_a)], axis=1)
    lower = np.stack([1.0 - np.cos(t_b), 0.5 - np.sin(t_b)], axis=1)
    x = (np.concatenate([upper, lower]) - (0.5, 0.25)) * 0.65
    x += noise * rng.standard_normal((n_samples, 2))
    y = np.concatenate([np.zeros(n_a), np.ones(n_b)])
    return _two_class(
        "moons",
        x,
        y,
        ("upper moon", "lower moon"),
        "Two interleaving half moons. Almost separable by a curve, not by a line: a small "
        "hidden layer bends the decision boundary around them.",
        rng,
    )
