"""Numbers the panels need that the trainer's records do not carry (NumPy only, no Qt).

Computed in the worker thread between two training steps, so the plan is not changing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Classification quality on one split.

    confusion: (K, K) int64, rows = true class, columns = predicted class.
    true, predicted: (N,) int64 labels of the split's samples; probabilities: (N, K).
    split: "validation" or "training" (which samples these are).
    """

    epoch: int
    step: int
    split: str
    confusion: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    probabilities: np.ndarray


def class_probabilities(scores: np.ndarray) -> np.ndarray:
    """Plan.predict output -> (N, K) class probabilities (a single sigmoid column -> K = 2)."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        scores = scores[:, None]
    if scores.shape[1] == 1:
        p = np.clip(scores[:, 0], 0.0, 1.0)
        return np.stack([1.0 - p, p], axis=1)
    return scores


def true_labels(y: np.ndarray) -> np.ndarray:
    """Dataset targets -> (N,) int64 labels (classification labels or a binary column)."""
    y = np.asarray(y)
    if y.ndim == 2:
        return (y[:, 0] > 0.5).astype(np.int64)
    return y.astype(np.int64)


def evaluate(probabilities: np.ndarray, y: np.ndarray, epoch: int, step: int,
             split: str) -> Evaluation:
    """Confusion matrix of ``probabilities`` (N, K) against targets ``y``."""
    probs = class_probabilities(probabilities)
    true = true_labels(y)
    predicted = np.argmax(probs, axis=1).astype(np.int64)
    k = max(probs.shape[1], int(true.max(initial=0)) + 1)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (true, predicted), 1)
    return Evaluation(epoch, step, split, confusion, true.copy(), predicted, probs.copy())
