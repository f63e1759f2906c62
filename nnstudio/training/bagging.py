"""Bagging: bootstrap samples for K ensemble members and averaging of their predictions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_BOOTSTRAP_STREAM = 7919  # keeps bootstrap draws independent of the other seeded streams


def bootstrap_indices(n_samples: int, member: int, seed: int) -> np.ndarray:
    """(n_samples,) row indices drawn with replacement, fixed by ``seed`` and ``member``."""
    rng = np.random.default_rng([seed, _BOOTSTRAP_STREAM, member])
    return rng.integers(0, n_samples, size=n_samples)


def average_predictions(predictions: Sequence[np.ndarray]) -> np.ndarray:
    """Mean of the members' ``Plan.predict`` outputs (probabilities or values): (N, P)."""
    stacked = np.stack([np.asarray(p, dtype=np.float64) for p in predictions])
    return stacked.mean(axis=0)
