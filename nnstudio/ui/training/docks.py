"""The training docks: the settings panel (a tab beside the inspector when building, the
left column when training) and the live plots, which the Train workspace shows in two tab
groups side by side below a wide canvas: the curves (Loss in front) and the pictures."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from nnstudio.ui.host import Host
from nnstudio.ui.training.panel import TrainingPanel
from nnstudio.ui.training.plots.boundary import BoundaryPanel
from nnstudio.ui.training.plots.common import LivePanel
from nnstudio.ui.training.plots.confusion import ConfusionPanel
from nnstudio.ui.training.plots.draw_pad import DrawPadPanel
from nnstudio.ui.training.plots.filters import FiltersPanel
from nnstudio.ui.training.plots.loss import LossPanel
from nnstudio.ui.training.plots.metrics import MetricsPanel
from nnstudio.ui.training.plots.norms import NormsPanel

BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
CURVES = ("loss", "metrics", "gradients", "weights")
"""Plots in the left group of the Train workspace; the others (pictures) go right."""
PLOT_TITLES = {"loss": "Loss", "metrics": "Accuracy · LR",  # short: one tab row
               "gradients": "Gradients", "weights": "Weights", "filters": "Filters",
               "boundary": "Boundary", "confusion": "Confusion", "draw_pad": "Draw digit"}


TONE_STYLES = {"error": "color: #b3261e; font-weight: 600;", "warning": "color: #8a5a00;",
               "": "color: #3d4450;"}


class PlotFrame(QWidget):
    """A live panel under a one-line header saying what the run is doing (the same line
    as the status bar), so a plot never looks finished while the run is paused, diverged
    or cannot start."""

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        self.panel = panel
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = QLabel("")
        self.header.setObjectName("plot_state")
        self.header.setContentsMargins(6, 2, 6, 0)
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.header)
        layout.addWidget(panel, 1)

    def set_state(self, text: str, tone: str) -> None:
        metrics = self.header.fontMetrics()
        width = max(self.width() - 12, 100)
        self.header.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
        self.header.setToolTip(text)
        self.header.setStyleSheet(TONE_STYLES.get(tone, TONE_STYLES[""]))


class TrainingDocks:
    """``plots``: the live panels by name; ``docks``: their docks plus "training"."""

    def __init__(self, host: Host, panel: TrainingPanel,
                 titles: Callable[[], Mapping[str, str]], set_sample: Callable[[int], None],
                 predict_digit: Callable[[np.ndarray], np.ndarray | None]) -> None:
        self.host = host
        self.loss = LossPanel()
        self.metrics = MetricsPanel()
        self.gradients = NormsPanel("gradients", titles)
        self.weights = NormsPanel("weights", titles)
        self.filters = FiltersPanel(titles, set_sample)
        self.boundary = BoundaryPanel()
        self.confusion = ConfusionPanel()
        self.draw_pad = DrawPadPanel(predict_digit)
        self.plots: dict[str, LivePanel] = {
            "loss": self.loss, "metrics": self.metrics, "gradients": self.gradients,
            "weights": self.weights, "filters": self.filters, "boundary": self.boundary,
            "confusion": self.confusion, "draw_pad": self.draw_pad}
        self.docks: dict[str, QDockWidget] = {
            "training": self._dock("Training", "training_dock", panel)}
        host.add_dock(self.docks["training"], RIGHT,
                      places={"build": "right", "train": "left", "explain": "right"},
                      front=("train",))
        self.frames: dict[str, PlotFrame] = {}
        for name, widget in self.plots.items():
            widget.setMinimumSize(180, 120)
            self.frames[name] = frame = PlotFrame(widget)
            self.docks[name] = dock = self._dock(PLOT_TITLES[name], f"{name}_dock", frame)
            place = "bottom" if name in CURVES else "bottom_right"
            host.add_dock(dock, BOTTOM, places={"train": place},
                          front=("train",) if name in ("loss", "boundary") else ())

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.host.widget())
        dock.setObjectName(name)
        widget.setMinimumSize(180, 140)  # docks must fit a 1280×720 window side by side
        dock.setWidget(widget)
        return dock

    def set_state(self, text: str, tone: str) -> None:
        """The run's state line in every plot's header."""
        for frame in self.frames.values():
            frame.set_state(text, tone)

    def show_all(self) -> None:
        """Every plot visible at once, no tabs (benchmarks, soak): four plots below the
        canvas and four above it."""
        for i, name in enumerate(self.plots):
            dock = self.docks[name]
            dock.setFloating(False)
            area = BOTTOM if i < 4 else Qt.DockWidgetArea.TopDockWidgetArea
            self.host.add_dock(dock, area)
            dock.show()
