"""A run's description for the live panels: task, class names, the data they draw, and
the counters the run starts from. The training process sends it first, so the window
never builds a trainer or a copy of the split of its own."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnstudio.training.prepared import PreparedRun

SHOWN_SAMPLES = 5000
"""At most this many samples of each split travel to the window: validation samples for
the confusion panel, and for data of one or two features the scatter's points (the split
is shuffled, so these are a random sample; a million points would take the window
gigabytes and seconds a frame)."""


@dataclass(frozen=True, eq=False)
class RunInfo:
    """The data of a run as the panels draw it (all arrays in ORIGINAL units, copies).

    task: regression | binary | classification | multilabel; class_names: K names or ();
    train_x/val_x: (N, F) or (N, C, H, W) — for data with at most two features the first
    ``SHOWN_SAMPLES`` samples of each split (the decision-boundary scatter), else no
    training samples and the first ``SHOWN_SAMPLES`` validation samples; train_y/val_y:
    their targets as the dataset has them; early_stopping/patience from the settings;
    epochs: planned epochs of this run; first_epoch/first_step: the trainer's counters when
    the run started.
    """

    task: str
    class_names: tuple[str, ...]
    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    early_stopping: bool
    patience: int
    epochs: int
    first_epoch: int
    first_step: int = 0
    steps_per_epoch: int = 0
    """Optimisation steps in one epoch (all bagging members together; 0 = unknown)."""
    train_samples: int = 0
    """Samples in the training split (all of them, also when ``train_x`` is empty)."""
    notes: tuple[str, ...] = ()
    """Sentences to show as the run starts (stored values that no longer fit, ...)."""

    @property
    def is_image(self) -> bool:
        return self.train_x.ndim == 4

    @property
    def n_features(self) -> int:
        return int(np.prod(self.train_x.shape[1:]))


def steps_per_epoch(prepared: PreparedRun) -> int:
    """Optimisation steps in one epoch: batches per pass, times the bagging members (each
    trains on a bootstrap sample as large as the training split)."""
    n_train = prepared.split.train.n_samples
    batch = prepared.settings.effective_batch_size(n_train)
    return max(prepared.settings.bagging_members, 1) * max(math.ceil(n_train / batch), 1)


def describe_run(prepared: PreparedRun, epoch: int, step: int,
                 epochs: int | None = None) -> RunInfo:
    """The RunInfo of a run on ``prepared`` that starts after ``epoch``/``step``."""
    ds, rows = prepared.dataset, prepared.rows
    names: tuple[str, ...] = tuple(ds.class_names or ())
    if prepared.task == "binary" and not names:
        names = ("0", "1")
    small = ds.x.ndim == 2 and ds.x.shape[1] <= 2
    train_rows = rows.train[:SHOWN_SAMPLES] if small else rows.train[:0]
    val_rows = rows.val[:SHOWN_SAMPLES]
    settings = prepared.settings
    return RunInfo(
        task=prepared.task, class_names=names,
        train_x=np.array(ds.x[train_rows]), train_y=np.array(ds.y[train_rows]),
        val_x=np.array(ds.x[val_rows]), val_y=np.array(ds.y[val_rows]),
        early_stopping=settings.early_stopping, patience=settings.patience,
        epochs=settings.epochs if epochs is None else epochs, first_epoch=epoch,
        first_step=step, steps_per_epoch=steps_per_epoch(prepared),
        train_samples=prepared.split.train.n_samples, notes=prepared.notes)
