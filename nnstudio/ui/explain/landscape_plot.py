"""The landscape picture: the loss as a heat map with contour lines and a colour bar, the
network's current weights, and the optimizer paths drawn up to a chosen step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QWidget

from nnstudio.training.landscape import OptimizerPath
from nnstudio.training.landscape_job import LandscapeResult

CONTOUR_LEVELS = 12
LOG_RATIO = 50.0
"""A positive loss spanning more than this factor is coloured on a log scale."""
PATH_COLOURS = {
    "batch": "#1f77b4", "stochastic": "#ff7f0e", "minibatch": "#2ca02c",
    "momentum": "#d62728", "nesterov": "#9467bd", "rmsprop": "#8c564b", "adam": "#e377c2",
}
HEAT_MAP = pg.ColorMap([0.0, 0.35, 0.7, 1.0],
                       ["#fbfbf4", "#d5e4d0", "#8fb3b5", "#40607a"], name="loss")
"""Pale where the loss is low, slate blue where it is high: paths stay readable."""


def display_values(grid: np.ndarray) -> tuple[np.ndarray, str]:
    """What the colours show: log10(loss) when the loss is positive and spans more than
    ``LOG_RATIO``, else the loss; and the colour bar's label."""
    finite = grid[np.isfinite(grid)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > LOG_RATIO:
        return np.log10(np.where(np.isfinite(grid), grid, finite.max())), "log₁₀ loss"
    top = finite.max() if finite.size else 0.0
    return np.where(np.isfinite(grid), grid, top), "loss"


class LandscapePlot(pg.GraphicsLayoutWidget):
    """Heat map + isocurves + colour bar + current point + paths with a legend."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.plot_item: pg.PlotItem = self.addPlot()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.plot_item.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(colorMap=HEAT_MAP, interactive=False, width=14,
                                          label="loss")
        self.colour_bar.setImageItem(self.image, insert_in=self.plot_item)
        self.contours: list[pg.IsocurveItem] = []
        self.lines: dict[str, pg.PlotDataItem] = {}
        self.heads: dict[str, pg.ScatterPlotItem] = {}
        self.start_marker = pg.ScatterPlotItem(size=9, symbol="o", pen=pg.mkPen("k", width=1.5),
                                               brush=pg.mkBrush("w"))
        self.current_marker = pg.ScatterPlotItem(size=16, symbol="star",
                                                 pen=pg.mkPen("k", width=1),
                                                 brush=pg.mkBrush("#ffd700"))
        for item in (self.start_marker, self.current_marker):
            item.setZValue(20)
            self.plot_item.addItem(item)
        self.result: LandscapeResult | None = None
        self.scale_label = "loss"

    def show_result(self, result: LandscapeResult) -> None:
        """Draw a new landscape; paths are shown in full (``show_step`` animates)."""
        self.result = result
        values, self.scale_label = display_values(result.grid)
        xs, ys = result.xs, result.ys
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.image.setImage(values, autoLevels=False)
        lo, hi = float(values.min()), float(values.max())
        hi = hi if hi > lo else lo + 1.0
        self.image.setRect(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys))
        self.colour_bar.setLevels((lo, hi))
        self.colour_bar.getAxis("left").setLabel(self.scale_label)
        self._draw_contours(values, lo, hi, QTransform(dx, 0, 0, dy, xs[0], ys[0]))
        self._draw_paths(result.paths)
        start = result.start
        self.start_marker.setData([start[0]], [start[1]])
        current = result.current
        self.current_marker.setData([] if current is None else [current[0]],
                                    [] if current is None else [current[1]])
        u_label, v_label = result.axis_labels
        self.plot_item.setLabel("bottom", u_label)
        self.plot_item.setLabel("left", v_label)
        self.plot_item.setXRange(xs[0] - dx / 2, xs[-1] + dx / 2, padding=0)
        self.plot_item.setYRange(ys[0] - dy / 2, ys[-1] + dy / 2, padding=0)

    def _draw_contours(self, values: np.ndarray, lo: float, hi: float,
                       transform: QTransform) -> None:
        for item in self.contours:
            self.plot_item.removeItem(item)
        self.contours = []
        for level in np.linspace(lo, hi, CONTOUR_LEVELS + 2)[1:-1]:
            item = pg.IsocurveItem(values, float(level), pen=pg.mkPen("#3d4650", width=1),
                                   axisOrder="row-major")
            item.setTransform(transform)  # grid index i -> xs[i], as the image's centres
            item.setOpacity(0.45)
            item.setZValue(5)
            self.plot_item.addItem(item)
            self.contours.append(item)

    def _draw_paths(self, paths: tuple[OptimizerPath, ...]) -> None:
        for item in [*self.lines.values(), *self.heads.values()]:
            self.plot_item.removeItem(item)
        self.lines, self.heads = {}, {}
        for path in paths:
            colour = PATH_COLOURS.get(path.spec.key, "#000000")
            line = pg.PlotDataItem(path.points[:, 0], path.points[:, 1],
                                   pen=pg.mkPen(colour, width=2))
            line.setZValue(10)
            head = pg.ScatterPlotItem(size=9, pen=pg.mkPen("k", width=1),
                                      brush=pg.mkBrush(colour))
            head.setZValue(15)
            self.plot_item.addItem(line)
            self.plot_item.addItem(head)
            self.lines[path.spec.key] = line
            self.heads[path.spec.key] = head
        self.show_step(self.max_step())

    def legend_html(self, step: int | None = None) -> str:
        """The legend as rich text: a coloured line, name and loss at ``step`` per path,
        then the markers."""
        if self.result is None:
            return ""
        entries = []
        for path in self.result.paths:
            colour = PATH_COLOURS.get(path.spec.key, "#000000")
            entries.append(f"<span style='color:{colour}; font-weight:bold'>━━</span>&nbsp;"
                           f"{self.legend_text(path, step)}")
        if self.result.current is not None:
            entries.append("<span style='color:#b8860b'>★</span>&nbsp;current weights")
        entries.append("○&nbsp;start")
        return "Loss at this step: " + " &nbsp; ".join(entries)

    @staticmethod
    def legend_text(path: OptimizerPath, step: int | None) -> str:
        end = len(path.points) - 1 if step is None else min(step, len(path.points) - 1)
        text = f"{path.spec.label}&nbsp;{path.losses[end]:.3g}"
        if path.diverged_at is not None and end == len(path.points) - 1:
            text += f" (diverged at step {path.diverged_at})"
        return text

    def max_step(self) -> int:
        """The longest path's number of steps."""
        if self.result is None or not self.result.paths:
            return 0
        return max(len(p.points) for p in self.result.paths) - 1

    def show_step(self, step: int) -> None:
        """Each path up to ``step`` (its end if shorter), with a dot at its head."""
        if self.result is None:
            return
        for path in self.result.paths:
            end = min(step, len(path.points) - 1)
            shown = path.points[:end + 1]
            self.lines[path.spec.key].setData(shown[:, 0], shown[:, 1])
            self.heads[path.spec.key].setData([shown[-1, 0]], [shown[-1, 1]])

    def path_position(self, key: str) -> tuple[float, float] | None:
        """Where a path's head is drawn now (tests)."""
        head = self.heads.get(key)
        if head is None:
            return None
        x, y = head.getData()
        return float(x[0]), float(y[0])

