"""The worker: a QObject moved to a QThread that runs ``Trainer.run`` and reports progress.

Facts this design follows (measured on this stack, see DESIGN.md):

- ``Signal(object)`` hands the very same Python object to the receiving thread, so the
  worker emits only records it never touches again: the trainer's records hold copies of
  the plan's arrays, and every ``ProgressBatch`` is a fresh immutable object.
- Signals are connected only to ``@Slot`` methods of objects living in the GUI thread
  (a lambda would run in the worker thread).
- Emits are throttled to ``emit_interval_s`` (default 1/30 s): records are collected and
  sent as one batch; no epoch record is ever dropped, only older step records/snapshots.
- The training loop blocks this thread's event loop, so stop/pause/step travel through the
  thread-safe ``TrainingControl`` (``threading.Event``) that the trainer checks every batch.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from nnstudio.training.control import TrainingControl
from nnstudio.training.records import EpochRecord, Finished, Snapshot, StepRecord
from nnstudio.ui.training.evaluation import Evaluation

EMIT_INTERVAL_S = 1.0 / 30.0
EVALUATE_INTERVAL_S = 1.0
SWITCH_INTERVAL_S = 0.0005
"""While a run goes on, the GIL is handed over after 0.5 ms instead of CPython's 5 ms: the
GUI thread re-acquires the GIL after every Qt call, and small models keep it busy."""


@dataclass(frozen=True, eq=False)
class ProgressBatch:
    """Everything that happened since the previous batch.

    epochs: every EpochRecord in order; steps: the StepRecords (the trainer throttles them);
    snapshot / evaluation: only the newest of each (None if there was none); position: the
    trainer's (epoch, step) counters when the batch was sent (process backend; None when
    unknown).
    """

    epochs: tuple[EpochRecord, ...]
    steps: tuple[StepRecord, ...]
    snapshot: Snapshot | None
    evaluation: Evaluation | None
    position: tuple[int, int] | None = None


class _Collector:
    """Gathers records between two emits (lives in the worker thread only)."""

    def __init__(self) -> None:
        self.epochs: list[EpochRecord] = []
        self.steps: list[StepRecord] = []
        self.snapshot: Snapshot | None = None
        self.evaluation: Evaluation | None = None

    def clear(self) -> None:
        self.epochs, self.steps = [], []
        self.snapshot = self.evaluation = None

    def empty(self) -> bool:
        return not (self.epochs or self.steps or self.snapshot or self.evaluation)

    def take(self) -> ProgressBatch:
        batch = ProgressBatch(tuple(self.epochs), tuple(self.steps), self.snapshot,
                              self.evaluation)
        self.clear()
        return batch


Evaluator = Callable[[int, int], Evaluation | None]
"""(epoch, step) -> an Evaluation of the current plan; called in the worker thread."""


class TrainingWorker(QObject):
    """Runs one training run in the thread it is moved to; ``run`` is started by the thread."""

    progressed = Signal(object)
    """A ProgressBatch (at most about 30 per second)."""
    finished = Signal(object)
    """The run's Finished record (exactly once, after the last ``progressed``)."""

    def __init__(self, records: Callable[[], Iterator[Any]], control: TrainingControl,
                 evaluator: Evaluator | None = None,
                 emit_interval_s: float = EMIT_INTERVAL_S) -> None:
        super().__init__()
        self._records = records
        self.control = control
        self._evaluator = evaluator
        self._interval = emit_interval_s
        self.outcome: Finished | None = None
        self.ended_at: float | None = None  # perf_counter() when the training loop ended
        self.emits = 0

    @Slot()
    def run(self) -> None:
        """Drive the trainer to its end; always emits ``finished`` exactly once."""
        collector = _Collector()
        last_emit = last_eval = 0.0
        old_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        outcome: Finished | None = None
        try:
            for record in self._records():
                if isinstance(record, Finished):
                    outcome = record
                    break
                if isinstance(record, EpochRecord):
                    collector.epochs.append(record)
                elif isinstance(record, StepRecord):
                    collector.steps.append(record)
                elif isinstance(record, Snapshot):
                    collector.snapshot = record
                    now = time.perf_counter()
                    if self._evaluator is not None and now - last_eval >= EVALUATE_INTERVAL_S:
                        collector.evaluation = self._evaluator(record.epoch, record.step)
                        last_eval = time.perf_counter()
                now = time.perf_counter()
                if now - last_emit >= self._interval and not collector.empty():
                    self._emit(collector.take())
                    last_emit = now
        except Exception as error:  # a bug or a numeric failure must not kill the app
            outcome = Finished("error", f"Training failed: {error}", 0, None)
        self.ended_at = time.perf_counter()
        sys.setswitchinterval(old_interval)
        if self._evaluator is not None and collector.snapshot is not None:
            try:
                collector.evaluation = self._evaluator(collector.snapshot.epoch,
                                                       collector.snapshot.step)
            except Exception:  # the run's outcome matters more than one matrix
                collector.evaluation = None
        if not collector.empty():
            self._emit(collector.take())
        if outcome is None:
            outcome = Finished("error", "Training ended without a result.", 0, None)
        self.outcome = outcome
        self.finished.emit(outcome)

    def _emit(self, batch: ProgressBatch) -> None:
        self.emits += 1
        self.progressed.emit(batch)
