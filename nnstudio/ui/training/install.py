"""``install_training_ui(window)``: the training panel, live plot docks, Training menu,
toolbar buttons, status-bar section and canvas overlays, all wired to one controller."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QWidget

from nnstudio.graph.errors import GraphError
from nnstudio.training.prepared import data_signature
from nnstudio.training.records import Finished
from nnstudio.training.trainer import Trainer
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.training.controller import (
    IDLE,
    PAUSED,
    RUNNING,
    TrainingController,
)
from nnstudio.ui.training.panel import TrainingPanel
from nnstudio.ui.training.plots.boundary import BoundaryPanel
from nnstudio.ui.training.plots.common import LivePanel, RunInfo, configure_pyqtgraph
from nnstudio.ui.training.plots.confusion import ConfusionPanel
from nnstudio.ui.training.plots.draw_pad import DrawPadPanel
from nnstudio.ui.training.plots.filters import FiltersPanel
from nnstudio.ui.training.plots.loss import LossPanel
from nnstudio.ui.training.plots.metrics import MetricsPanel
from nnstudio.ui.training.plots.norms import NormsPanel
from nnstudio.ui.training.process_worker import process_pool
from nnstudio.ui.training.settings_command import SettingsCommand
from nnstudio.ui.training.status import StatusSection
from nnstudio.ui.training.worker import ProgressBatch

BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
TRAIN_ON_START_VARIABLE = "NNSTUDIO_TRAIN_ON_START"
"""Set (smoke tests of the frozen app): press Train once the start-up project is open and
print the run's outcome to stderr."""
PROBLEMS_WIDTH = 220
PLOTS_HEIGHT = 300
"""Default size of the bottom dock area (px): Problems on the left, the plot tabs right."""
REFRESH_MS = 40
"""One stale view is redrawn per tick (at most 25 redraws a second in all); with 9 views
each redraws two to three times a second while everything changes."""


def steps_per_epoch(trainer: Trainer) -> int:
    """Optimisation steps in one epoch: batches per pass, times the bagging members (each
    trains on a bootstrap sample as large as the training split)."""
    n_train = trainer.split.train.n_samples
    batch = trainer.settings.effective_batch_size(n_train)
    return max(trainer.settings.bagging_members, 1) * max(math.ceil(n_train / batch), 1)


def run_info(trainer: Trainer) -> RunInfo:
    """The run's data in original units for the panels (copies)."""
    split, scaler = trainer.split, trainer.scaler
    ds = trainer.dataset
    names: tuple[str, ...] = tuple(ds.class_names or ())
    if trainer.task == "binary" and not names:
        names = ("0", "1")
    return RunInfo(
        task=trainer.task, class_names=names,
        train_x=scaler.inverse_transform(np.array(split.train.x)),
        train_y=np.array(split.train.y),
        val_x=scaler.inverse_transform(np.array(split.val.x)), val_y=np.array(split.val.y),
        early_stopping=trainer.settings.early_stopping, patience=trainer.settings.patience,
        epochs=trainer.settings.epochs, first_epoch=trainer.epoch, first_step=trainer.step,
        steps_per_epoch=steps_per_epoch(trainer))


class TrainingUi(QObject):
    """Everything training adds to a MainWindow (see ``install_training_ui``)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        configure_pyqtgraph()
        self.window = window
        self.controller = TrainingController(window)
        self.update_seconds: dict[str, float] = {}  # GUI time spent per panel (benchmarks)
        self.update_count = 0
        self.longest_update_s = 0.0
        self._overlay_batch: ProgressBatch | None = None
        self._refresh_index = 0
        self._sized = False
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh_next)
        self.actions = self._create_actions()
        self.panel = TrainingPanel(lambda: self.window.project, self._push_settings,
                                   self.actions)
        self.settings_dock = self._dock("Training", "training_dock", self.panel, RIGHT)
        self.status = StatusSection()
        window.statusBar().addPermanentWidget(self.status)
        titles = self._titles
        self.loss = LossPanel()
        self.metrics = MetricsPanel()
        self.gradients = NormsPanel("gradients", titles)
        self.weights = NormsPanel("weights", titles)
        self.filters = FiltersPanel(titles, self._set_sample)
        self.boundary = BoundaryPanel()
        self.confusion = ConfusionPanel()
        self.draw_pad = DrawPadPanel(self.predict_digit)
        self.plots: dict[str, LivePanel] = {
            "loss": self.loss, "metrics": self.metrics, "gradients": self.gradients,
            "weights": self.weights, "filters": self.filters, "boundary": self.boundary,
            "confusion": self.confusion, "draw_pad": self.draw_pad}
        plot_titles = {"loss": "Loss", "metrics": "Accuracy · LR",  # short: one tab row
                       "gradients": "Gradients", "weights": "Weights",
                       "filters": "Filters", "boundary": "Boundary",
                       "confusion": "Confusion", "draw_pad": "Draw digit"}
        self.docks: dict[str, QDockWidget] = {"training": self.settings_dock}
        for name, widget in self.plots.items():
            self.docks[name] = self._dock(plot_titles[name], f"{name}_dock", widget, BOTTOM)
        self._arrange_default()
        self._create_menu()

        self.controller.state_changed.connect(self._on_state)
        self.controller.started.connect(self._on_started)
        self.controller.progressed.connect(self._on_progress)
        self.controller.finished.connect(self._on_finished)
        self.controller.message_changed.connect(self.panel.show_message)
        self.controller.run_state_changed.connect(self._on_run_state_changed)
        self.panel.dataset_changed.connect(self._update_signature)
        window.project_replaced.connect(self._on_project_replaced)
        window.scene.selection_ids_changed.connect(self._on_selection)
        window.installEventFilter(self)
        if self.controller.backend == "process":
            process_pool().prespawn()  # Train then does not wait for the child's imports
        self._on_state(IDLE)
        self._on_project_replaced()
        if os.environ.get(TRAIN_ON_START_VARIABLE):
            QTimer.singleShot(0, self._train_after_start)

    # --- building ------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        widget.setMinimumSize(180, 140)  # docks must fit a 1440×900 window side by side
        dock.setWidget(widget)
        return dock

    def _arrange_default(self) -> None:
        """Training settings as a tab beside the inspector; below the canvas, beside a
        narrow Problems column, ONE tab group of every live plot (Loss in front), so each
        plot gets the full width."""
        w, d = self.window, self.docks
        w.tabifyDockWidget(w.inspector_dock, d["training"])
        w.splitDockWidget(w.problems_dock, d["loss"], Qt.Orientation.Horizontal)
        for name in self.plots:
            if name != "loss":
                w.tabifyDockWidget(d["loss"], d[name])
        d["loss"].raise_()
        d["training"].raise_()
        w.resizeDocks([w.inspector_dock], [330], Qt.Orientation.Horizontal)
        w.resizeDocks([w.problems_dock, d["loss"]], [PROBLEMS_WIDTH, 1440 - PROBLEMS_WIDTH],
                      Qt.Orientation.Horizontal)
        w.resizeDocks([w.problems_dock], [PLOTS_HEIGHT], Qt.Orientation.Vertical)
        for dock in d.values():
            w.panels_menu.addAction(dock.toggleViewAction())

    def show_all_panels(self) -> None:
        """Every plot visible at once, no tabs (benchmarks, soak): four plots below the
        canvas and four above it."""
        w, d = self.window, self.docks
        names = list(self.plots)
        for name in names:
            w.removeDockWidget(d[name])
        for i, name in enumerate(names):
            area = BOTTOM if i < 4 else Qt.DockWidgetArea.TopDockWidgetArea
            w.addDockWidget(area, d[name], Qt.Orientation.Horizontal)
            d[name].show()

    def _action(self, text: str, slot: Any, tip: str, keys: str = "") -> QAction:
        action = QAction(text, self.window)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    def _create_actions(self) -> dict[str, QAction]:
        c = self.controller
        actions = {
            "train": self._action("Train", self._train, "Train the network (F5)", "F5"),
            "pause": self._action("Pause", c.toggle_pause, "Pause or resume the run", "F6"),
            "stop": self._action("Stop", c.stop, "Stop after the current batch; keep the "
                                 "weights learned so far", "Shift+F5"),
            "step_batch": self._action("Step", c.step_batch, "Train exactly one batch, "
                                       "then pause", "F10"),
            "step_epoch": self._action("Step epoch", c.step_epoch, "Train to the end of "
                                       "the epoch, then pause", "Shift+F10"),
            "reset": self._action("Reset weights", c.reset_weights, "Forget the learned "
                                  "weights and the history (undoable)"),
        }
        self.gradient_overlay = self._action("Show Gradients on Edges", self._overlay_changed,
                                             "Colour edges by gradient magnitude instead "
                                             "of weights")
        self.gradient_overlay.setCheckable(True)
        self.neuron_maps = self._action("Show Neuron Maps on Canvas", self._overlay_changed,
                                        "Draw each hidden neuron's output over the plane "
                                        "inside its node (2-D data)")
        self.neuron_maps.setCheckable(True)
        self.neuron_maps.setChecked(True)
        return actions

    def _create_menu(self) -> None:
        w = self.window
        self.menu = w.menuBar().addMenu("&Training")
        w.menuBar().insertMenu(w.help_menu.menuAction(), self.menu)
        for name in ("train", "pause", "stop"):
            self.menu.addAction(self.actions[name])
        self.menu.addSeparator()
        for name in ("step_batch", "step_epoch"):
            self.menu.addAction(self.actions[name])
        self.menu.addSeparator()
        self.menu.addAction(self.actions["reset"])
        self.menu.addSeparator()
        self.menu.addAction(self.gradient_overlay)
        self.menu.addAction(self.neuron_maps)
        w.toolbar.addSeparator()
        for name in ("train", "pause", "step_batch", "stop"):
            w.toolbar.addAction(self.actions[name])

    # --- helpers -------------------------------------------------------------------------
    def _titles(self) -> Mapping[str, str]:
        return {n.id: n.title for n in self.window.project.graph.nodes.values()}

    def _push_settings(self, command: SettingsCommand) -> None:
        self.window.undo_stack.push(command)

    def _set_sample(self, index: int) -> None:
        self.controller.snapshot_sample = int(index)

    def predict_digit(self, x: np.ndarray) -> np.ndarray | None:
        """x: (1, 1, 8, 8) ink in [0, 1] -> (K,) probabilities, or None without a model."""
        trainer = self.controller.predictor()
        if trainer is None or trainer.dataset.x.shape[1:] != (1, 8, 8) \
                or trainer.task != "classification" or not self.window.project.history:
            return None
        probs = np.asarray(trainer.predict(x), dtype=float)[0]
        return probs if np.all(np.isfinite(probs)) else None

    @Slot()
    def _train(self) -> None:
        self.controller.train()

    @Slot()
    def _train_after_start(self) -> None:
        """Start-up (inside the event loop) opens the project next: train after that."""
        QTimer.singleShot(0, self._train)

    # --- controller events ---------------------------------------------------------------
    @Slot(str)
    def _on_state(self, state: str) -> None:
        a = self.actions
        active = state in (RUNNING, PAUSED)
        a["train"].setEnabled(not active)  # paused: the Pause button reads "Resume"
        a["train"].setText("Continue training" if self.window.project.history else "Train")
        a["pause"].setEnabled(active)
        a["pause"].setText("Resume" if state == PAUSED else "Pause")
        a["stop"].setEnabled(active)
        a["step_batch"].setEnabled(state != RUNNING)
        a["step_epoch"].setEnabled(state != RUNNING)
        a["reset"].setEnabled(not active)
        self.panel.set_running(active)
        self.status.set_state(state)

    @Slot(object)
    def _on_started(self, trainer: Trainer) -> None:
        info = run_info(trainer)
        self.status.start_run(info.epochs, trainer.epoch)
        history = list(self.window.project.history)
        for panel in self.plots.values():
            if panel is not self.draw_pad:
                panel.load_history(history)
            panel.start_run(info)  # after the history: it sets the run's plot ranges

    @Slot(object)
    def _on_progress(self, batch: ProgressBatch) -> None:
        start = time.perf_counter()
        for panel in self.plots.values():
            panel.add_batch(batch)
        self.status.add_batch(batch)
        if batch.snapshot is not None:
            self._overlay_batch = batch
        self._note_time("progress", start)
        if not self.refresh_timer.isActive():
            self.refresh_timer.start()

    def _note_time(self, name: str, start: float) -> None:
        spent = time.perf_counter() - start
        self.update_seconds[name] = self.update_seconds.get(name, 0.0) + spent
        self.update_count += 1
        self.longest_update_s = max(self.longest_update_s, spent)

    @Slot()
    def _refresh_next(self) -> None:
        """Redraw ONE stale view per tick (round robin): short event-loop turns."""
        views = [*self.plots, "overlays"]
        for _ in range(len(views)):
            self._refresh_index = (self._refresh_index + 1) % len(views)
            name = views[self._refresh_index]
            start = time.perf_counter()
            if name == "overlays":
                batch, self._overlay_batch = self._overlay_batch, None
                if batch is None:
                    continue
                self._show_overlays(batch)
            elif not self.plots[name].refresh():
                continue
            self._note_time(name, start)
            return
        self.refresh_timer.stop()  # nothing stale any more

    def refresh_all(self) -> None:
        """Redraw every stale view now (end of a run, screenshots)."""
        for panel in self.plots.values():
            panel.refresh()
        batch, self._overlay_batch = self._overlay_batch, None
        if batch is not None:
            self._show_overlays(batch)

    def _show_overlays(self, batch: ProgressBatch) -> None:
        snap = batch.snapshot
        if snap is None:
            return
        scene = self.window.scene
        doc = self.window.project.graph
        gradients = self.gradient_overlay.isChecked()
        per_node = {n: float(np.linalg.norm(a)) for n, a in
                    (snap.grads if gradients else snap.weights).items()}
        values: dict[str, float] = {}
        for edge in doc.edges.values():  # a layer edge shows the norm of the layer it feeds
            target = edge.target.node_id
            if target in per_node and doc.nodes[target].type_id != "neuron.neuron":
                values[edge.source.node_id] = per_node[target]
        if gradients:
            values.update({k: abs(v) for k, v in snap.edge_grads.items()})
            scene.set_edge_overlay("gradients", values)
        else:
            values.update(snap.edge_weights)
            scene.set_edge_overlay("weights", values)
        if self.neuron_maps.isChecked() and snap.neuron_maps:
            scene.set_node_thumbnails({k: _unit(v) for k, v in snap.neuron_maps.items()})

    @Slot()
    def _overlay_changed(self) -> None:
        if not self.neuron_maps.isChecked():
            self.window.scene.set_node_thumbnails(None)
        if not self.gradient_overlay.isChecked():
            self.window.scene.set_edge_overlay("weights", None)

    @Slot(object)
    def _on_finished(self, outcome: Finished) -> None:
        if os.environ.get(TRAIN_ON_START_VARIABLE):
            print(f"nnstudio: training ended ({outcome.reason}, {self.controller.backend} "
                  f"backend): {outcome.message}", file=sys.stderr, flush=True)
        for panel in self.plots.values():
            panel.end_run()
        self.refresh_all()
        epoch = self.controller.epoch
        if outcome.reason == "diverged":
            epoch += 1  # the epoch that was running; ``epoch`` counts finished ones
        self.status.finish(outcome.reason, epoch, self.controller.message)
        self.draw_pad.update_prediction()
        self._on_state(self.controller.state)  # "Continue training" once there is history

    @Slot()
    def _on_project_replaced(self) -> None:
        self.panel.reload()
        self._show_saved_state()
        self._update_signature()

    @Slot()
    def _on_run_state_changed(self) -> None:
        """Undo/redo of "Training results" or "Reset weights": curves follow the weights."""
        self._show_saved_state()

    def _show_saved_state(self) -> None:
        """The project's stored history in every plot; the map/curve, filters and weights
        of its saved weights are computed soon after (``show_saved_weights``)."""
        history = list(self.window.project.history)
        for panel in self.plots.values():
            panel.load_history(history)
        self.window.scene.set_node_thumbnails(None)
        self._on_state(self.controller.state)
        if history:
            QTimer.singleShot(0, self.show_saved_weights)

    @Slot()
    def show_saved_weights(self) -> bool:
        """What a run would show at its end, for the saved weights: one forward pass of
        the compiled plan over the map's grid (or the curve), filters and weights, and the
        confusion matrix. Cheap; skipped during a run or when the project cannot train.
        True if shown."""
        if self.controller.state in (RUNNING, PAUSED) or not self.window.project.history:
            return False
        trainer = self.controller.predictor()
        if trainer is None:
            return False
        try:
            snap = trainer.snapshot()
            evaluate_run = self.controller.evaluator(trainer)
            evaluation = evaluate_run(trainer.epoch, trainer.step) if evaluate_run else None
        except (GraphError, ValueError, FloatingPointError):
            return False
        info = run_info(trainer)
        batch = ProgressBatch((), (), snap, evaluation)
        for panel in (self.boundary, self.filters, self.confusion):
            panel.start_run(info)  # their data and axes (the weights keep the history's)
        shown: tuple[LivePanel, ...] = (self.boundary, self.filters, self.weights,
                                         self.confusion)
        for live in shown:
            live.add_batch(batch)
        if self.neuron_maps.isChecked() and snap.neuron_maps:
            self.window.scene.set_node_thumbnails({k: _unit(v)
                                                   for k, v in snap.neuron_maps.items()})
        if not self.refresh_timer.isActive():
            self.refresh_timer.start()
        return True

    @Slot()
    def _update_signature(self) -> None:
        project = self.window.project
        if not project.dataset:
            return
        path = self.window.file_path
        signature, _reason = data_signature(project, path.parent if path else None)
        self.window.set_data_signature(signature)

    @Slot(list)
    def _on_selection(self, node_ids: list[str]) -> None:
        node = node_ids[0] if node_ids else None
        for panel in self.plots.values():
            panel.set_selected_node(node)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.controller.shutdown()
        if watched is self.window and event.type() == QEvent.Type.Show and not self._sized:
            self._sized = True
            if QSettings().value("main_window/state") is None:
                QTimer.singleShot(0, self._size_bottom)  # once the window has its size
        return False

    @Slot()
    def _size_bottom(self) -> None:
        """Problems narrow, the plot tabs take the rest of the width (first start only:
        later the saved layout wins)."""
        w, d = self.window, self.docks
        width = max(w.width() - w.palette_dock.width() - w.inspector_dock.width(), 400)
        w.resizeDocks([w.problems_dock, d["loss"]], [PROBLEMS_WIDTH, width - PROBLEMS_WIDTH],
                      Qt.Orientation.Horizontal)
        w.resizeDocks([w.problems_dock], [PLOTS_HEIGHT], Qt.Orientation.Vertical)


def _unit(a: np.ndarray) -> np.ndarray:
    """Scale a neuron map into [-1, 1] (by its largest magnitude)."""
    top = float(np.max(np.abs(a))) if a.size else 0.0
    return (a / top).astype(np.float32) if top > 0 else np.zeros_like(a, dtype=np.float32)


def install_training_ui(window: MainWindow) -> TrainingUi:
    """Add live training to ``window``; call once from ``MainWindow.__init__``."""
    ui = TrainingUi(window)
    window.training_ui = ui
    return ui


__all__ = ["TrainingUi", "install_training_ui"]
