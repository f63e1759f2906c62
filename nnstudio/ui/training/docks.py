"""The training docks: the settings panel beside the inspector, and below the canvas one
tab group of every live plot (Loss in front) beside a narrow Problems column."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

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
PROBLEMS_WIDTH = 220
PLOTS_HEIGHT = 300
"""Default size of the bottom dock area (px): Problems on the left, the plot tabs right."""
PLOT_TITLES = {"loss": "Loss", "metrics": "Accuracy · LR",  # short: one tab row
               "gradients": "Gradients", "weights": "Weights", "filters": "Filters",
               "boundary": "Boundary", "confusion": "Confusion", "draw_pad": "Draw digit"}


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
        host.add_dock(self.docks["training"], RIGHT, tab_with="inspector_dock")
        for name, widget in self.plots.items():
            self.docks[name] = self._dock(PLOT_TITLES[name], f"{name}_dock", widget)
        self._arrange_default()

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.host.widget())
        dock.setObjectName(name)
        widget.setMinimumSize(180, 140)  # docks must fit a 1440×900 window side by side
        dock.setWidget(widget)
        return dock

    def _arrange_default(self) -> None:
        """Below the canvas, beside a narrow Problems column, ONE tab group of every live
        plot (Loss in front), so each plot gets the full width."""
        d, host = self.docks, self.host
        host.add_dock(d["loss"], BOTTOM)
        host.split_dock("problems_dock", d["loss"], Qt.Orientation.Horizontal)
        for name in self.plots:
            if name != "loss":
                host.add_dock(d[name], BOTTOM, tab_with="loss_dock")
        d["loss"].raise_()
        d["training"].raise_()
        self.size_bottom(1440)

    def size_bottom(self, width: int) -> None:
        """Problems narrow, the plot tabs take the rest of ``width``."""
        problems = self.host.dock("problems_dock")
        if problems is None:
            return
        loss = self.docks["loss"]
        self.host.resize_docks([problems, loss],
                               [PROBLEMS_WIDTH, max(width - PROBLEMS_WIDTH, 200)],
                               Qt.Orientation.Horizontal)
        self.host.resize_docks([problems], [PLOTS_HEIGHT], Qt.Orientation.Vertical)

    def show_all(self) -> None:
        """Every plot visible at once, no tabs (benchmarks, soak): four plots below the
        canvas and four above it."""
        for i, name in enumerate(self.plots):
            dock = self.docks[name]
            dock.setFloating(False)
            area = BOTTOM if i < 4 else Qt.DockWidgetArea.TopDockWidgetArea
            self.host.add_dock(dock, area)
            dock.show()
