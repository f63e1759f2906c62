"""Target encodings the losses need: integer labels, one-hot rows, float columns; and the
bound on the number of classes every importer checks before it allocates anything."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from nnstudio.safe_io import echo, memory_shortfall
from nnstudio.training.datasets.csv_text import is_number
from nnstudio.training.datasets.dataset import Dataset
from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.datasets.limits import MAX_CLASSES

Encoding = Literal["labels", "one_hot", "float"]


def class_count_problem(n_classes: int) -> str | None:
    """A clause if ``n_classes`` is beyond ``MAX_CLASSES``, else None."""
    if n_classes > MAX_CLASSES:
        return (f"would make {n_classes:,} classes; NN Studio handles at most "
                f"{MAX_CLASSES:,} classes")
    return None


def check_classes(n_classes: int, labels: np.ndarray, where: str, *,
                  names: Sequence[str] | None = None, path: Path | str | None = None,
                  array: str | None = None) -> None:
    """Refuse too many classes, or labels that hold a single class; ``where`` starts the
    sentence (e.g. "Target column 'y' of data.csv")."""
    problem = class_count_problem(n_classes)
    if problem is not None:
        raise DatasetError(f"{where} {problem}.", path=path, array=array)
    present = np.unique(labels) if labels.size else labels
    if present.size < 2:
        only = ""
        if present.size:
            label = int(present[0])
            only = f" ({echo(names[label]) if names and label < len(names) else label})"
        raise DatasetError(f"{where} holds only one class{only}; a classifier needs at least "
                           "two.", path=path, array=array)


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """labels: (N,) integers 0..K-1 -> (N, K) float32 rows with a single 1.

    Refuses (DatasetError) more than ``MAX_CLASSES`` classes or a table that does not fit
    in the memory free now, before allocating it.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError("One-hot encoding needs a 1-D array of integer class labels.")
    problem = class_count_problem(int(n_classes))
    if problem is not None:
        raise DatasetError(f"One-hot encoding {problem}.")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise DatasetError(f"Class labels must lie in 0..{n_classes - 1} for one-hot encoding.")
    shortfall = memory_shortfall(labels.shape[0] * int(n_classes) * 4)
    if shortfall is not None:
        raise DatasetError(f"One-hot encoding of {labels.shape[0]:,} samples into "
                           f"{n_classes:,} classes {shortfall}.")
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


def encode_categories(cells: Sequence[str] | np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Text class values -> (N,) int64 labels and the sorted class names.

    Names that are all numbers sort numerically ("2" before "10"), others alphabetically.
    """
    values = np.asarray(cells, dtype=str)
    names, labels = np.unique(values, return_inverse=True)
    labels = labels.reshape(-1).astype(np.int64)
    ordered = [str(n) for n in names.tolist()]
    if ordered and len(ordered) <= MAX_CLASSES and all(is_number(n) for n in ordered):
        order = np.argsort([float(n) for n in ordered], kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        labels = rank[labels]
        ordered = [ordered[i] for i in order.tolist()]
    return labels, tuple(ordered)
