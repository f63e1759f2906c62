"""The process backend: a QThread in the GUI process drives a training child process.

Why: in a thread, the training loop competes with the GUI thread for the GIL, and small
models (Python code between tiny NumPy calls) starve the event loop. In a child process
the loop has its own interpreter; the GUI process only unpickles about 30 small messages
per second (see ``nnstudio.training.remote`` for the protocol).

- ``TrainingProcess``: one spawned child (``multiprocessing`` spawn context, so it never
  inherits Qt state), reused run after run; ``process_pool()`` keeps an idle one ready
  (pre-spawned when the training UI is installed, so pressing Train does not wait for the
  child's imports) and ends them all at exit (quit, join with a timeout, then terminate).
- ``RemoteControl``: the controller's stop/pause/resume/step commands, sent to the child.
- ``ProcessWorker``: lives in a QThread; sends the run, turns the child's messages into
  ``ProgressBatch`` objects (fresh, unpickled: no array is shared with the child or with
  another thread) and emits them; a child error arrives as a Finished record with reason
  "error", and a child that dies without one becomes such a record too.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from nnstudio.training.records import Finished, TrainingResults
from nnstudio.training.remote import ProgressMessage, RunOutcome, RunRequest, child_main
from nnstudio.ui.training.evaluation import evaluate
from nnstudio.ui.training.worker import ProgressBatch

RECEIVE_POLL_S = 0.1
CLOSE_TIMEOUT_S = 2.0
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def child_blas_threads() -> int:
    """BLAS threads for the child: all cores but one, which stays with the GUI.

    Measured on 2 cores: with two OpenBLAS threads (spinning while they wait) next to the
    GUI and other load, digits_cnn trained at half the speed it reaches with one.
    """
    return max(1, (os.cpu_count() or 2) - 1)


@contextmanager
def _child_environment() -> Iterator[None]:
    """Set the BLAS thread count for a child about to start (unless the user set it)."""
    saved = {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES}
    threads = str(child_blas_threads())
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, threads)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)


class TrainingProcess:
    """A child process running ``remote.child_main``; one run at a time."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        child_commands, commands = ctx.Pipe(duplex=False)
        messages, child_messages = ctx.Pipe(duplex=False)
        self.process: BaseProcess = ctx.Process(
            target=child_main, args=(child_commands, child_messages),
            name="nnstudio-training", daemon=True)
        with _child_environment():
            self.process.start()
        child_commands.close()  # the child holds its own ends; closing ours makes a
        child_messages.close()  # dead child show up as end-of-file
        self.commands: Connection = commands
        self.messages: Connection = messages
        self._send_lock = threading.Lock()
        self.broken = False  # a pipe failed or the child died

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return not self.broken and self.process.is_alive()

    def send(self, command: tuple[Any, ...]) -> bool:
        """Send a command (from any thread); False if the child is gone."""
        with self._send_lock:
            try:
                self.commands.send(command)
                return True
            except (OSError, ValueError):
                self.broken = True
                return False

    def terminate(self) -> None:
        """Kill the child now (its run is lost); the pipes stay open for the reader."""
        self.broken = True
        self.process.kill()

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> int | None:
        """Ask the child to quit, wait up to ``timeout_s``, then terminate it; returns the
        exit code."""
        if self.process.is_alive():
            self.send(("quit",))
            self.process.join(timeout_s)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)
        self.broken = True
        for conn in (self.commands, self.messages):
            conn.close()
        return self.process.exitcode


class ProcessPool:
    """Idle training processes of this GUI process (GUI thread only)."""

    def __init__(self) -> None:
        self.idle: list[TrainingProcess] = []
        self.spawned = 0

    def prespawn(self) -> None:
        """Make sure one idle child is starting or ready."""
        self.idle = [p for p in self.idle if p.alive()]
        if not self.idle:
            self.idle.append(self._spawn())

    def acquire(self) -> TrainingProcess:
        """An idle child (spawned now if there is none)."""
        while self.idle:
            process = self.idle.pop()
            if process.alive():
                return process
            process.close(0.0)
        return self._spawn()

    def release(self, process: TrainingProcess) -> None:
        """Take back a child after a run (a broken one is ended instead)."""
        if process.alive():
            self.idle.append(process)
        else:
            process.close(0.0)

    def close_all(self) -> None:
        processes, self.idle = self.idle, []
        for process in processes:
            process.close()

    def _spawn(self) -> TrainingProcess:
        self.spawned += 1
        return TrainingProcess()


_pool: ProcessPool | None = None


def process_pool() -> ProcessPool:
    """The pool of this GUI process (created on first use; emptied at exit)."""
    global _pool
    if _pool is None:
        _pool = ProcessPool()
        atexit.register(_pool.close_all)
    return _pool


class RemoteControl:
    """The controller's run commands (GUI thread), forwarded to the child.

    Commands given before the worker thread has sent the run itself wait here, so the
    child reads them after the run (a command to an idle child is dropped as stale).
    """

    def __init__(self, process: TrainingProcess, paused: bool) -> None:
        self._process = process
        self._paused = paused
        self._stop = False
        self._lock = threading.Lock()
        self._waiting: list[tuple[Any, ...]] | None = []  # None once the run was sent

    def send_run(self, request: RunRequest) -> bool:
        """Send the run, then the commands given meanwhile (worker thread)."""
        with self._lock:
            ok = self._process.send(("run", request))
            waiting, self._waiting = self._waiting or [], None
            for command in waiting:
                ok = ok and self._process.send(command)
            return ok

    def _send(self, command: tuple[Any, ...]) -> None:
        with self._lock:
            if self._waiting is not None:
                self._waiting.append(command)
            else:
                self._process.send(command)

    @property
    def stopped(self) -> bool:
        return self._stop

    @property
    def paused(self) -> bool:
        return self._paused

    def request_stop(self) -> None:
        self._stop = True
        self._send(("stop",))

    def pause(self) -> None:
        self._paused = True
        self._send(("pause",))

    def resume(self) -> None:
        self._paused = False
        self._send(("resume",))

    def step_batch(self) -> None:
        if self._paused:
            self._send(("step_batch",))

    def step_epoch(self) -> None:
        if self._paused:
            self._send(("step_epoch",))


class ProcessWorker(QObject):
    """Drives one run in a child process from the QThread it is moved to.

    The same signals and attributes as ``TrainingWorker``; in addition ``results`` (what
    the run learned, None after an error), ``epoch``/``step`` (the trainer's counters at
    the end) and ``crashed`` (the child died without a Finished record).
    """

    progressed = Signal(object)
    """A ProgressBatch (at most about 30 per second: the child throttles)."""
    finished = Signal(object)
    """The run's Finished record (exactly once, after the last ``progressed``)."""

    def __init__(self, process: TrainingProcess, request: RunRequest, control: RemoteControl,
                 targets: Mapping[str, np.ndarray] | None = None) -> None:
        super().__init__()
        self.process = process
        self.request = request
        self.control = control
        self._targets = dict(targets or {})
        self.outcome: Finished | None = None
        self.results: TrainingResults | None = None
        self.epoch = 0
        self.step = 0
        self.crashed = False
        self.ended_at: float | None = None  # perf_counter() when the end was received
        self.emits = 0

    @Slot()
    def run(self) -> None:
        """Send the run and relay the child's messages until the run ends."""
        proc = self.process
        outcome: RunOutcome | None = None
        try:
            if self.control.send_run(self.request):
                outcome = self._receive()
        except (EOFError, OSError):
            outcome = None
        self.ended_at = time.perf_counter()
        if outcome is None:
            proc.broken = True
            self.crashed = True
            proc.process.join(1.0)
            code = proc.process.exitcode
            detail = f" (exit code {code})" if code is not None else ""
            self.outcome = Finished(
                "error", f"The training process ended unexpectedly{detail}; the weights "
                "learned in this run are lost.", 0, None)
        else:
            self.outcome = outcome.finished
            self.results = outcome.results
            self.epoch, self.step = outcome.epoch, outcome.step
        self.finished.emit(self.outcome)

    def _receive(self) -> RunOutcome | None:
        conn, proc = self.process.messages, self.process
        while True:
            if not conn.poll(RECEIVE_POLL_S):
                if not proc.process.is_alive() and not conn.poll():
                    return None
                continue
            message = conn.recv()
            kind = message[0]
            if kind == "progress":
                self._emit(message[1])
            elif kind == "finished":
                outcome: RunOutcome = message[1]
                return outcome

    def _emit(self, message: ProgressMessage) -> None:
        evaluation = None
        found = message.predictions
        if found is not None and found.split in self._targets:
            evaluation = evaluate(found.values, self._targets[found.split], found.epoch,
                                  found.step, found.split)
        self.emits += 1
        self.progressed.emit(ProgressBatch(message.epochs, message.steps, message.snapshot,
                                           evaluation, message.position))
