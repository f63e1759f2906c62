"""Train / validation / test splits, stratified by class where the task has classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnstudio.training.datasets.dataset import Dataset
from nnstudio.training.datasets.errors import DatasetError


@dataclass(frozen=True)
class Split:
    """Disjoint parts of one dataset; ``test`` is None when no test fraction was asked."""

    train: Dataset
    val: Dataset
    test: Dataset | None


def _largest_remainder(counts: np.ndarray, total: int) -> np.ndarray:
    """Share ``total`` between groups in proportion to ``counts`` (integers summing to total)."""
    if counts.sum() == 0:
        return np.zeros_like(counts)
    exact = counts * (total / counts.sum())
    share = np.floor(exact).astype(np.int64)
    leftover = total - int(share.sum())
    order = np.argsort(-(exact - share), kind="stable")
    share[order[:leftover]] += 1
    return np.minimum(share, counts)


def _strata(ds: Dataset) -> np.ndarray | None:
    if ds.task == "classification":
        return ds.y
    if ds.task == "binary":
        return ds.y[:, 0].astype(np.int64)
    return None


@dataclass(frozen=True, eq=False)
class SplitIndices:
    """Row numbers of each part in the whole dataset (int64 arrays; ``test`` is None when
    no test fraction was asked)."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray | None


def split_dataset(
    ds: Dataset,
    val_fraction: float = 0.2,
    test_fraction: float = 0.0,
    seed: int = 0,
    stratify: bool = True,
) -> Split:
    """Shuffle and split ``ds``; val gets round(N·val_fraction) samples, test likewise.

    With ``stratify`` (classification and binary tasks) each class is shared out in the
    same proportions. Each part keeps the shuffled order; the same seed gives the same split.
    """
    rows = split_indices(ds, val_fraction, test_fraction, seed, stratify)
    return Split(
        train=ds.subset(rows.train, f"{ds.name} (train)"),
        val=ds.subset(rows.val, f"{ds.name} (validation)"),
        test=ds.subset(rows.test, f"{ds.name} (test)") if rows.test is not None else None,
    )


def split_indices(
    ds: Dataset,
    val_fraction: float = 0.2,
    test_fraction: float = 0.0,
    seed: int = 0,
    stratify: bool = True,
) -> SplitIndices:
    """The rows of each part of ``split_dataset(ds, ...)`` (same arguments, same rows)."""
    if not (0.0 <= val_fraction < 1.0 and 0.0 <= test_fraction < 1.0):
        raise DatasetError("Validation and test fractions must lie between 0 and 1.")
    n = ds.n_samples
    n_val = round(n * val_fraction)
    n_test = round(n * test_fraction)
    if n - n_val - n_test < 1:
        raise DatasetError(
            f"Dataset '{ds.name}' has {n} samples: too few to keep any for training after "
            f"{n_val} for validation and {n_test} for test."
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    strata = _strata(ds) if stratify else None
    if strata is None:
        test_idx, val_idx, train_idx = (
            order[:n_test],
            order[n_test : n_test + n_val],
            order[n_test + n_val :],
        )
    else:
        groups = [order[strata[order] == k] for k in np.unique(strata)]
        counts = np.array([len(g) for g in groups])
        test_counts = _largest_remainder(counts, n_test)
        val_counts = _largest_remainder(counts - test_counts, n_val)
        tests, vals, trains = [], [], []
        for group, t, v in zip(groups, test_counts, val_counts, strict=True):
            tests.append(group[:t])
            vals.append(group[t : t + v])
            trains.append(group[t + v :])
        test_idx = rng.permutation(np.concatenate(tests))
        val_idx = rng.permutation(np.concatenate(vals))
        train_idx = rng.permutation(np.concatenate(trains))
    return SplitIndices(train_idx, val_idx, test_idx if test_fraction > 0 else None)
