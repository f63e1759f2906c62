"""Thread-safe stop / pause / single-step control, checked by the trainer between batches."""

from __future__ import annotations

import threading


class TrainingControl:
    """Owned by the GUI thread, read by the training thread.

    While paused the trainer blocks before its next batch; ``step_batch`` lets exactly one
    more batch run, ``step_epoch`` the rest of the current epoch, then it pauses again.
    ``pauses`` counts the times the trainer came to rest while paused, and
    ``wait_for_rest`` lets a test wait for that moment instead of sleeping.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._stop = False
        self._paused = False
        self._budget: str | None = None  # None | "batch" | "epoch"
        self.pauses = 0
        self._resting = False

    @property
    def stopped(self) -> bool:
        return self._stop

    @property
    def paused(self) -> bool:
        return self._paused

    def request_stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._budget = None
            self._cond.notify_all()

    def step_batch(self) -> None:
        """While paused: run exactly one more batch, then pause again."""
        with self._cond:
            if self._paused:
                self._budget = "batch"
                self._resting = False
                self._cond.notify_all()

    def step_epoch(self) -> None:
        """While paused: run to the end of the current epoch, then pause again."""
        with self._cond:
            if self._paused:
                self._budget = "epoch"
                self._resting = False
                self._cond.notify_all()

    # --- the training thread's side ------------------------------------------------------

    def wait_for_batch(self) -> bool:
        """Block while paused (without a step budget); False when a stop was requested."""
        if not self._paused and not self._stop:
            return True
        with self._cond:
            if self._paused and self._budget is None and not self._stop:
                self._resting = True
                self.pauses += 1
                self._cond.notify_all()
            while self._paused and self._budget is None and not self._stop:
                self._cond.wait(0.5)
            self._resting = False
            return not self._stop

    def wait_for_rest(self, pauses: int, timeout: float = 30.0) -> bool:
        """Block until the trainer has come to rest while paused ``pauses`` times in all
        and rests now; False after ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: self.pauses >= pauses and self._resting,
                                       timeout)

    def batch_done(self) -> bool:
        """Called after a batch; True when a single-batch step just finished."""
        if self._budget != "batch":
            return False
        with self._cond:
            if self._budget == "batch":
                self._budget = None
                return True
            return False

    def epoch_done(self) -> bool:
        """Called after an epoch; True when a single-epoch step just finished."""
        if self._budget != "epoch":
            return False
        with self._cond:
            if self._budget == "epoch":
                self._budget = None
                return True
            return False
