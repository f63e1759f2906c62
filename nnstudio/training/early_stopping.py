"""Early stopping on the validation loss, remembering the best epoch and its weights."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


class EarlyStopping:
    """Tracks the best monitored loss; ``should_stop`` after ``patience`` epochs without an
    improvement larger than ``min_delta``. ``keep_state`` copies the weights at the best."""

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best_loss = math.inf
        self.best_epoch: int | None = None
        self.epochs_since_best = 0
        self.best_state: Any = None

    def update(self, epoch: int, loss: float | None,
               state: Callable[[], Any] | None = None) -> bool:
        """Record epoch ``epoch``'s loss; True when it is a new best (state copied then)."""
        if loss is not None and math.isfinite(loss) and loss < self.best_loss - self.min_delta:
            self.best_loss = loss
            self.best_epoch = epoch
            self.epochs_since_best = 0
            if state is not None:
                self.best_state = state()
            return True
        self.epochs_since_best += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.best_epoch is not None and self.epochs_since_best >= self.patience
