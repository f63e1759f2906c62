"""Target encodings the losses need: integer labels, one-hot rows, float columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from nnstudio.training.datasets.dataset import Dataset
from nnstudio.training.datasets.errors import DatasetError

Encoding = Literal["labels", "one_hot", "float"]


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """labels: (N,) integers 0..K-1 -> (N, K) float32 rows with a single 1."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError("One-hot encoding needs a 1-D array of integer class labels.")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise DatasetError(f"Class labels must lie in 0..{n_classes - 1} for one-hot encoding.")
    out = np.zeros((labels.shape[0], n_classes), dtype=np.float32)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def labels_from_scores(scores: np.ndarray) -> np.ndarray:
    """scores or one-hot rows: (N, K) -> (N,) int64 index of the largest entry."""
    return np.asarray(scores).argmax(axis=1).astype(np.int64)


def target_array(ds: Dataset, encoding: Encoding = "labels") -> np.ndarray:
    """The targets of ``ds`` as a loss wants them.

    classification: ``labels`` -> (N,) int64 (cross-entropy with class indices);
    ``one_hot`` or ``float`` -> (N, K) float32 (e.g. MSE against a softmax).
    Other tasks are already (N, T) float32 and are returned as they are.
    """
    if ds.task != "classification":
        return ds.y
    if encoding == "labels":
        return ds.y
    if encoding in ("one_hot", "float"):
        return one_hot(ds.y, ds.n_classes)
    raise DatasetError(f"Unknown target encoding '{encoding}' (use labels, one_hot or float).")


def encode_categories(cells: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Text class values -> (N,) int64 labels and the sorted class names.

    Names that are all numbers sort numerically ("2" before "10"), others alphabetically.
    """
    distinct = set(cells)
    try:
        ordered = sorted(distinct, key=float)
    except ValueError:
        ordered = sorted(distinct)
    index = {name: i for i, name in enumerate(ordered)}
    labels = np.fromiter((index[c] for c in cells), dtype=np.int64, count=len(cells))
    return labels, tuple(ordered)
