"""Computing a landscape off the GUI thread: one QThread per job, progress and Cancel.

The worker runs ``training.landscape_job.run_job`` and checks a ``threading.Event``
between rows and paths. Its signals go to ``@Slot`` methods of the GUI-thread runner
(a lambda would run in the worker thread). BLAS is limited to all cores but one while
it computes (``training.blas``), so the GUI thread keeps a core.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from nnstudio.training.blas import limited_blas
from nnstudio.training.explain_data import ExplainError
from nnstudio.training.landscape import LandscapeError
from nnstudio.training.landscape_job import LandscapeJob, LandscapeResult, run_job

PROGRESS_INTERVAL_S = 0.05
WAIT_MS = 10_000


class LandscapeWorker(QObject):
    """Runs one job in its thread; ``done`` carries ("finished", result), ("failed",
    sentence) or ("cancelled", None)."""

    progressed = Signal(str, int, int)
    done = Signal(str, object)

    def __init__(self, job: LandscapeJob, cancel: threading.Event) -> None:
        super().__init__()
        self.job = job
        self.cancel = cancel

    @Slot()
    def run(self) -> None:
        last = 0.0
        try:
            with limited_blas():
                for item in run_job(self.job):
                    if self.cancel.is_set():
                        self.done.emit("cancelled", None)
                        return
                    if isinstance(item, LandscapeResult):
                        self.done.emit("finished", item)
                        return
                    now = time.perf_counter()
                    if now - last >= PROGRESS_INTERVAL_S:
                        last = now
                        self.progressed.emit(*item)
                    time.sleep(0)  # let the GUI thread take the GIL between rows
        except (LandscapeError, ExplainError) as error:
            self.done.emit("failed", str(error))
        except (ValueError, FloatingPointError, MemoryError) as error:
            self.done.emit("failed", f"The landscape could not be computed: {error}")


class LandscapeRunner(QObject):
    """Starts jobs one at a time. A new job while one runs cancels it and starts after."""

    progressed = Signal(str, int, int)
    finished = Signal(object)  # LandscapeResult
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: LandscapeWorker | None = None
        self._cancel: threading.Event | None = None
        self._pending: LandscapeJob | None = None
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, job: LandscapeJob) -> None:
        """Compute ``job`` now, or as soon as the running job has stopped."""
        self._pending = job
        if self._thread is None:
            self._launch()
        elif self._cancel is not None:
            self._cancel.set()

    def cancel(self) -> None:
        """Stop the running job (it reports ``cancelled``) and drop a waiting one."""
        self._pending = None
        if self._cancel is not None:
            self._cancel.set()

    def _launch(self) -> None:
        job, self._pending = self._pending, None
        if job is None:
            return
        self._cancel = threading.Event()
        thread = QThread(self)
        thread.setObjectName("landscape")
        worker = LandscapeWorker(job, self._cancel)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progressed)
        worker.done.connect(self._on_done)
        thread.finished.connect(worker.deleteLater)
        self._thread, self._worker = thread, worker
        thread.start()
        self.busy_changed.emit(True)

    @Slot(str, int, int)
    def _on_progressed(self, stage: str, done: int, total: int) -> None:
        if self.sender() is self._worker:
            self.progressed.emit(stage, done, total)

    @Slot(str, object)
    def _on_done(self, kind: str, payload: object) -> None:
        if self.sender() is not self._worker:
            return
        self._end_thread()
        if self._pending is not None:
            self._launch()
            return
        self.busy_changed.emit(False)
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "failed":
            self.failed.emit(str(payload))
        else:
            self.cancelled.emit()

    def _end_thread(self) -> None:
        thread = self._thread
        self._thread = self._worker = self._cancel = None
        if thread is not None:
            thread.quit()
            thread.wait(WAIT_MS)
            thread.deleteLater()

    @Slot()
    def shutdown(self) -> None:
        """Cancel and wait for the running job (window closing, application quitting)."""
        self._pending = None
        if self._cancel is not None:
            self._cancel.set()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(WAIT_MS)
            self._thread = self._worker = self._cancel = None
