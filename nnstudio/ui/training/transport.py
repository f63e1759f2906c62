"""One training transport: a QThread in the GUI process relays a training server's messages.

The server is ``nnstudio.training.remote.child_main``, reached through two one-way pipes:

- ``TrainingProcess``: a spawned child process (the default). In a thread, the training
  loop competes with the GUI thread for the GIL and small models (Python code between tiny
  NumPy calls) starve the event loop; in a child it has its own interpreter, and the GUI
  process only unpickles about 30 small messages a second.
- ``TrainingThread``: the same server in a thread of this process (``backend="thread"``,
  for tests and benchmarks): the same messages, no process start.

``process_pool()`` keeps an idle child ready (pre-spawned when the training UI is
installed, so pressing Train does not wait for the child's imports) and ends them all at
exit. ``RemoteControl`` forwards stop/pause/resume/step commands. ``RunRelay`` lives in a
QThread: it sends the run and turns the server's messages into signals for GUI-thread
slots (``started`` with the RunInfo, ``progressed`` with ProgressBatch objects, then
``finished``); a server that dies without a result becomes an "error" Finished record.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from nnstudio.training.records import Finished, TrainingResults
from nnstudio.training.remote import RunOutcome, RunRequest, child_main, serve_in_thread

RECEIVE_POLL_S = 0.1
CLOSE_TIMEOUT_S = 2.0
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BACKENDS = ("process", "thread")


def default_backend() -> str:
    """"process" unless NNSTUDIO_TRAINING_BACKEND says "thread"."""
    chosen = os.environ.get("NNSTUDIO_TRAINING_BACKEND", "process").strip().lower()
    return chosen if chosen in BACKENDS else "process"


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


class _Server:
    """What both servers share: the parent's pipe ends and a thread-safe ``send``."""

    commands: Connection
    messages: Connection

    def __init__(self) -> None:
        self._send_lock = threading.Lock()
        self.broken = False  # a pipe failed or the server died

    def running(self) -> bool:
        raise NotImplementedError

    def alive(self) -> bool:
        return not self.broken and self.running()

    def send(self, command: tuple[Any, ...]) -> bool:
        """Send a command (from any thread); False if the server is gone."""
        with self._send_lock:
            try:
                self.commands.send(command)
                return True
            except (OSError, ValueError):
                self.broken = True
                return False

    def exit_code(self) -> int | None:
        return None

    def terminate(self) -> None:
        """End the server now (its run is lost); the pipes stay open for the reader."""
        self.broken = True

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> int | None:
        raise NotImplementedError


class TrainingProcess(_Server):
    """A child process running ``remote.child_main``; one run at a time."""

    def __init__(self) -> None:
        super().__init__()
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
        self.commands, self.messages = commands, messages

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def running(self) -> bool:
        return self.process.is_alive()

    def exit_code(self) -> int | None:
        self.process.join(1.0)
        return self.process.exitcode

    def terminate(self) -> None:
        super().terminate()
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


class TrainingThread(_Server):
    """``remote.child_main`` in a thread of this process (tests, benchmarks)."""

    def __init__(self) -> None:
        super().__init__()
        self.commands, self.messages, self.thread = serve_in_thread()

    def running(self) -> bool:
        return self.thread.is_alive()

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> int | None:
        if self.thread.is_alive():
            self.send(("quit",))
            self.thread.join(timeout_s)
        self.broken = True
        for conn in (self.commands, self.messages):
            conn.close()
        return None


Server = TrainingProcess | TrainingThread


class ServerPool:
    """Idle training servers of this GUI process (GUI thread only)."""

    def __init__(self) -> None:
        self.idle: dict[str, list[Server]] = {name: [] for name in BACKENDS}
        self.spawned = 0

    def prespawn(self, backend: str = "process") -> None:
        """Make sure one idle server of ``backend`` is starting or ready."""
        self.idle[backend] = [s for s in self.idle[backend] if s.alive()]
        if not self.idle[backend]:
            self.idle[backend].append(self._spawn(backend))

    def acquire(self, backend: str = "process") -> Server:
        """An idle server (started now if there is none)."""
        while self.idle[backend]:
            server = self.idle[backend].pop()
            if server.alive():
                return server
            server.close(0.0)
        return self._spawn(backend)

    def release(self, server: Server) -> None:
        """Take back a server after a run (a broken one is ended instead)."""
        if server.alive():
            self.idle["thread" if isinstance(server, TrainingThread) else "process"].append(
                server)
        else:
            server.close(0.0)

    def close_all(self) -> None:
        servers = [s for group in self.idle.values() for s in group]
        self.idle = {name: [] for name in BACKENDS}
        for server in servers:
            server.close()

    def _spawn(self, backend: str) -> Server:
        self.spawned += 1
        return TrainingThread() if backend == "thread" else TrainingProcess()


_pool: ServerPool | None = None


def process_pool() -> ServerPool:
    """The pool of this GUI process (created on first use; emptied at exit)."""
    global _pool
    if _pool is None:
        _pool = ServerPool()
        atexit.register(_pool.close_all)
    return _pool


class RemoteControl:
    """The controller's run commands (GUI thread), forwarded to the server.

    Commands given before the relay thread has sent the run itself wait here, so the
    server reads them after the run (a command to an idle server is dropped as stale).
    """

    def __init__(self, server: Server, paused: bool) -> None:
        self._server = server
        self._paused = paused
        self._stop = False
        self._lock = threading.Lock()
        self._waiting: list[tuple[Any, ...]] | None = []  # None once the run was sent

    def send_run(self, request: RunRequest) -> bool:
        """Send the run, then the commands given meanwhile (relay thread)."""
        with self._lock:
            ok = self._server.send(("run", request))
            waiting, self._waiting = self._waiting or [], None
            for command in waiting:
                ok = ok and self._server.send(command)
            return ok

    def _send(self, command: tuple[Any, ...]) -> None:
        with self._lock:
            if self._waiting is not None:
                self._waiting.append(command)
            else:
                self._server.send(command)

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


class RunRelay(QObject):
    """Drives one run on a server from the QThread it is moved to.

    After the run: ``outcome`` (its Finished record), ``results`` (what it learned; None
    after an error or for a preview), ``epoch``/``step`` (the trainer's counters at the
    end) and ``crashed`` (the server died without a Finished record).
    """

    started = Signal(object)
    """The run's RunInfo (the server's first message)."""
    progressed = Signal(object)
    """A ProgressBatch (at most about 30 per second: the server throttles)."""
    rested = Signal(object)
    """A paused run came to rest: the trainer's (epoch, step) then."""
    finished = Signal(object)
    """The run's Finished record (exactly once, after the last ``progressed``)."""

    def __init__(self, server: Server, request: RunRequest, control: RemoteControl) -> None:
        super().__init__()
        self.server = server
        self.request = request
        self.control = control
        self.outcome: Finished | None = None
        self.results: TrainingResults | None = None
        self.epoch = 0
        self.step = 0
        self.crashed = False
        self.ended_at: float | None = None  # perf_counter() when the end was received
        self.emits = 0

    @Slot()
    def run(self) -> None:
        """Send the run and relay the server's messages until the run ends."""
        outcome: RunOutcome | None = None
        try:
            if self.control.send_run(self.request):
                outcome = self._receive()
        except (EOFError, OSError):
            outcome = None
        self.ended_at = time.perf_counter()
        if outcome is None:
            self.server.broken = True
            self.crashed = True
            code = self.server.exit_code()
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
        conn, server = self.server.messages, self.server
        while True:
            if not conn.poll(RECEIVE_POLL_S):
                if not server.running() and not conn.poll():
                    return None
                continue
            kind, *payload = conn.recv()
            if kind == "started":
                self.started.emit(payload[0])
            elif kind == "progress":
                self.emits += 1
                self.progressed.emit(payload[0])
            elif kind == "paused":
                self.rested.emit(payload[0])
            elif kind == "finished":
                outcome: RunOutcome = payload[0]
                return outcome
