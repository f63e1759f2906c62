"""The training state machine: idle → running ⇄ paused → finished, and back to running.

The controller lives in the GUI thread. It never builds a trainer: it sends the project's
bytes to a training server (a child process by default, see ``transport``) and relays
what comes back. Every Train, Continue and Step belongs to a run record
(``nnstudio.training.runs``): the current run is continued unless the network's learned
arrays no longer fit it (then the user is asked first and a new run starts). The session
is locked while the run goes on; when it ends, the learned weights, the history, the
optimizer state, the scaler, the ensemble and the run record go back into the project as
ONE undo step ("Training results"; "Reset weights" likewise), so saving keeps them and
undo brings weights and curves back together.

``show_saved`` runs the same request with zero epochs on a second server: it describes the
run and shows what the stored weights do (map, filters, confusion matrix), never changing
the project.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.files.project_file import ProjectFileError, project_to_bytes
from nnstudio.graph.model.project_edits import AnyEdit
from nnstudio.training.records import Finished, TrainingResults
from nnstudio.training.remote import RunRequest
from nnstudio.training.run_info import RunInfo
from nnstudio.training.runs import (
    RunStart,
    begin_run,
    plan_fingerprint,
    reset_edit,
    results_edit,
    run_project,
)
from nnstudio.training.settings import TrainingError, TrainingSettings
from nnstudio.ui.session import Session
from nnstudio.ui.training.transport import (
    RemoteControl,
    RunRelay,
    Server,
    default_backend,
    process_pool,
)

IDLE, RUNNING, PAUSED, FINISHED = "idle", "running", "paused", "finished"
SNAPSHOT_INTERVAL_S = 0.25
EVALUATE_INTERVAL_S = 1.0
_SHUTDOWN_WAIT_MS = 10_000
STOP_WAIT_MS = 2_000
"""Closing mid-run: how long the server may take to stop before it is terminated."""

FINISH_TEXTS = {
    "completed": "Training finished",
    "stopped": "Training stopped",
    "early_stopped": "Early stopping ended the run",
    "diverged": "Training diverged",
    "error": "Training failed",
}


class _Job:
    """One request on one server: its relay, thread and control."""

    def __init__(self, server: Server, request: RunRequest, owner: QObject) -> None:
        self.server = server
        self.control = RemoteControl(server, request.paused)
        self.relay = RunRelay(server, request, self.control)
        self.thread = QThread(owner)
        self.thread.setObjectName("training")
        self.relay.moveToThread(self.thread)
        self.thread.started.connect(self.relay.run)
        self.thread.finished.connect(self.relay.deleteLater)

    def end(self) -> None:
        """Wait for the relay thread and give the server back to the pool."""
        self.thread.quit()
        self.thread.wait()
        self.thread.deleteLater()
        process_pool().release(self.server)


class TrainingController(QObject):
    """Starts, pauses, steps and stops runs of the session's project."""

    state_changed = Signal(str)
    """idle | running | paused | finished."""
    started = Signal(object)
    """The RunInfo of a new run (its data and task tell panels what to draw)."""
    progressed = Signal(object)
    """A ProgressBatch from the server, re-emitted in the GUI thread."""
    rested = Signal(object)
    """A paused run came to rest, after everything it sent before: (epoch, step)."""
    finished = Signal(object)
    """The run's Finished record, after the results are back in the project."""
    message_changed = Signal(str)
    """A sentence for the user ("" clears)."""
    preview_started = Signal(object)
    """``show_saved``: the RunInfo describing the stored weights' run."""
    preview_progressed = Signal(object)
    """``show_saved``: the snapshot and confusion matrix of the stored weights."""

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.parent_widget = parent
        self.state = IDLE
        self.backend = default_backend()
        self.start: RunStart | None = None
        self.job: _Job | None = None
        self.preview: _Job | None = None
        self.info: RunInfo | None = None
        """The description of the current or last run (from its server)."""
        self.last_relay: RunRelay | None = None
        """The relay of the last run that ended (messages sent, end time)."""
        self._epoch = 0
        self._step = 0
        self.snapshot_sample = 0
        self.last_outcome: Finished | None = None
        self.last_stop_latency_s: float | None = None
        self.message = ""
        self._stop_requested_at: float | None = None
        self._keep_results = True
        self._preview_again = False
        self.stop_wait_ms = STOP_WAIT_MS
        session.project_replaced.connect(self._on_project_replaced)
        app = QCoreApplication.instance()
        if app is not None:  # quitting without closing the window must end the run too
            app.aboutToQuit.connect(self.shutdown)

    @property
    def epoch(self) -> int:
        """The last finished epoch of the current or last run (as last reported)."""
        return self._epoch

    @property
    def step(self) -> int:
        """Optimisation steps done by the current or last run (as last reported)."""
        return self._step

    @property
    def control(self) -> RemoteControl | None:
        return self.job.control if self.job is not None else None

    @property
    def server(self) -> Server | None:
        """The training server of the current run (None when no run goes on)."""
        return self.job.server if self.job is not None else None

    # --- questions (replaceable in tests) ------------------------------------------------
    def ask_new_run(self, old_name: str, new_name: str) -> bool:
        """The network's learned arrays no longer fit the current run: start a new one?"""
        box = QMessageBox(self.parent_widget)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("The network has changed")
        box.setText(f"The network's layers changed since {old_name}, so its weights no "
                    "longer fit them.")
        box.setInformativeText(
            f"Continue as a new run ({new_name.split(' · ')[0]}): the changed layers start "
            f"from fresh weights and {old_name.split(' · ')[0]} keeps its curves.")
        box.setStandardButtons(QMessageBox.StandardButton.Ok
                               | QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Ok).setText("Start a new run")
        return box.exec() == QMessageBox.StandardButton.Ok

    # --- commands ------------------------------------------------------------------------
    def train(self) -> bool:
        """Start (or continue) a run, or resume a paused one. False if it could not start."""
        if self.state == PAUSED and self.job is not None:
            self.job.control.resume()
            self._set_state(RUNNING)
            return True
        if self.state == RUNNING:
            return True
        return self._start(paused=False)

    def pause(self) -> None:
        if self.state == RUNNING and self.job is not None:
            self.job.control.pause()
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
        if self.job is not None:
            self.job.control.step_batch()

    def step_epoch(self) -> None:
        """Run to the end of the current epoch, then pause."""
        if self.state in (IDLE, FINISHED) and not self._start(paused=True):
            return
        if self.state == RUNNING:
            self.pause()
        if self.job is not None:
            self.job.control.step_epoch()

    def stop(self) -> None:
        """Ask the run to stop after the current batch; results are kept."""
        if self.job is not None and self.state in (RUNNING, PAUSED):
            self._stop_requested_at = time.perf_counter()
            self.job.control.request_stop()

    def reset_weights(self) -> None:
        """Fresh weights for the next run, as ONE undo step; the runs are kept."""
        if self.state in (RUNNING, PAUSED):
            return
        self._push(reset_edit(self.session.project))
        self._set_message("Weights reset: the next run starts from fresh random weights; "
                          "earlier runs keep their records.")
        self._set_state(IDLE)

    def _push(self, edit: AnyEdit) -> None:
        self.session.push(edit, system=True)

    def shutdown(self, keep_results: bool = True) -> None:
        """Stop a run and wait for its thread (window closing); results are kept if asked."""
        self._end_preview(wait=True)
        job = self.job
        if job is None:
            return
        self._keep_results = keep_results
        self.stop()
        job.thread.quit()
        if not job.thread.wait(self.stop_wait_ms):
            job.server.terminate()  # no answer to stop: end the server
        if not job.thread.wait(_SHUTDOWN_WAIT_MS):
            job.thread.terminate()
            job.thread.wait()
        if job.relay.outcome is not None and self.job is job:
            self._end_run(job.relay.outcome)

    # --- run life cycle ------------------------------------------------------------------
    def _decide_run(self) -> RunStart | None:
        """The run this training belongs to (None: the user cancelled)."""
        project = self.session.project
        start = begin_run(project)
        active = project.active
        if not start.continues or active is None or not active.fingerprint:
            return start
        try:
            plan = compile_graph(project.graph, self.session.data_signature,
                                 seed=int(project.seed))
        except GraphError:
            return start  # the server says what is wrong
        if plan_fingerprint(plan) == active.fingerprint:
            return start
        new = begin_run(project, new=True)
        return new if self.ask_new_run(active.name, new.name) else None

    def _request(self, start: RunStart, paused: bool, epochs: int | None = None,
                 evaluate: bool = True) -> RunRequest:
        project = run_project(self.session.project, start)
        base = self.session.base_dir
        return RunRequest(
            project=project_to_bytes(project), base_dir=str(base) if base else None,
            snapshot_interval_s=SNAPSHOT_INTERVAL_S, snapshot_sample=self.snapshot_sample,
            paused=paused, epochs=epochs,
            evaluate_interval_s=EVALUATE_INTERVAL_S if evaluate else None)

    def _start(self, paused: bool) -> bool:
        try:
            TrainingSettings.from_dict(self.session.project.training)
            start = self._decide_run()
            if start is None:
                return False
            request = self._request(start, paused)
        except (TrainingError, GraphError, ProjectFileError) as error:
            self._set_message(f"Cannot train: {error}")
            return False
        self._end_preview(wait=True)
        self.start = start
        self._stop_requested_at = None
        self._keep_results = True
        job = _Job(process_pool().acquire(self.backend), request, self)
        job.relay.started.connect(self._on_started)
        job.relay.progressed.connect(self._on_progressed)
        job.relay.rested.connect(self._on_rested)
        job.relay.finished.connect(self._on_relay_finished)
        self.job = job
        self.session.set_locked(True)
        self._set_message("")
        self._set_state(PAUSED if paused else RUNNING)
        job.thread.start()
        return True

    @Slot(object)
    def _on_started(self, info: object) -> None:
        if self.job is None or self.sender() is not self.job.relay \
                or not isinstance(info, RunInfo):
            return
        self.info = info
        self._epoch, self._step = info.first_epoch, info.first_step
        if info.notes:  # e.g. stored weights that no longer fit: the run says so
            self._set_message(" ".join(info.notes))
        self.started.emit(info)

    @Slot(object)
    def _on_progressed(self, batch: object) -> None:
        if self.job is None or self.sender() is not self.job.relay:
            return
        for step in getattr(batch, "steps", ()):
            self._step = max(self._step, step.step)
        for record in getattr(batch, "epochs", ()):
            if record.member is None:
                self._epoch = max(self._epoch, record.epoch)
                self._step = max(self._step, record.step)
        position = getattr(batch, "position", None)
        if position is not None:
            self._step = max(self._step, position[1])
        self.progressed.emit(batch)

    @Slot(object)
    def _on_rested(self, position: object) -> None:
        if self.job is None or self.sender() is not self.job.relay:
            return
        if isinstance(position, tuple):  # (epoch in progress, steps done)
            self._step = int(position[1])
        self.rested.emit(position)

    @Slot(object)
    def _on_relay_finished(self, outcome: Finished) -> None:
        if self.job is not None and self.sender() is self.job.relay:
            self._end_run(outcome)

    def _end_run(self, outcome: Finished) -> None:
        """Clean up after the current run and store what it learned."""
        job, start = self.job, self.start
        if job is None:
            return
        self.job = None
        job.end()
        relay = self.last_relay = job.relay
        if self._stop_requested_at is not None and relay.ended_at is not None:
            self.last_stop_latency_s = relay.ended_at - self._stop_requested_at
        self.session.set_locked(False)
        self.last_outcome = outcome
        self._step = max(self._step, relay.step)
        if outcome.reason != "error" and relay.results is not None and start is not None \
                and self._keep_results:
            self._store(start, relay.results, outcome)
        # the trainer's message is a whole sentence ("Training diverged at epoch 3, …")
        notes = self.info.notes if self.info is not None and self.message else ()
        self._set_message(" ".join([outcome.message or
                                    f"{FINISH_TEXTS.get(outcome.reason, 'Training ended')}.",
                                    *notes]))
        self._set_state(FINISHED)
        self.finished.emit(outcome)

    def _store(self, start: RunStart, results: TrainingResults, outcome: Finished) -> None:
        """Weights, history, optimizer state, scaler, ensemble and run record: one step."""
        try:
            self._push(results_edit(self.session.project, start, results, outcome))
        except GraphError as error:  # the network changed under us: say so, keep the rest
            self._set_message(f"The trained weights could not be stored: {error}")

    # --- the stored weights, shown without training --------------------------------------
    def show_saved(self) -> bool:
        """Describe the project's run and show what its stored weights do, on a server
        (zero epochs, no results). False when there is nothing to show or a run goes on."""
        project = self.session.project
        if self.state in (RUNNING, PAUSED) or project.active_run is None:
            return False
        if self.preview is not None:
            self._preview_again = True
            return True
        start = RunStart(project.active_run, "", "", continues=True)
        try:
            request = self._request(start, paused=False, epochs=0)
        except (ProjectFileError, GraphError):
            return False
        job = _Job(process_pool().acquire(self.backend), request, self)
        job.relay.started.connect(self._on_preview_started)
        job.relay.progressed.connect(self._on_preview_progressed)
        job.relay.finished.connect(self._on_preview_finished)
        self.preview = job
        job.thread.start()
        return True

    @Slot(object)
    def _on_preview_started(self, info: object) -> None:
        if self.preview is not None and self.sender() is self.preview.relay:
            self.preview_started.emit(info)

    @Slot(object)
    def _on_preview_progressed(self, batch: object) -> None:
        if self.preview is not None and self.sender() is self.preview.relay:
            self.preview_progressed.emit(batch)

    @Slot(object)
    def _on_preview_finished(self, _outcome: Finished) -> None:
        if self.preview is not None and self.sender() is self.preview.relay:
            self._end_preview(wait=False)
            if self._preview_again:
                self._preview_again = False
                self.show_saved()

    def _end_preview(self, wait: bool) -> None:
        job, self.preview = self.preview, None
        self._preview_again = False
        if job is None:
            return
        if wait:
            job.control.request_stop()
        job.end()

    def settle(self) -> None:
        """The stored run changed after a run ended (undo, redo, reset, restore): the
        finished run's state is over."""
        if self.state == FINISHED:
            self._set_state(IDLE)

    # --- events --------------------------------------------------------------------------
    @Slot()
    def _on_project_replaced(self) -> None:
        self.shutdown(keep_results=False)  # a run of the old project: its results go too
        self._set_message("")
        self._set_state(IDLE)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _set_message(self, text: str) -> None:
        self.message = text
        self.message_changed.emit(text)
