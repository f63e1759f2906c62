"""Reading data files off the GUI thread: one job per request on Qt's global thread pool.

``DataLoader.start(kind, spec)`` runs ``preview`` (the first lines of a CSV, the array
headers of an NPZ) or ``load`` (the whole dataset through ``load_dataset``) in a pool
thread and reports through queued signals to slots in the GUI thread: ``progressed(id,
fraction)`` at most ~30 times a second and ``finished(id, result)`` exactly once, where
result is the value, a ``DatasetError`` sentence (``str``) or ``None`` when cancelled.
Starting a request cancels the one before (its progress callback raises
``LoadCancelledError`` at the next piece of about 512 KB); ``finished`` of a stale request
is dropped, so only the newest request ever answers.

Facts followed (DESIGN.md): a lambda connected to a worker's signal would run in the
worker thread, so the relay's signals go to ``@Slot`` methods of the GUI-thread loader; the
reader holds the GIL for one ``loadtxt`` call on 512 KB at a time (~5–20 ms), and the
switch interval is lowered while a job runs so the GUI thread gets the GIL back quickly.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from nnstudio.training.datasets import (
    DatasetError,
    LoadCancelledError,
    load_dataset,
    npz_headers,
)
from nnstudio.training.datasets.csv_reader import read_head

EMIT_INTERVAL_S = 1.0 / 30.0
SWITCH_INTERVAL_S = 0.001


def preview(spec: Mapping[str, Any]) -> Any:
    """What the dialog shows before the data are read: a ``CsvHead`` for a CSV, the list
    of array headers for an NPZ, None otherwise (raises DatasetError)."""
    if spec.get("source") == "csv":
        return read_head(Path(spec["path"]))
    if spec.get("source") == "npz":
        return npz_headers(Path(spec["path"]))
    return None


class _FastSwitching:
    """Lowers the GIL switch interval while at least one job runs (jobs may overlap when
    a cancelled one is still finishing its piece)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved = 0.0

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._saved = sys.getswitchinterval()
                sys.setswitchinterval(SWITCH_INTERVAL_S)
            self._running += 1

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0:
                sys.setswitchinterval(self._saved)


_SWITCHING = _FastSwitching()


class _Relay(QObject):
    """Carries one job's reports from the pool thread to the GUI thread (queued)."""

    progressed = Signal(int, float)
    finished = Signal(int, object)


class _Job(QRunnable):
    """Runs ``work(progress)`` once; never raises (a bug becomes a sentence)."""

    def __init__(self, request: int, work: Callable[[Callable[[int, int], None]], Any],
                 cancel: threading.Event, relay: _Relay) -> None:
        super().__init__()
        self.request, self.work, self.cancel, self.relay = request, work, cancel, relay
        self._last_emit = 0.0

    def _progress(self, done: int, total: int) -> None:
        if self.cancel.is_set():
            raise LoadCancelledError("cancelled")
        now = time.perf_counter()
        if now - self._last_emit >= EMIT_INTERVAL_S and total > 0:
            self._last_emit = now
            self.relay.progressed.emit(self.request, min(done / total, 1.0))

    def run(self) -> None:
        result: Any
        with _SWITCHING:
            try:
                result = self.work(self._progress)
                if self.cancel.is_set():  # stopped after its last progress report
                    result = None
            except LoadCancelledError:
                result = None
            except DatasetError as error:
                result = str(error)
            except MemoryError:
                result = "The data do not fit in the memory free now."
            except Exception as error:  # a reader bug must not kill the app: say so
                result = f"The data could not be read ({type(error).__name__}: {error})."[:400]
        self.relay.finished.emit(self.request, result)


class DataLoader(QObject):
    """Runs preview and load requests in the background; only the newest one answers."""

    progressed = Signal(float)
    """Fraction read of the current request, 0..1."""
    finished = Signal(str, object)
    """(kind, result) of the current request: the value, an error sentence, or None when
    it was cancelled."""

    def __init__(self, parent: QObject | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._request = 0
        self._kind = ""
        self._cancel = threading.Event()
        self._relays: dict[int, _Relay] = {}
        self.busy = False

    def start(self, kind: str, spec: Mapping[str, Any], base_dir: Path | None = None) -> None:
        """Begin ``preview`` or ``load`` of ``spec``, cancelling the request before."""
        self.cancel()
        self._request += 1
        self._kind = kind
        self._cancel = threading.Event()
        spec = dict(spec)
        if kind == "preview":
            def work(progress: Callable[[int, int], None]) -> Any:
                return preview(spec)
        else:
            def work(progress: Callable[[int, int], None]) -> Any:
                return load_dataset(spec, base_dir=base_dir, progress=progress)
        relay = _Relay()  # lives in the GUI thread; the job only emits its signals
        relay.progressed.connect(self._on_progress)
        relay.finished.connect(self._on_finished)
        self._relays[self._request] = relay
        self.busy = True
        self.pool.start(_Job(self._request, work, self._cancel, relay))

    def cancel(self) -> None:
        """Stop the current request: its ``finished`` arrives with None, even when the job
        ended just before (its answer may already be on its way)."""
        self._cancel.set()

    def abandon(self) -> None:
        """Stop the current request and drop its answer (``finished`` is not emitted)."""
        self._cancel.set()
        self._request += 1
        self.busy = False

    @Slot(int, float)
    def _on_progress(self, request: int, fraction: float) -> None:
        if request == self._request:
            self.progressed.emit(fraction)

    @Slot(int, object)
    def _on_finished(self, request: int, result: Any) -> None:
        self._relays.pop(request, None)
        if request != self._request:
            return
        self.busy = False
        self.finished.emit(self._kind, None if self._cancel.is_set() else result)


__all__ = ["DataLoader", "preview"]
