"""Divergence: a run whose numbers blow up stops, and gets back its last good values.

A run diverges when a batch loss is NaN or infinite, or grows beyond ``LOSS_GROWTH`` times
its reference (the run's first batch loss, or the first epoch of the project's history,
whichever is larger), or when any parameter, buffer (BatchNorm's running statistics) or
optimizer state (momentum, Adam's and RMSprop's averages) holds NaN or ±inf.

Looking at every array costs about what copying it costs, so the trainer does not do it
every batch: ``Checkpoint.take`` checks all arrays and copies them every ``CHECK_EVERY``
batches (and at the first batch of each epoch), right after a batch loss said the values
are good and before the optimizer changes them; the end of each epoch checks them again.
``Checkpoint.restore`` copies the newest take back: parameters, buffers and optimizer
state, so a run that diverges leaves nothing infinite or exploded behind.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import numpy as np

from nnstudio.engine.optimizers import Optimizer

CHECK_EVERY = 32      # batches between checkpoints (a check + copy costs ~1 % of them)
LOSS_GROWTH = 1e4     # a batch loss this many times its reference means divergence
LOSS_FLOOR = 1e-2     # the smallest reference (a run starting at a loss of ~0)

SLOT_NAMES = {"momentum_buffer": "momentum", "exp_avg": "average gradient",
              "exp_avg_sq": "average squared gradient",
              "square_avg": "average squared gradient"}


class LossGuard:
    """Says when a batch loss shows divergence (see the module docstring)."""

    def __init__(self, history_loss: float | None = None) -> None:
        self.reference: float | None = None
        self._history = history_loss if history_loss is not None and math.isfinite(
            history_loss) else None

    def problem(self, loss: float) -> str | None:
        """None for a good loss, else what is wrong with it (part of a sentence)."""
        if not math.isfinite(loss):
            return f"the loss became {loss}"
        if self.reference is None:
            self.reference = max(loss, self._history or 0.0, LOSS_FLOOR)
        if loss > LOSS_GROWTH * self.reference:
            return f"the loss grew from {self.reference:.3g} to {loss:.3g}"
        return None


class Checkpoint:
    """The newest values of a run known to be good, and the checks that find bad ones.

    params: optimizer key -> live parameter array; buffers: label -> live buffer array;
    labels: optimizer key -> how a sentence names that parameter. The copies are made once
    and refilled in place by every ``take``.
    """

    def __init__(self, params: Mapping[Hashable, np.ndarray],
                 buffers: Mapping[str, np.ndarray], labels: Mapping[Hashable, str],
                 optimizer: Optimizer) -> None:
        self.params = dict(params)
        self.buffers = dict(buffers)
        self.labels = dict(labels)
        self.optimizer = optimizer
        self.position: tuple[int, int] | None = None  # (epoch, batch) of the newest take
        self._arrays: dict[Hashable, np.ndarray] = {}
        self._state: dict[Hashable, dict[str, np.ndarray]] = {}
        self._steps: dict[Hashable, int] = {}

    def problem(self) -> str | None:
        """The first array holding NaN or ±inf, named; None when all are finite."""
        for key, array in self.params.items():
            if not np.isfinite(array).all():
                return f"the {self.labels.get(key, key)} became infinite or NaN"
        for label, array in self.buffers.items():
            if not np.isfinite(array).all():
                return f"the {label} became infinite or NaN"
        for key, slots in self.optimizer.state.items():
            for slot, array in slots.items():
                if not np.isfinite(array).all():
                    return (f"the optimizer's {SLOT_NAMES.get(slot, slot)} for the "
                            f"{self.labels.get(key, key)} became infinite or NaN")
        return None

    def take(self, epoch: int, batch: int) -> str | None:
        """Copy every array if all are finite (returns None), else return the problem."""
        problem = self.problem()
        if problem is not None:
            return problem
        for key, array in [*self.params.items(), *self.buffers.items()]:
            self._arrays[key] = _refilled(self._arrays.get(key), array)
        state: dict[Hashable, dict[str, np.ndarray]] = {}
        for key, slots in self.optimizer.state.items():
            kept = self._state.get(key, {})
            state[key] = {slot: _refilled(kept.get(slot), array) for slot, array in slots.items()}
        self._state = state
        self._steps = dict(self.optimizer.steps)
        self.position = (epoch, batch)
        return None

    def restore(self) -> bool:
        """Put the newest take back in place; False when nothing was ever taken."""
        if self.position is None:
            return False
        for key, array in [*self.params.items(), *self.buffers.items()]:
            np.copyto(array, self._arrays[key])
        opt = self.optimizer
        opt.state = {key: {slot: array.copy() for slot, array in slots.items()}
                     for key, slots in self._state.items()}
        opt.steps = dict(self._steps)
        return True


def _refilled(kept: np.ndarray | None, array: np.ndarray) -> np.ndarray:
    """``kept`` holding a copy of ``array`` (a new copy when ``kept`` does not fit)."""
    if kept is None or kept.shape != array.shape or kept.dtype != array.dtype:
        return array.copy()
    np.copyto(kept, array)
    return kept
