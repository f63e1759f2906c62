"""The training state machine: idle → running ⇄ paused → finished, and back to running.

The controller lives in the GUI thread. It builds a ``Trainer`` on a copy of the project
(the trainer compiles its own snapshot of the graph; this also checks the settings and
gives the panels the run's data), then runs it with one of two backends behind the same
worker interface, each in a ``QThread``:

- "process" (the default): a ``ProcessWorker`` sends the project's bytes to a training
  child process and relays its progress; the GUI process keeps the GIL to itself, which
  the latency targets need (bench/gui_training.py measures both backends);
- "thread": a ``TrainingWorker`` runs the trainer in the QThread itself.

``NNSTUDIO_TRAINING_BACKEND=thread`` chooses the thread. The document is locked while the
run goes on; when it ends the learned weights, the history, optimizer state,
preprocessing and ensemble go back into the project as ONE undo step ("Training
results"; "Reset weights" likewise), so saving keeps them, the next run continues from
there, and undo brings weights and curves back together.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import time

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from nnstudio.graph.errors import GraphError
from nnstudio.graph.files.project_file import ProjectFileError, project_to_bytes
from nnstudio.graph.model.edits import Compound, Edit, SetEdgeWeight, SetValues
from nnstudio.graph.model.project import Project
from nnstudio.training.control import TrainingControl
from nnstudio.training.datasets import DatasetError
from nnstudio.training.records import Finished, TrainingResults
from nnstudio.training.remote import RunRequest
from nnstudio.training.settings import TrainingError, TrainingSettings
from nnstudio.training.trainer import Trainer
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.training.evaluation import Evaluation, evaluate
from nnstudio.ui.training.lock import DocumentLock
from nnstudio.ui.training.process_worker import (
    ProcessWorker,
    RemoteControl,
    TrainingProcess,
    process_pool,
)
from nnstudio.ui.training.results_command import (
    RunResultsCommand,
    RunState,
    finite_optimizer_state,
)
from nnstudio.ui.training.worker import (
    EVALUATE_INTERVAL_S,
    Evaluator,
    ProgressBatch,
    TrainingWorker,
)

IDLE, RUNNING, PAUSED, FINISHED = "idle", "running", "paused", "finished"
SNAPSHOT_INTERVAL_S = 0.25
RESULTS_TEXT = "Training results"
RESET_TEXT = "Reset weights"
BACKENDS = ("process", "thread")
_SHUTDOWN_WAIT_MS = 10_000
_PROCESS_STOP_WAIT_MS = 2_000
"""Closing mid-run: how long the child may take to stop before it is terminated."""


def default_backend() -> str:
    """"process" unless NNSTUDIO_TRAINING_BACKEND says "thread"."""
    chosen = os.environ.get("NNSTUDIO_TRAINING_BACKEND", "process").strip().lower()
    return chosen if chosen in BACKENDS else "process"

FINISH_TEXTS = {
    "completed": "Training finished",
    "stopped": "Training stopped",
    "early_stopped": "Early stopping ended the run",
    "diverged": "Training diverged",
    "error": "Training failed",
}


def project_snapshot(project: Project) -> Project:
    """An independent copy for a run (no subscribers; later edits do not leak in)."""
    return dataclasses.replace(
        project, graph=project.graph.copy(), dataset=copy.deepcopy(project.dataset),
        training=copy.deepcopy(project.training),
        preprocessing=copy.deepcopy(project.preprocessing),
        history=[dict(h) for h in project.history],
        optimizer_state=copy.deepcopy(project.optimizer_state),
        ensemble=[dict(m) for m in project.ensemble], ui=dict(project.ui))


class TrainingController(QObject):
    """Starts, pauses, steps and stops runs of the window's project."""

    state_changed = Signal(str)
    """idle | running | paused | finished."""
    started = Signal(object)
    """The Trainer of a new run (its split and task tell panels what data to draw)."""
    progressed = Signal(object)
    """A ProgressBatch from the worker, re-emitted in the GUI thread."""
    finished = Signal(object)
    """The run's Finished record, after the results are back in the project."""
    message_changed = Signal(str)
    """A sentence for the user ("" clears)."""
    run_state_changed = Signal()
    """Undo or redo changed the weights together with the history, optimizer state,
    preprocessing and ensemble ("Training results", "Reset weights")."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.lock = DocumentLock(window)
        self.state = IDLE
        self.backend = default_backend()
        self.trainer: Trainer | None = None
        """The run's trainer. Process backend: built here for the run's data and checks
        only (the child trains its own); dropped when the run ends."""
        self.control: TrainingControl | RemoteControl | None = None
        self.worker: TrainingWorker | ProcessWorker | None = None
        self.run_thread: QThread | None = None
        self.process: TrainingProcess | None = None
        self._epoch = 0
        self._step = 0
        self.snapshot_sample = 0
        self.last_outcome: Finished | None = None
        self.last_stop_latency_s: float | None = None
        self.message = ""
        self._stop_requested_at: float | None = None
        self._finished_at: float | None = None
        self._keep_results = True
        window.project_replaced.connect(self._on_project_replaced)
        app = QCoreApplication.instance()
        if app is not None:  # quitting without closing the window must end the run too
            app.aboutToQuit.connect(self._on_about_to_quit)

    @property
    def epoch(self) -> int:
        """The last finished epoch of the current or last run."""
        trainer = self.trainer
        if isinstance(self.worker, TrainingWorker) and trainer is not None and trainer.history:
            return int(trainer.history[-1]["epoch"])  # the thread backend: read it live
        return self._epoch

    @property
    def step(self) -> int:
        """Optimisation steps done by the current or last run (as last reported)."""
        if isinstance(self.worker, TrainingWorker) and self.trainer is not None:
            return self.trainer.step
        return self._step

    # --- commands ------------------------------------------------------------------------
    def train(self) -> bool:
        """Start (or continue) a run, or resume a paused one. False if it could not start."""
        if self.state == PAUSED and self.control is not None:
            self.control.resume()
            self._set_state(RUNNING)
            return True
        if self.state == RUNNING:
            return True
        return self._start(paused=False)

    def pause(self) -> None:
        if self.state == RUNNING and self.control is not None:
            self.control.pause()
            self._set_state(PAUSED)

    def toggle_pause(self) -> None:
        if self.state == PAUSED:
            self.train()
        else:
            self.pause()

    def step_batch(self) -> None:
        """Run exactly one more batch (starting a paused run first if none is going)."""
        if self.state in (IDLE, FINISHED) and not self._start(paused=True):
            return
        if self.state == RUNNING:
            self.pause()
        if self.control is not None:
            self.control.step_batch()

    def step_epoch(self) -> None:
        """Run to the end of the current epoch, then pause."""
        if self.state in (IDLE, FINISHED) and not self._start(paused=True):
            return
        if self.state == RUNNING:
            self.pause()
        if self.control is not None:
            self.control.step_epoch()

    def stop(self) -> None:
        """Ask the run to stop after the current batch; results are kept."""
        if self.control is not None and self.state in (RUNNING, PAUSED):
            self._stop_requested_at = time.perf_counter()
            self.control.request_stop()

    def reset_weights(self) -> None:
        """Forget all learned values and the run's history, optimizer state, preprocessing
        and ensemble, as ONE undo step (undo brings all of them back)."""
        if self.state in (RUNNING, PAUSED):
            return
        doc = self.window.project.graph
        edits: list[Edit] = [SetValues(n.id, {}) for n in doc.nodes.values() if n.values]
        edits += [SetEdgeWeight(e.id, None) for e in doc.edges.values() if e.weight is not None]
        edit = Compound(tuple(edits), RESET_TEXT) if edits else None
        self._push_run_state(RESET_TEXT, edit, RunState())
        self.run_state_changed.emit()  # the curves go with the weights
        self._set_message("Weights reset: the next run starts from fresh random weights.")
        self._set_state(IDLE)

    def _push_run_state(self, text: str, edit: Edit | None, new: RunState) -> None:
        """One undo step: ``edit`` on the document and ``new`` into the project. Raises
        GraphError (nothing changes) if the document refuses the edit."""
        project = self.window.project
        old = RunState.of(project)
        inverse = project.graph.apply(edit) if edit is not None else None
        self.window.undo_stack.push(RunResultsCommand(project, text, edit, inverse, old, new,
                                                      self._on_run_state_restored))
        self.window.scene.refresh_now()
        self.trainer = None  # ``predictor`` rebuilds from the project's new state

    def _on_run_state_restored(self) -> None:
        """Undo/redo of a run-state step (never during a run: the lock disables undo)."""
        self.trainer = None
        if self.state == FINISHED:
            self._set_state(IDLE)
        self.run_state_changed.emit()

    def shutdown(self, keep_results: bool = True) -> None:
        """Stop a run and wait for its thread (window closing); results are kept if asked."""
        if self.run_thread is None:
            return
        if not keep_results:
            self.trainer = None
        self.stop()
        thread, worker = self.run_thread, self.worker
        thread.quit()
        if isinstance(worker, ProcessWorker) and not thread.wait(_PROCESS_STOP_WAIT_MS):
            worker.process.terminate()  # no answer to stop: end the child
        if not thread.wait(_SHUTDOWN_WAIT_MS):
            thread.terminate()
            thread.wait()
        if worker is not None and worker.outcome is not None and self.worker is worker:
            self._keep_results = keep_results
            self._end_run(worker.outcome)

    # --- predictions for the draw pad ----------------------------------------------------
    def predictor(self) -> Trainer | None:
        """A trainer that is not running, for ``predict`` (None while a run goes on)."""
        if self.state in (RUNNING, PAUSED):
            return None
        if self.trainer is None:
            try:
                self.trainer = self._make_trainer()
            except (TrainingError, GraphError, DatasetError):
                return None
        return self.trainer

    # --- run life cycle ------------------------------------------------------------------
    def _make_trainer(self) -> Trainer:
        path = self.window.file_path
        return Trainer(project_snapshot(self.window.project),
                       base_dir=path.parent if path is not None else None,
                       snapshot_interval_s=SNAPSHOT_INTERVAL_S,
                       snapshot_sample=self.snapshot_sample)

    def _start(self, paused: bool) -> bool:
        try:
            TrainingSettings.from_dict(self.window.project.training)
            trainer = self._make_trainer()
            request = self._request(trainer, paused) if self.backend == "process" else None
        except (TrainingError, GraphError, DatasetError, ProjectFileError) as error:
            self._set_message(f"Cannot train: {error}")
            return False
        self.trainer = trainer
        self._stop_requested_at = None
        self._keep_results = True
        self._epoch, self._step = trainer.epoch, trainer.step
        thread = QThread(self)
        thread.setObjectName("training")
        worker: TrainingWorker | ProcessWorker
        if request is not None:
            process = process_pool().acquire()
            remote = RemoteControl(process, paused)
            self.process, self.control = process, remote
            worker = ProcessWorker(process, request, remote, self._targets(trainer))
        else:
            control = TrainingControl()
            if paused:
                control.pause()
            self.control = control
            worker = TrainingWorker(lambda: trainer.run(control), control,
                                    self.evaluator(trainer))
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progressed)
        worker.finished.connect(self._on_worker_finished)
        thread.finished.connect(worker.deleteLater)
        self.run_thread, self.worker = thread, worker
        self.lock.engage()
        self._set_message("")
        self._set_state(PAUSED if paused else RUNNING)
        self.started.emit(trainer)
        thread.start()
        return True

    def _request(self, trainer: Trainer, paused: bool) -> RunRequest:
        """What the child needs for the run (the project as file bytes)."""
        path = self.window.file_path
        return RunRequest(
            project=project_to_bytes(self.window.project),
            base_dir=str(path.parent) if path is not None else None,
            snapshot_interval_s=SNAPSHOT_INTERVAL_S, snapshot_sample=self.snapshot_sample,
            paused=paused,
            evaluate_interval_s=EVALUATE_INTERVAL_S if self._targets(trainer) else None)

    @staticmethod
    def _targets(trainer: Trainer) -> dict[str, np.ndarray]:
        """Targets of the splits a classification run is evaluated on (else empty)."""
        if trainer.task not in ("binary", "classification"):
            return {}
        return {"validation": trainer.split.val.y, "training": trainer.split.train.y}

    @staticmethod
    def evaluator(trainer: Trainer) -> Evaluator | None:
        """(epoch, step) -> Evaluation on the validation split (classification tasks only)."""
        if trainer.task not in ("binary", "classification"):
            return None
        split = trainer.split
        part, name = (split.val, "validation") if split.val.n_samples else (split.train,
                                                                             "training")
        x, y = part.x, part.y

        def run(epoch: int, step: int) -> Evaluation:
            return evaluate(trainer.plan.predict(x), y, epoch, step, name)

        return run

    @Slot(object)
    def _on_progressed(self, batch: ProgressBatch) -> None:
        if self.sender() is not self.worker:
            return
        for step in batch.steps:
            self._step = max(self._step, step.step)
        for record in batch.epochs:
            if record.member is None:
                self._epoch = max(self._epoch, record.epoch)
                self._step = max(self._step, record.step)
        if batch.position is not None:
            self._step = max(self._step, batch.position[1])
        self.progressed.emit(batch)

    @Slot(object)
    def _on_worker_finished(self, outcome: Finished) -> None:
        if self.worker is not None and self.sender() is self.worker:
            self._end_run(outcome)

    def _end_run(self, outcome: Finished) -> None:
        """Clean up after the current run and store what it learned."""
        worker = self.worker
        if worker is None:
            return
        thread = self.run_thread
        self.worker = self.run_thread = None
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        if self._stop_requested_at is not None and worker.ended_at is not None:
            self.last_stop_latency_s = worker.ended_at - self._stop_requested_at
        self.control = None
        self.lock.release()
        self.last_outcome = outcome
        results: TrainingResults | None = None
        if isinstance(worker, ProcessWorker):
            self.process = None
            process_pool().release(worker.process)
            self._step = worker.step
            results = worker.results
            self.trainer = None  # it did not train; ``predictor`` rebuilds from the project
        elif self.trainer is not None:
            self._step = self.trainer.step
            results = self.trainer.results()
        if outcome.reason != "error" and results is not None and self._keep_results:
            self._apply_results(results)
        # the trainer's message is a whole sentence ("Training diverged at epoch 3, …")
        self._set_message(outcome.message or
                          f"{FINISH_TEXTS.get(outcome.reason, 'Training ended')}.")
        self._set_state(FINISHED)
        self.finished.emit(outcome)

    def _apply_results(self, results: TrainingResults) -> None:
        """Weights, history, optimizer state, preprocessing and ensemble: one undo step."""
        new = RunState(history=[dict(h) for h in results.history],
                       optimizer_state=finite_optimizer_state(
                           copy.deepcopy(dict(results.optimizer_state))),
                       preprocessing=copy.deepcopy(dict(results.preprocessing)),
                       ensemble=[{k: np.array(v) for k, v in m.items()}
                                 for m in results.ensemble])
        try:
            self._push_run_state(RESULTS_TEXT, results.weights_edit, new)
        except GraphError as error:  # the document changed under us: keep the rest anyway
            self._set_message(f"The trained weights could not be stored: {error}")
            self._push_run_state(RESULTS_TEXT, None, new)

    @Slot()
    def _on_about_to_quit(self) -> None:
        self.shutdown()

    @Slot()
    def _on_project_replaced(self) -> None:
        self.shutdown(keep_results=False)
        self.trainer = None
        self._set_message("")
        self._set_state(IDLE)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.lock.set_paused(state == PAUSED)
            self.state_changed.emit(state)

    def _set_message(self, text: str) -> None:
        self.message = text
        self.message_changed.emit(text)
