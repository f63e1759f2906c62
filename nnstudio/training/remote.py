"""Training in a child process: the child's side of the protocol (no Qt).

The GUI starts ``child_main`` in a ``multiprocessing`` spawn-context process and talks to
it through two one-way pipes:

- commands (parent -> child): ``("run", RunRequest)``, ``("stop",)``, ``("pause",)``,
  ``("resume",)``, ``("step_batch",)``, ``("step_epoch",)``, ``("quit",)``. The child
  polls them between batches (never blocking while it trains); control commands that
  arrive while it is idle are stale and ignored.
- messages (child -> parent): ``("ready",)`` once after start-up, then per run
  ``("started", RunInfo)`` first (the run's task, data to draw and counters; missing when
  the run cannot start), ``("progress", ProgressBatch)`` at most ``SEND_INTERVAL_S``
  apart (every epoch record is kept, older snapshots are dropped; the confusion matrix is
  computed here), ``("paused", (epoch, step))`` each time a paused run comes to rest,
  and exactly one ``("finished", RunOutcome)``.

``run_request`` serves one run on any pair of connections: the window runs it in a child
process, tests may run it in a thread of their own (``serve_in_thread``); the messages
are the same.

The child serves any number of runs, one after the other, until ``quit`` or until the
parent goes away (a closed pipe).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.graph.errors import GraphError
from nnstudio.graph.files.project_file import ProjectFileError, project_from_bytes
from nnstudio.training.control import TrainingControl
from nnstudio.training.datasets import DatasetError
from nnstudio.training.evaluation import Evaluation, evaluate
from nnstudio.training.pacing import Pacer
from nnstudio.training.records import (
    EpochRecord,
    Finished,
    Snapshot,
    StepRecord,
    TrainingResults,
)
from nnstudio.training.run_info import describe_run
from nnstudio.training.settings import TrainingError
from nnstudio.training.trainer import Trainer

SEND_INTERVAL_S = 1.0 / 30.0
"""At most about 30 progress messages per second."""
POLL_INTERVAL_S = 0.005
"""Commands are read at most this often while training (a stop waits no longer)."""
PAUSED_POLL_S = 0.1


@dataclass(frozen=True)
class RunRequest:
    """One run: the project file's bytes and how to report.

    evaluate_interval_s: classification only — seconds between confusion matrices of the
    evaluation split (validation, or training when there is none); None = never.
    epochs: how many epochs (None: the settings'); 0 only describes the run and shows the
    stored weights (a snapshot and a confusion matrix) without training or results.
    """

    project: bytes
    base_dir: str | None = None
    snapshot_interval_s: float | None = None
    snapshot_sample: int = 0
    paused: bool = False
    epochs: int | None = None
    evaluate_interval_s: float | None = None


@dataclass(frozen=True, eq=False)
class ProgressBatch:
    """Everything since the previous message.

    epochs: every EpochRecord in order; steps: the StepRecords (the trainer throttles them);
    snapshot / evaluation: only the newest of each (None if there was none); position: the
    trainer's (epoch, step) counters when it was sent (None when unknown).
    """

    epochs: tuple[EpochRecord, ...]
    steps: tuple[StepRecord, ...]
    snapshot: Snapshot | None
    evaluation: Evaluation | None
    position: tuple[int, int] | None = None


@dataclass(frozen=True, eq=False)
class RunOutcome:
    """The end of a run: its Finished record, what it learned (None after an error), and
    the trainer's epoch and step counters at the end."""

    finished: Finished
    results: TrainingResults | None
    epoch: int
    step: int


class PipeControl(TrainingControl):
    """A TrainingControl fed by the commands pipe, read between batches.

    While paused it blocks on the pipe (after sending what is pending, so a single step
    shows up at once, and ``("paused", (epoch, step))`` once each time it comes to rest);
    while running it only peeks at the pipe every POLL_INTERVAL_S.
    """

    def __init__(self, commands: Connection, outbox: Outbox) -> None:
        super().__init__()
        self._commands = commands
        self._outbox = outbox
        self._last_poll = 0.0
        self.quit_requested = False

    def read_commands(self, timeout: float = 0.0) -> None:
        """Apply every command waiting in the pipe (waiting up to ``timeout`` for one)."""
        try:
            ready = self._commands.poll(timeout)
            while ready:
                self.apply(self._commands.recv())
                ready = self._commands.poll()
        except (EOFError, OSError):
            self.quit_requested = True
            self.request_stop()

    def apply(self, command: tuple[Any, ...]) -> None:
        name = command[0]
        if name == "stop":
            self.request_stop()
        elif name == "pause":
            self.pause()
        elif name == "resume":
            self.resume()
        elif name == "step_batch":
            self.step_batch()
        elif name == "step_epoch":
            self.step_epoch()
        elif name == "quit":
            self.quit_requested = True
            self.request_stop()

    def wait_for_batch(self) -> bool:
        now = time.perf_counter()
        if now - self._last_poll >= POLL_INTERVAL_S:
            self._last_poll = now
            self.read_commands()
        resting = False
        while self.paused and self._budget is None and not self.stopped:
            self._outbox.flush()
            if not resting:
                resting = True
                self.pauses += 1
                self._outbox.rest()
            self.read_commands(PAUSED_POLL_S)
        return not self.stopped


@dataclass
class Outbox:
    """Collects records in the child and sends them as one ProgressBatch, throttled."""

    messages: Connection
    interval_s: float = SEND_INTERVAL_S
    epochs: list[EpochRecord] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    snapshot: Snapshot | None = None
    evaluation: Evaluation | None = None
    position: Callable[[], tuple[int, int]] | None = None
    """The trainer's (epoch, step) counters, sent with every message."""
    last_sent: float = 0.0
    sent: int = 0
    _last_position: tuple[int, int] | None = None

    def add(self, record: EpochRecord | StepRecord | Snapshot) -> None:
        if isinstance(record, EpochRecord):
            self.epochs.append(record)
        elif isinstance(record, StepRecord):
            self.steps.append(record)
        else:
            self.snapshot = record

    def empty(self) -> bool:
        return not (self.epochs or self.steps or self.snapshot or self.evaluation)

    def flush_if_due(self) -> None:
        if time.perf_counter() - self.last_sent >= self.interval_s:
            self.flush()

    def rest(self) -> None:
        """Tell the parent the run is at rest while paused, at these counters."""
        position = None if self.position is None else self.position()
        self.messages.send(("paused", position))

    def flush(self) -> None:
        """Send what is pending (or only the counters, when they moved since)."""
        position = None if self.position is None else self.position()
        if self.empty() and position == self._last_position:
            return
        self._last_position = position
        message = ProgressBatch(tuple(self.epochs), tuple(self.steps), self.snapshot,
                                self.evaluation, position)
        self.epochs, self.steps = [], []
        self.snapshot = self.evaluation = None
        self.messages.send(("progress", message))
        self.last_sent = time.perf_counter()
        self.sent += 1


class _Evaluator:
    """Confusion matrices of the evaluation split, at most every ``interval_s``
    (classification tasks only)."""

    def __init__(self, trainer: Trainer, interval_s: float | None) -> None:
        split = trainer.split
        use_val = split.val.n_samples > 0
        self.split = "validation" if use_val else "training"
        self.x = split.val.x if use_val else split.train.x
        self.y = split.val.y if use_val else split.train.y
        self.trainer = trainer
        on = interval_s is not None and trainer.task in ("binary", "classification")
        self.interval_s = interval_s if on else None
        # a large validation split or an ensemble makes one evaluation slow
        self.pacer = Pacer(self.interval_s or 0.0)

    def due(self) -> bool:
        return self.interval_s is not None and self.pacer.due()

    @np.errstate(over="ignore", invalid="ignore", divide="ignore")  # huge weights: inf/NaN
    def evaluate(self, epoch: int, step: int) -> Evaluation | None:
        if self.interval_s is None:
            return None
        start = time.perf_counter()
        result = evaluate(self.trainer.predict_scaled(self.x), self.y, epoch, step, self.split)
        self.pacer.done(start)
        return result


def run_request(request: RunRequest, commands: Connection, messages: Connection) -> bool:
    """Serve one run; False when the parent asked to quit (or went away) meanwhile."""
    outbox = Outbox(messages)
    control = PipeControl(commands, outbox)
    if request.paused:
        control.pause()
    try:
        project = project_from_bytes(request.project)
        trainer = Trainer(project,
                          base_dir=None if request.base_dir is None else Path(request.base_dir),
                          snapshot_interval_s=request.snapshot_interval_s,
                          snapshot_sample=request.snapshot_sample)
    except (TrainingError, ProjectFileError, GraphError, DatasetError) as error:
        finished = Finished("error", f"Cannot train: {error}", 0, None)
        messages.send(("finished", RunOutcome(finished, None, 0, 0)))
        return True
    messages.send(("started", describe_run(trainer.prepared, trainer.epoch, trainer.step,
                                           request.epochs)))
    evaluator = _Evaluator(trainer, request.evaluate_interval_s)
    outbox.position = lambda: (trainer.epoch, trainer.step)
    outcome: Finished | None = None
    try:
        for record in trainer.run(control, request.epochs):
            if isinstance(record, Finished):
                outcome = record
                break
            outbox.add(record)
            if isinstance(record, Snapshot) and evaluator.due():
                outbox.evaluation = evaluator.evaluate(record.epoch, record.step)
            outbox.flush_if_due()
    except (BrokenPipeError, EOFError):
        raise
    except Exception as error:  # a bug or a numeric failure ends the run with a sentence
        outcome = Finished("error", f"Training failed: {error}", 0, None)
    if outcome is None:
        outcome = Finished("error", "Training ended without a result.", 0, None)
    results: TrainingResults | None = None
    try:
        if evaluator.interval_s is not None:
            outbox.evaluation = evaluator.evaluate(trainer.epoch, trainer.step)
        if outcome.reason != "error" and request.epochs != 0:
            results = trainer.results()
    except Exception as error:  # the outcome matters more than one matrix
        if outcome.reason != "error":
            outcome = Finished("error", f"Training failed at the end: {error}",
                               outcome.epochs_run, outcome.best_epoch)
    outbox.flush()
    messages.send(("finished", RunOutcome(outcome, results, trainer.epoch, trainer.step)))
    return not control.quit_requested


def child_main(commands: Connection, messages: Connection) -> None:
    """The child process: serve runs until ``quit`` or until the parent goes away."""
    try:
        messages.send(("ready",))
        while True:
            command = commands.recv()
            if command[0] == "quit":
                return
            if command[0] == "run" and not run_request(command[1], commands, messages):
                return
            # stop/pause/... while idle: left over from a run that has ended
    except (EOFError, OSError):
        return  # the parent closed the pipes (it ended or crashed)


def serve_in_thread() -> tuple[Connection, Connection, threading.Thread]:
    """``child_main`` in a daemon thread of this process (the in-process backend used by
    tests and benchmarks): returns the parent's (commands, messages) ends and the thread.
    The messages are the same as a child process sends."""
    child_commands, commands = multiprocessing.Pipe(duplex=False)
    messages, child_messages = multiprocessing.Pipe(duplex=False)
    thread = threading.Thread(target=child_main, args=(child_commands, child_messages),
                              name="nnstudio-training", daemon=True)
    thread.start()
    return commands, messages, thread
