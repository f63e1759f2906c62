"""Learning-rate schedules: constant, step, exponential, cosine and reduce-on-plateau."""

from __future__ import annotations

import math

from nnstudio.training.settings import TrainingSettings


class LRSchedule:
    """The learning rate for each epoch (epochs count from 1, across resumed runs).

    step: lr·γ^⌊(e−1)/step_size⌋; exponential: lr·γ^(e−1); cosine: from lr down to
    min_lr over ``settings.epochs`` epochs; plateau: multiply by ``plateau_factor`` after
    ``plateau_patience`` epochs without a lower validation loss. Never below ``min_lr``.
    """

    def __init__(self, settings: TrainingSettings) -> None:
        self.s = settings
        self._plateau_lr = settings.lr
        self._best = math.inf
        self._bad_epochs = 0

    def lr_for(self, epoch: int) -> float:
        """Learning rate for epoch ``epoch`` (1-based)."""
        s, e = self.s, epoch - 1
        if s.schedule == "constant":
            lr = s.lr
        elif s.schedule == "step":
            lr = s.lr * s.gamma ** (e // s.step_size)
        elif s.schedule == "exponential":
            lr = s.lr * s.gamma**e
        elif s.schedule == "cosine":
            t = min(e, s.epochs) / s.epochs
            return s.min_lr + (s.lr - s.min_lr) * 0.5 * (1.0 + math.cos(math.pi * t))
        else:
            lr = self._plateau_lr
        return max(lr, s.min_lr)

    def observe(self, val_loss: float | None) -> None:
        """Tell the schedule an epoch's monitored loss (used by reduce-on-plateau)."""
        if self.s.schedule != "plateau" or val_loss is None or not math.isfinite(val_loss):
            return
        if val_loss < self._best:
            self._best = val_loss
            self._bad_epochs = 0
            return
        self._bad_epochs += 1
        if self._bad_epochs >= self.s.plateau_patience:
            self._plateau_lr = max(self._plateau_lr * self.s.plateau_factor, self.s.min_lr)
            self._bad_epochs = 0
