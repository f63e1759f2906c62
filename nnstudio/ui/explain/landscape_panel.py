"""The Landscape panel: choose a surface (this network or a built-in one), the axes and
the optimizer paths; compute off the GUI thread; follow the paths step by step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QPointF, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.project import Project
from nnstudio.training.explain_data import snapshot
from nnstudio.training.landscape import MAX_STEPS, OPTIMIZER_PATHS, PathSettings
from nnstudio.training.landscape_job import (
    LandscapeJob,
    LandscapeResult,
    NetworkSource,
    SurfaceSource,
)
from nnstudio.training.landscape_network import ScalarParam, scalar_parameters
from nnstudio.training.landscape_surfaces import SURFACES, SURFACES_BY_KEY
from nnstudio.training.settings import TrainingError, TrainingSettings
from nnstudio.ui.explain.landscape_plot import PATH_COLOURS, LandscapePlot
from nnstudio.ui.explain.landscape_worker import LandscapeRunner

NETWORK = "network"
PLAY_MS = 40
PLAY_SECONDS = 6.0
"""Play runs through all steps in about this long."""
CONTROLS_WIDTH = 270
NETWORK_HELP = (
    "Colours show the loss of this network on its training data; the lines are contours "
    "of equal loss. The ★ is the network's current weights. Every path starts at the ○ "
    "and follows its optimizer on the same data. Press Play or drag the slider to follow "
    "them step by step; click the map to start the paths somewhere else.")
RANDOM_HELP = (
    " With random directions, the picture is a slice through all the weights: (0, 0) is "
    "the current network, and ±1 moves every filter by its own size (Li et al., 2018). "
    "The paths move within this slice.")


def swatch(colour: str) -> QPixmap:
    pixmap = QPixmap(14, 4)
    pixmap.fill(QColor(colour))
    return pixmap


class LandscapePanel(QWidget):
    """See the module docstring. ``project()`` and ``base_dir()`` read the open project."""

    def __init__(self, project: Callable[[], Project],
                 base_dir: Callable[[], Path | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscape_panel")
        self._project = project
        self._base_dir = base_dir
        self.parameters: list[ScalarParam] = []
        self.result: LandscapeResult | None = None
        self.start_point: tuple[float, float] | None = None
        self._status = ""
        self._stale = False  # an edit came while hidden: list the parameters when shown
        self.runner = LandscapeRunner(self)
        self.plot = LandscapePlot()
        self.plot.setMinimumSize(300, 180)
        self.plot.scene().sigMouseClicked.connect(self._on_plot_clicked)
        self._timer = QTimer(self)
        self._timer.setInterval(PLAY_MS)
        self._timer.timeout.connect(self._advance)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self._left_column())
        right = QVBoxLayout()
        right.addWidget(self.plot, 1)
        self.legend = QLabel()
        self.legend.setObjectName("landscape_legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.legend)
        right.addLayout(self._player())
        layout.addLayout(right, 1)
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.busy_changed.connect(self._on_busy)
        self._on_busy(False)
        self.project_changed()

    # --- building ------------------------------------------------------------------------
    def _left_column(self) -> QWidget:
        box = QWidget()
        box.setFixedWidth(CONTROLS_WIDTH)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.surface_combo = QComboBox()
        self.surface_combo.setObjectName("landscape_surface")
        self.surface_combo.addItem("This network's loss", NETWORK)
        for surface in SURFACES:
            self.surface_combo.addItem(surface.title, surface.key)
        self.surface_combo.setToolTip("The network's own loss, or a built-in surface that "
                                      "shows one of the problems of gradient descent")
        self.surface_combo.activated.connect(self._on_surface_chosen)
        column.addWidget(self.surface_combo)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("landscape_tabs")
        self.text = QLabel()
        self.text.setObjectName("landscape_text")
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setContentsMargins(4, 2, 4, 2)
        about = QScrollArea()
        about.setWidgetResizable(True)
        about.setFrameShape(QFrame.Shape.NoFrame)
        about.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        about.setWidget(self.text)
        self.tabs.addTab(about, "What to see")
        settings = QScrollArea()  # scrolls rather than forcing its height on the dock
        settings.setWidgetResizable(True)
        settings.setFrameShape(QFrame.Shape.NoFrame)
        settings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        settings.setWidget(self._settings())
        self.tabs.addTab(settings, "Settings")
        column.addWidget(self.tabs, 1)
        buttons = QHBoxLayout()
        self.compute_button = QPushButton("Compute")
        self.compute_button.setObjectName("landscape_compute")
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("landscape_cancel")
        self.cancel_button.clicked.connect(self.runner.cancel)
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.cancel_button)
        column.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setObjectName("landscape_progress")
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        self.progress.setMaximumHeight(18)
        column.addWidget(self.progress)
        return box

    def _settings(self) -> QWidget:
        box = QWidget()
        form = QFormLayout(box)
        form.setContentsMargins(4, 4, 4, 4)
        form.setVerticalSpacing(3)
        self.mode_combo = QComboBox()
        self.mode_combo.setObjectName("landscape_mode")
        self.mode_combo.addItem("Two parameters", "parameters")
        self.mode_combo.addItem("Two random directions", "random")
        self.mode_combo.activated.connect(lambda _i: self._update_enabled())
        form.addRow("Axes", self.mode_combo)
        self.u_combo, self.v_combo = QComboBox(), QComboBox()
        for combo, name in ((self.u_combo, "landscape_u"), (self.v_combo, "landscape_v")):
            combo.setObjectName(name)
            combo.setMinimumContentsLength(12)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        form.addRow("u (across)", self.u_combo)
        form.addRow("v (up)", self.v_combo)
        self.range_spin = QDoubleSpinBox()
        self.range_spin.setRange(0.05, 50.0)
        self.range_spin.setValue(1.0)
        self.range_spin.setSingleStep(0.25)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 10_000)
        random_row = QHBoxLayout()
        random_row.addWidget(QLabel("±"))
        random_row.addWidget(self.range_spin)
        random_row.addWidget(QLabel("seed"))
        random_row.addWidget(self.seed_spin)
        form.addRow("Range", random_row)
        paths = QGridLayout()
        paths.setSpacing(2)
        self.path_boxes: dict[str, QCheckBox] = {}
        for i, spec in enumerate(OPTIMIZER_PATHS):
            box_ = QCheckBox(spec.label)
            box_.setObjectName(f"path_{spec.key}")
            box_.setChecked(True)
            box_.setIcon(swatch(PATH_COLOURS[spec.key]))
            self.path_boxes[spec.key] = box_
            paths.addWidget(box_, i // 2, i % 2)
        form.addRow(paths)
        self.lr_spin = self._float_spin(0.0001, 100.0, 0.1)
        self.lr_spin.setToolTip("Learning rate of batch, stochastic, mini-batch, momentum "
                                "and Nesterov descent")
        self.lr_adaptive_spin = self._float_spin(0.0001, 100.0, 0.05)
        self.lr_adaptive_spin.setToolTip("Learning rate of RMSprop and Adam: their steps "
                                         "are about this long whatever the gradient")
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.lr_spin)
        lr_row.addWidget(QLabel("Adam, RMSprop"))
        lr_row.addWidget(self.lr_adaptive_spin)
        form.addRow("Learning rate", lr_row)
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, MAX_STEPS)
        self.steps_spin.setValue(100)
        self.resolution_spin = QSpinBox()
        self.resolution_spin.setRange(11, 101)
        self.resolution_spin.setSingleStep(10)
        self.resolution_spin.setValue(41)
        self.resolution_spin.setToolTip("Grid points per side (the loss is computed at "
                                        "resolution² points)")
        steps_row = QHBoxLayout()
        steps_row.addWidget(self.steps_spin)
        steps_row.addWidget(QLabel("grid"))
        steps_row.addWidget(self.resolution_spin)
        form.addRow("Steps", steps_row)
        return box

    @staticmethod
    def _float_spin(lo: float, hi: float, value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(4)
        spin.setRange(lo, hi)
        spin.setSingleStep(0.01)
        spin.setValue(value)
        return spin

    def _player(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play")
        self.play_button.setObjectName("landscape_play")
        self.play_button.setCheckable(True)
        self.play_button.toggled.connect(self._on_play)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("landscape_slider")
        self.slider.valueChanged.connect(self._on_slider)
        self.step_label = QLabel("step 0 / 0")
        self.step_label.setMinimumWidth(110)
        row.addWidget(self.play_button)
        row.addWidget(self.slider, 1)
        row.addWidget(self.step_label)
        return row

    # --- the project ---------------------------------------------------------------------
    def project_changed(self) -> None:
        """A new project or an edit: list its parameters again; a network picture is old.
        While the panel is hidden this waits until it shows (listing compiles the network,
        which for a big one takes seconds and its size in memory)."""
        if not self.isVisible():
            self._stale = True
            return
        self._list_parameters()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._list_parameters()

    def _list_parameters(self) -> None:
        self._stale = False
        project = self._project()
        self.parameters = []
        try:
            plan = compile_graph(project.graph, None, seed=int(project.seed))
            self.parameters = scalar_parameters(plan, project.graph)
        except (GraphError, ValueError):
            pass  # computing will show the sentence
        for combo in (self.u_combo, self.v_combo):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            for p in self.parameters:
                combo.addItem(p.label)
            index = combo.findText(current)
            combo.setCurrentIndex(index if index >= 0 else 0)
            combo.blockSignals(False)
        if self.v_combo.currentIndex() == self.u_combo.currentIndex() and len(
                self.parameters) > 1:
            self.v_combo.setCurrentIndex(1 if self.u_combo.currentIndex() != 1 else 0)
        self.mode_combo.setCurrentIndex(0 if len(self.parameters) == 2 else 1)
        self._network_defaults(project)
        if self.surface_key() == NETWORK and self.result is not None:
            self._set_status("The network has changed since this picture: press Compute.")
        self._update_enabled()

    def _network_defaults(self, project: Project) -> None:
        if self.surface_key() != NETWORK:
            return
        try:
            s = TrainingSettings.from_dict(project.training)
        except TrainingError:
            return
        self.lr_spin.setValue(s.lr if s.optimizer == "sgd" else 0.1)
        self.lr_adaptive_spin.setValue(s.lr if s.optimizer != "sgd" else 0.05)
        self.steps_spin.setValue(100)

    def surface_key(self) -> str:
        return str(self.surface_combo.currentData())

    def _update_enabled(self) -> None:
        network = self.surface_key() == NETWORK
        random = self.mode_combo.currentData() == "random"
        self.mode_combo.setEnabled(network)
        for combo in (self.u_combo, self.v_combo):
            combo.setEnabled(network and not random)
        for spin in (self.range_spin, self.seed_spin):
            spin.setEnabled(network and random)
        self._show_text()

    # --- computing -----------------------------------------------------------------------
    def select_surface(self, key: str, compute: bool = True) -> None:
        """Show ``key`` ("network" or a built-in surface) and compute it."""
        index = self.surface_combo.findData(key)
        if index < 0:
            raise KeyError(key)
        self.surface_combo.setCurrentIndex(index)
        self._on_surface_chosen()
        if compute:
            self.compute()

    def _on_surface_chosen(self, _index: int = 0) -> None:
        self.start_point = None
        key = self.surface_key()
        if key == NETWORK:
            self._network_defaults(self._project())
            for box in self.path_boxes.values():
                box.setChecked(True)
        else:
            surface = SURFACES_BY_KEY[key]
            for name, box in self.path_boxes.items():
                box.setChecked(name in surface.paths)
            s = surface.settings
            self.lr_spin.setValue(s.lr)
            self.lr_adaptive_spin.setValue(s.lr_adaptive)
            self.steps_spin.setValue(s.steps)
        self._update_enabled()

    def job(self) -> LandscapeJob:
        """The computation the controls describe."""
        if self._stale:
            self._list_parameters()
        settings = PathSettings(lr=self.lr_spin.value(), lr_adaptive=self.lr_adaptive_spin.value(),
                                steps=self.steps_spin.value(),
                                minibatch_size=self._minibatch_size())
        paths = tuple(k for k, box in self.path_boxes.items() if box.isChecked())
        key = self.surface_key()
        source: SurfaceSource | NetworkSource
        if key != NETWORK:
            source = SurfaceSource(key)
        else:
            axes = None
            u, v = self.u_combo.currentIndex(), self.v_combo.currentIndex()
            if 0 <= u < len(self.parameters) and 0 <= v < len(self.parameters):
                axes = (self.parameters[u], self.parameters[v])
            mode: Literal["parameters", "random"] = (
                "random" if self.mode_combo.currentData() == "random" else "parameters")
            source = NetworkSource(snapshot(self._project()), self._base_dir(), mode, axes,
                                   self.seed_spin.value(), self.range_spin.value())
        return LandscapeJob(source, paths, settings, self.resolution_spin.value(),
                            self.start_point)

    def _minibatch_size(self) -> int:
        try:
            size = TrainingSettings.from_dict(self._project().training).batch_size
        except TrainingError:
            size = 16
        return size if size > 1 else 16

    @Slot()
    def compute(self) -> None:
        self._on_play(False)
        self._set_status("")
        self.runner.start(self.job())

    @Slot(str, int, int)
    def _on_progress(self, stage: str, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(stage)

    @Slot(object)
    def _on_finished(self, result: LandscapeResult) -> None:
        self.result = result
        self.progress.setValue(self.progress.maximum())
        self.progress.setFormat("Computed")
        self.plot.show_result(result)
        last = self.plot.max_step()
        self.slider.blockSignals(True)
        self.slider.setRange(0, last)
        self.slider.setValue(last)
        self.slider.blockSignals(False)
        self.legend.setText(self.plot.legend_html(last))
        self._show_step_label(last)
        self._show_text()

    @Slot(str)
    def _on_failed(self, sentence: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("")
        self._set_status(sentence)

    @Slot()
    def _on_cancelled(self) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("Cancelled")

    @Slot(bool)
    def _on_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress.setValue(0)
            self.progress.setFormat("Starting…")

    # --- following the paths -------------------------------------------------------------
    def _on_play(self, playing: bool) -> None:
        if self.play_button.isChecked() != playing:
            self.play_button.setChecked(playing)
            return
        self.play_button.setText("⏸ Pause" if playing else "▶ Play")
        if playing:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
            self._timer.start()
        else:
            self._timer.stop()

    def _advance(self) -> None:
        last = self.slider.maximum()
        stride = max(1, round(last / (PLAY_SECONDS * 1000 / PLAY_MS)))
        step = min(self.slider.value() + stride, last)
        self.slider.setValue(step)
        if step >= last:
            self._on_play(False)

    def _on_slider(self, step: int) -> None:
        self.plot.show_step(step)
        self.legend.setText(self.plot.legend_html(step))
        self._show_step_label(step)

    def _show_step_label(self, step: int) -> None:
        self.step_label.setText(f"step {step} / {self.slider.maximum()}")

    def _on_plot_clicked(self, event: object) -> None:
        if self.result is None or self.runner.busy:
            return
        pos = getattr(event, "scenePos", lambda: None)()
        view = self.plot.plot_item.getViewBox()
        if pos is None or not view.sceneBoundingRect().contains(pos):
            return
        point: QPointF = view.mapSceneToView(pos)
        self.start_point = (point.x(), point.y())
        self.compute()

    # --- words ---------------------------------------------------------------------------
    def _set_status(self, sentence: str) -> None:
        self._status = sentence
        if sentence:
            self.tabs.setCurrentIndex(0)
        self._show_text()

    def _show_text(self) -> None:
        parts = []
        if self._status:
            parts.append(f"<p style='color:#b03a2e'><b>{self._status}</b></p>")
        key = self.surface_key()
        if key == NETWORK:
            text = NETWORK_HELP
            if self.mode_combo.currentData() == "random":
                text += RANDOM_HELP
            parts.append(f"<p>{text}</p>")
            if self.result is not None and self.result.note:
                parts.append(f"<p style='color:#5a6270'>{self.result.note}</p>")
        else:
            surface = SURFACES_BY_KEY[key]
            parts.append(f"<p><b>{surface.title}</b><br>{surface.formula}</p>"
                         f"<p>{surface.lesson}</p>"
                         "<p style='color:#5a6270'>More paths under Settings. No data here: "
                         "stochastic and mini-batch steps use the exact gradient plus "
                         "noise. Click the map to start somewhere else.</p>")
        self.text.setText("".join(parts))
