"""Parts of a dataset by row number, scaled when read: no scaled copy of the whole data.

    part = ScaledPart.of(dataset, rows, scaler, "digits (train)")
    part.x[:32]                   # (32, *sample_shape) float32, gathered and scaled now
    part.x[order[:32]]            # any rows in any order: one batch
    part.x.subset(slice(0, 5000)) # a lazy view: nothing is read yet
    np.asarray(part.x)            # the whole part scaled (a copy of the part's size)

A split of 60,000 MNIST images so costs the 188 MB of the dataset once, plus one batch,
instead of a scaled float32 copy of every part (and a float64 one while scaling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nnstudio.training.datasets.dataset import Dataset, Task
from nnstudio.training.datasets.scaling import Scaler


class ScaledRows:
    """Array-like ``(n, *sample_shape)`` float32: ``source[rows]`` scaled by ``scaler``.

    Indexing reads: it gathers the rows asked for (one copy, the size of the result) and
    scales that copy in place; the result is a new array, never a view of ``source``.
    ``len``, ``shape``, ``ndim`` and ``dtype`` behave as for the array it stands for.
    """

    def __init__(self, source: np.ndarray, rows: np.ndarray, scaler: Scaler) -> None:
        self.source = source
        self.rows = np.asarray(rows, dtype=np.intp)
        self.scaler = scaler

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), *self.source.shape[1:])

    @property
    def ndim(self) -> int:
        return int(self.source.ndim)

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.float32)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: Any) -> np.ndarray:
        if isinstance(index, tuple):  # rows first, then the rest of the index
            head, rest = (index[0], index[1:]) if index else (slice(None), ())
            batch = self[head]
            single = np.ndim(self.rows[head]) == 0
            return batch[rest] if single else batch[(slice(None), *rest)]
        picked = self.rows[index]
        if np.ndim(picked) == 0:  # one sample: no batch axis, as for an array
            return self.read(np.reshape(picked, 1))[0]
        return self.read(picked)

    def subset(self, index: Any) -> ScaledRows:
        """The rows ``index`` of this part, still unread."""
        return ScaledRows(self.source, np.atleast_1d(self.rows[index]), self.scaler)

    def read(self, rows: np.ndarray) -> np.ndarray:
        """``source[rows]`` as a new float32 array, scaled (rows of ``source``, not of
        this part)."""
        batch = np.take(self.source, rows, axis=0)
        if batch.dtype != np.float32:
            batch = batch.astype(np.float32)
        return self.scaler.scale_in_place(batch)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        whole = self.read(self.rows)
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"ScaledRows(shape={self.shape}, scaling={self.scaler.kind})"


@dataclass(frozen=True, eq=False)
class ScaledPart:
    """One part of a split: the rows ``rows`` of ``dataset``.

    x: the part's inputs, scaled when read (``ScaledRows``); y: its targets as the dataset
    has them (a copy: targets are small next to inputs).
    """

    name: str
    dataset: Dataset
    rows: np.ndarray
    x: ScaledRows
    y: np.ndarray

    @classmethod
    def of(cls, dataset: Dataset, rows: np.ndarray, scaler: Scaler, name: str) -> ScaledPart:
        rows = np.asarray(rows, dtype=np.intp)
        return cls(name, dataset, rows, ScaledRows(dataset.x, rows, scaler), dataset.y[rows])

    @property
    def n_samples(self) -> int:
        return len(self.rows)

    @property
    def task(self) -> Task:
        return self.dataset.task


@dataclass(frozen=True)
class ScaledSplit:
    """Train / validation / test parts of one dataset (``test`` None without a test
    fraction)."""

    train: ScaledPart
    val: ScaledPart
    test: ScaledPart | None
