"""The training feature: settings panel, live plot docks, Training menu and toolbar,
status-bar section, lock banner and canvas overlays, all wired to one controller.

Views follow the session: another project resets every plot and overlay; a change of the
current run (results stored, undone, reset, restored) shows that run's curves and asks a
training server to show what its stored weights do.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut

from nnstudio.graph.model import project_events as pe
from nnstudio.training.predictor import Predictor, make_predictor
from nnstudio.training.readiness import Blocker, training_blocker
from nnstudio.training.records import Finished
from nnstudio.training.remote import ProgressBatch
from nnstudio.training.run_info import RunInfo
from nnstudio.ui.host import Host
from nnstudio.ui.session import Session
from nnstudio.ui.training.actions import TrainingActions
from nnstudio.ui.training.controller import FINISHED, PAUSED, RUNNING, TrainingController
from nnstudio.ui.training.docks import TrainingDocks
from nnstudio.ui.training.lock import LockBanner
from nnstudio.ui.training.overlays import CanvasOverlays
from nnstudio.ui.training.panel import TrainingPanel
from nnstudio.ui.training.plots.common import configure_pyqtgraph
from nnstudio.ui.training.plots.compared import ComparedRun
from nnstudio.ui.training.refresh import RefreshScheduler
from nnstudio.ui.training.status import StatusSection
from nnstudio.ui.training.transport import process_pool

TRAIN_ON_START_VARIABLE = "NNSTUDIO_TRAIN_ON_START"
"""Set (smoke tests of the frozen app): press Train once the start-up project is open and
print the run's outcome to stderr."""
_RUN_FIELDS = ("active_run", "optimizer_state")


class TrainingUi(QObject):
    """Everything training adds to a window (see ``install``)."""

    def __init__(self, session: Session, host: Host) -> None:
        super().__init__(host.widget())
        configure_pyqtgraph()
        self.session = session
        self.host = host
        self.controller = TrainingController(session, host.widget())
        self.actions_ = TrainingActions(self.controller, host, self._train,
                                        self._overlays_switched)
        self.actions = self.actions_.by_name
        self.gradient_overlay = self.actions_.gradient_overlay
        self.neuron_maps = self.actions_.neuron_maps
        self.panel = TrainingPanel(session, self.actions)
        self.views = TrainingDocks(host, self.panel, self._titles, self._set_sample,
                                   self.predict_digit)
        self.plots = self.views.plots
        self.docks = self.views.docks
        self.settings_dock = self.docks["training"]
        for name, panel in self.plots.items():
            setattr(self, name, panel)
        self.status = StatusSection()
        self.status.changed.connect(self.views.set_state)
        host.add_status_widget(self.status)
        self.blocker: Blocker | None = None
        self.blocked_shortcut = QShortcut(QKeySequence("F5"), host.widget())
        self.blocked_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.blocked_shortcut.setEnabled(False)  # only while Train (F5) is off
        self.blocked_shortcut.activated.connect(self.reveal_blocker)
        self._results_index = -1
        self.lock = LockBanner(host.canvas_view, session)
        self.overlays = CanvasOverlays(host.canvas, session, self.gradient_overlay,
                                       self.neuron_maps)
        self.refresher = RefreshScheduler(self.plots, self.overlays.show, self)
        self._predictor: Predictor | None = None
        self._run_changed = False

        c = self.controller
        c.state_changed.connect(self._on_state)
        c.started.connect(self._on_started)
        c.progressed.connect(self._on_progress)
        c.finished.connect(self._on_finished)
        c.message_changed.connect(self.panel.show_message)
        c.preview_started.connect(self._on_preview_started)
        c.preview_progressed.connect(self._on_preview_progress)
        session.project_replaced.connect(self._on_project_replaced)
        session.project_event.connect(self._on_project_event)
        session.edited.connect(self._on_edited)
        session.data_signature_changed.connect(self._update_blocker)
        host.canvas.selection_ids_changed.connect(self._on_selection)
        if c.backend == "process":
            process_pool().prespawn()  # Train then does not wait for the child's imports
        self._on_state(c.state)
        self._on_project_replaced()
        if os.environ.get(TRAIN_ON_START_VARIABLE):
            QTimer.singleShot(0, self._train_after_start)

    # --- benchmark counters (read by bench/gui_training.py) -------------------------------
    @property
    def update_seconds(self) -> dict[str, float]:
        return self.refresher.seconds

    @property
    def update_count(self) -> int:
        return self.refresher.count

    @property
    def longest_update_s(self) -> float:
        return self.refresher.longest_s

    def reset_update_counters(self) -> None:
        self.refresher.seconds.clear()
        self.refresher.count, self.refresher.longest_s = 0, 0.0

    def show_all_panels(self) -> None:
        self.views.show_all()

    def refresh_all(self) -> None:
        self.refresher.refresh_all()

    # --- helpers -------------------------------------------------------------------------
    def _titles(self) -> Mapping[str, str]:
        return {n.id: n.title for n in self.session.project.graph.nodes.values()}

    def _set_sample(self, index: int) -> None:
        self.controller.snapshot_sample = int(index)

    def predict_digit(self, x: np.ndarray) -> np.ndarray | None:
        """x: (1, 1, 8, 8) ink in [0, 1] -> (K,) probabilities, or None without a model."""
        if self.controller.state in (RUNNING, PAUSED):
            return None
        if self._predictor is None:
            self._predictor = make_predictor(self.session.project,
                                             self.session.data_signature)
        predictor = self._predictor
        if predictor is None or predictor.input_shape != (1, 8, 8):
            return None
        probs = np.asarray(predictor.predict(x), dtype=float)[0]
        if probs.ndim != 1 or probs.size < 2 or not np.all(np.isfinite(probs)):
            return None
        return probs

    @Slot()
    def _train(self) -> None:
        self.controller.train()

    @Slot()
    def _train_after_start(self) -> None:
        """Start-up (inside the event loop) opens the project next: train after that."""
        QTimer.singleShot(0, self._train)

    def shutdown(self) -> None:
        """The window closes: end the run (its results are kept)."""
        self.controller.shutdown()

    # --- controller events ---------------------------------------------------------------
    @Slot(str)
    def _on_state(self, state: str) -> None:
        self._update_actions()
        self.panel.set_running(state in (RUNNING, PAUSED))
        self.lock.set_paused(state == PAUSED)
        self.status.set_state(state)
        if state in (RUNNING, PAUSED):  # the plots come into view (Train workspace)
            self.host.show_panel("loss_dock", front=False)

    def _update_actions(self) -> None:
        state = self.controller.state
        blocked = self.blocker.reason if self.blocker is not None else None
        self.actions_.update(state, self.session.project.active_run is not None, blocked)
        self.blocked_shortcut.setEnabled(blocked is not None and state not in (RUNNING,
                                                                                PAUSED))

    @Slot()
    def _update_blocker(self) -> None:
        """Whether the network can train now; Train, Step and the status say so."""
        session = self.session
        self.blocker = training_blocker(session.project, session.data_signature)
        self.status.set_blocked(self.blocker.reason if self.blocker else None)
        self._update_actions()

    @Slot()
    def reveal_blocker(self) -> None:
        """Train was asked for while it cannot start: the Problems list and the node the
        reason is about come to the front; the reason goes to the status bar too."""
        blocker = self.blocker
        if blocker is None:
            return
        if blocker.node_id is not None:  # first: selecting it brings the inspector up
            self.host.reveal_node(blocker.node_id)
        self.host.show_panel("problems_dock")
        if blocker.node_id is None and "dataset" in blocker.reason:
            self.host.show_panel("training_dock")
        self.host.show_status(f"Cannot train: {blocker.reason}", 8000)
        self.panel.show_message(f"Cannot train: {blocker.reason}")

    def _show_fitting_picture(self, info: RunInfo) -> None:
        """The lower plot group shows what this data can show: the map for 1–2 features,
        else the confusion matrix (classes) or the learned filters."""
        if not info.is_image and info.n_features in (1, 2):
            wanted = "boundary"
        elif info.task in ("binary", "classification"):
            wanted = "confusion"
        else:
            wanted = "filters"
        boundary = self.docks["boundary"]
        if wanted != "boundary" and not boundary.visibleRegion().isEmpty():
            self.docks[wanted].raise_()  # the map cannot show these data
        elif wanted == "boundary" and self.docks["boundary"].visibleRegion().isEmpty() \
                and any(not self.docks[n].visibleRegion().isEmpty()
                        for n in ("confusion", "filters")):
            boundary.raise_()

    @Slot(object)
    def _on_started(self, info: RunInfo) -> None:
        self._show_fitting_picture(info)
        self.status.start_run(info.epochs, info.first_epoch)
        history = self.session.project.history if info.first_epoch else []
        for panel in self.plots.values():
            if panel is not self.views.draw_pad:
                panel.load_history(history)
            panel.start_run(info)  # after the history: it sets the run's plot ranges

    @Slot(object)
    def _on_progress(self, batch: ProgressBatch) -> None:
        start = time.perf_counter()
        for panel in self.plots.values():
            panel.add_batch(batch)
        self.status.add_batch(batch)
        if batch.snapshot is not None:
            self.refresher.pending_snapshot = batch.snapshot
        self.refresher.note("progress", start)
        self.refresher.wake()

    @Slot(object)
    def _on_finished(self, outcome: Finished) -> None:
        if os.environ.get(TRAIN_ON_START_VARIABLE):
            print(f"nnstudio: training ended ({outcome.reason}, {self.controller.backend} "
                  f"backend): {outcome.message}", file=sys.stderr, flush=True)
        for panel in self.plots.values():
            panel.end_run()
        if outcome.reason == "diverged":
            self.views.loss.show_divergence()
        self.refresher.refresh_all()
        epoch = self.controller.epoch
        if outcome.reason == "diverged":
            epoch += 1  # the epoch that was running; ``epoch`` counts finished ones
        self.status.finish(outcome.reason, epoch, self.controller.message)
        self._predictor = None
        self._run_changed = False  # the run's own curves are on screen already
        self._results_index = self.session.undo_stack.index()
        self.views.draw_pad.update_prediction()
        self._on_state(self.controller.state)

    # --- the stored run ------------------------------------------------------------------
    @Slot()
    def _on_project_replaced(self) -> None:
        """Another project: nothing of the old one stays in any view."""
        self._update_blocker()
        self.refresher.clear()
        self.overlays.clear()
        for panel in self.plots.values():
            panel.reset()
        self.panel.reload()
        self._show_saved_state()

    @Slot(object)
    def _on_project_event(self, event: pe.ProjectEvent) -> None:
        if self.controller.state in (RUNNING, PAUSED):
            return
        if isinstance(event, pe.RunAdded | pe.RunRemoved | pe.RunChanged) or (
                isinstance(event, pe.FieldChanged) and event.name in _RUN_FIELDS):
            self._run_changed = True

    @Slot()
    def _on_edited(self) -> None:
        self._predictor = None
        self._update_blocker()
        if self.panel.message.text().startswith("Cannot train") and self.controller.state \
                not in (RUNNING, PAUSED):  # said about the network before this edit
            blocker = self.blocker
            self.panel.show_message(f"Cannot train: {blocker.reason}" if blocker else "")
        stack = self.session.undo_stack
        if self.controller.state == FINISHED and stack.index() != self._results_index \
                and self._results_index >= 0:
            # an edit after the run ended: its "Training diverged…" is history now
            self._results_index = -1
            self.controller.settle()
            if self.panel.message.text():
                self.panel.show_message("")
        if self._run_changed:
            self._run_changed = False
            self.controller.settle()
            self._show_saved_state()

    def _show_saved_state(self) -> None:
        """The current run's stored history in every plot; the map, filters and confusion
        matrix of its stored weights arrive from a training server soon after."""
        history = self.session.project.history
        for panel in self.plots.values():
            panel.load_history(history)
        self.overlays.clear()
        self._on_state(self.controller.state)
        run = self.session.project.active
        if run is not None and run.outcome == "diverged":
            self.views.loss.show_divergence()
        if history:
            self.controller.show_saved()

    def show_saved_weights(self) -> bool:
        """Ask for the stored weights' views now (screenshots, tests); False if none."""
        return self.controller.show_saved()

    @Slot(object)
    def _on_preview_started(self, info: RunInfo) -> None:
        self._show_fitting_picture(info)
        for panel in (self.views.boundary, self.views.filters, self.views.confusion):
            panel.start_run(info)  # their data and axes (the weights keep the history's)

    @Slot(object)
    def _on_preview_progress(self, batch: ProgressBatch) -> None:
        snap = batch.snapshot
        shown = (self.views.boundary, self.views.filters, self.views.weights,
                 self.views.confusion)
        for panel in shown:
            panel.add_batch(ProgressBatch((), (), snap, batch.evaluation))
        if snap is not None:
            self.overlays.show_maps(snap)
        self.refresher.wake()

    @Slot(list)
    def show_compared(self, runs: list[ComparedRun]) -> None:
        """Overlay other runs' curves (Compare runs) in the Loss and Accuracy plots."""
        self.views.loss.set_compared(runs)
        self.views.metrics.set_compared(runs)

    @Slot()
    def _overlays_switched(self) -> None:
        self.overlays.switched()

    @Slot(list)
    def _on_selection(self, node_ids: list[str]) -> None:
        node = node_ids[0] if node_ids else None
        for panel in self.plots.values():
            panel.set_selected_node(node)
