"""The in-memory dataset: inputs, targets, the task, and names."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.datasets.errors import DatasetError

Task = Literal["regression", "binary", "classification", "multilabel"]
TASKS: tuple[str, ...] = get_args(Task)


@dataclass(frozen=True, eq=False)
class Dataset:
    """One dataset, validated on construction; its arrays are made read-only.

    x: ``(N, F)`` float32 for tables or ``(N, C, H, W)`` float32 for images.
    y: regression ``(N, T)`` float32; binary ``(N, 1)`` float32 in {0, 1};
       classification ``(N,)`` int64 labels ``0..K-1``; multilabel ``(N, T)`` float32 in {0, 1}.
    feature_names: one per column of a table; empty for images.
    class_names: one per class (classification; optional for binary, ``(negative, positive)``).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    task: Task
    feature_names: tuple[str, ...] = ()
    class_names: tuple[str, ...] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        _validate(self)
        self.x.flags.writeable = False
        self.y.flags.writeable = False

    @property
    def n_samples(self) -> int:
        """Number of samples N."""
        return int(self.x.shape[0])

    @property
    def n_features(self) -> int:
        """Number of input values per sample (F, or C*H*W for images)."""
        return int(np.prod(self.x.shape[1:]))

    @property
    def is_image(self) -> bool:
        """True for ``(N, C, H, W)`` inputs."""
        return self.x.ndim == 4

    @property
    def n_classes(self) -> int:
        """Number of classes K (classification only)."""
        if self.task != "classification":
            raise DatasetError(f"Dataset '{self.name}' is {self.task}, so it has no classes.")
        if self.class_names is not None:
            return len(self.class_names)
        return int(self.y.max()) + 1 if self.y.size else 0

    @property
    def n_targets(self) -> int:
        """Target width as a graph sees it: K for classification, else T."""
        if self.task == "classification":
            return self.n_classes
        return int(self.y.shape[1])

    def signature(self) -> DataSignature:
        """Shapes without the batch axis and the targets' range, for graph validation."""
        numeric = self.task != "classification" and self.y.size > 0
        return DataSignature(
            input_shape=tuple(int(d) for d in self.x.shape[1:]),
            target_kind=self.task,
            n_targets=self.n_targets,
            feature_names=() if self.is_image else self.feature_names,
            target_min=float(self.y.min()) if numeric else None,
            target_max=float(self.y.max()) if numeric else None,
            n_samples=int(self.x.shape[0]),
        )

    def subset(self, indices: np.ndarray, name: str | None = None) -> Dataset:
        """A new dataset with the rows ``indices`` (copies), same names and task."""
        return dataclasses.replace(
            self, name=name or self.name, x=self.x[indices].copy(), y=self.y[indices].copy()
        )

    def with_x(self, x: np.ndarray) -> Dataset:
        """The same dataset with new inputs of the same shape (e.g. after scaling)."""
        return dataclasses.replace(self, x=x)


def as_binary(ds: Dataset) -> Dataset:
    """A 2-class classification dataset as a binary one: ``y`` becomes ``(N, 1)`` float32."""
    if ds.task == "binary":
        return ds
    if ds.task != "classification" or ds.n_classes != 2:
        raise DatasetError(
            f"Dataset '{ds.name}' cannot be used as binary: it needs exactly 2 classes."
        )
    y = ds.y.astype(np.float32).reshape(-1, 1)
    return dataclasses.replace(ds, y=y, task="binary")


def all_finite(a: np.ndarray, block: int = 1 << 20) -> bool:
    """True if every value of ``a`` is finite; checked in blocks of ``block`` values, so
    the check of a large table needs no table-sized temporary."""
    if a.ndim == 0 or a.size == 0:
        return bool(np.isfinite(a).all())
    rows = max(1, block // max(1, a[0].size))
    return all(bool(np.isfinite(a[i:i + rows]).all()) for i in range(0, a.shape[0], rows))


def _validate(ds: Dataset) -> None:
    where = f"Dataset '{ds.name}'"
    if ds.task not in TASKS:
        raise DatasetError(f"{where} has unknown task '{ds.task}' (use one of {TASKS}).")
    x, y = ds.x, ds.y
    if not isinstance(x, np.ndarray) or x.dtype != np.float32 or x.ndim not in (2, 4):
        raise DatasetError(f"{where}: x must be a float32 array of shape (N, F) or (N, C, H, W).")
    if not isinstance(y, np.ndarray) or y.shape[:1] != x.shape[:1]:
        raise DatasetError(f"{where}: x and y must have the same number of samples.")
    if not all_finite(x):
        raise DatasetError(f"{where}: x contains NaN or infinite values.")
    if ds.task == "classification":
        if y.dtype != np.int64 or y.ndim != 1:
            raise DatasetError(f"{where}: classification y must be int64 labels of shape (N,).")
        n_classes = len(ds.class_names) if ds.class_names is not None else None
        if y.size and (y.min() < 0 or (n_classes is not None and y.max() >= n_classes)):
            raise DatasetError(f"{where}: class labels must lie in 0..K-1.")
    else:
        if y.dtype != np.float32 or y.ndim != 2:
            raise DatasetError(f"{where}: {ds.task} y must be float32 of shape (N, T).")
        if not all_finite(y):
            raise DatasetError(f"{where}: y contains NaN or infinite values.")
        if ds.task in ("binary", "multilabel") and not np.all((y == 0) | (y == 1)):
            raise DatasetError(f"{where}: {ds.task} targets must be 0 or 1.")
        if ds.task == "binary" and y.shape[1] != 1:
            raise DatasetError(f"{where}: binary y must have shape (N, 1).")
    if x.ndim == 2 and ds.feature_names and len(ds.feature_names) != x.shape[1]:
        raise DatasetError(
            f"{where}: {len(ds.feature_names)} feature names for {x.shape[1]} features."
        )
