"""What every live panel shares: the run's data (RunInfo), colours, and the panel base."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from nnstudio.training.remote import ProgressBatch
from nnstudio.training.run_info import RunInfo

TRAIN_COLOUR = "#1f77b4"
VAL_COLOUR = "#ff7f0e"
BEST_COLOUR = "#2ca02c"
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def configure_pyqtgraph() -> None:
    """Light plots, row-major images (``image[row, col]``), no antialiasing (speed)."""
    pg.setConfigOptions(background="w", foreground="#333333", antialias=False,
                        imageAxisOrder="row-major")


def plain_axes(plot: pg.PlotWidget) -> None:
    """No automatic SI prefix on any axis: 0.85 stays 0.85, never "850 (x0.001)"."""
    for name in ("left", "bottom", "right", "top"):
        plot.getAxis(name).enableAutoSIPrefix(False)


def plot_widget() -> pg.PlotWidget:
    """A PlotWidget with plain axes (see ``plain_axes``)."""
    plot = pg.PlotWidget()
    plain_axes(plot)
    return plot


class CompactLegend(pg.LegendItem):
    """A legend whose rows keep their own height: placed in a plot's grid it would else
    be stretched to the plot's height, its swatches drifting away from their labels."""

    def addItem(self, item: Any, name: str) -> None:
        super().addItem(item, name)
        self._fit()

    def removeItem(self, item: Any) -> None:
        super().removeItem(item)
        self._fit()

    def _fit(self) -> None:
        layout = self.layout
        for row in range(layout.rowCount()):
            layout.setRowFixedHeight(row, ROW_HEIGHT)
        for index in range(layout.count()):
            layout.setAlignment(layout.itemAt(index), Qt.AlignmentFlag.AlignVCenter)
        height = layout.rowCount() * (ROW_HEIGHT + layout.verticalSpacing()) + 8
        self.setMaximumHeight(height)
        self.setMinimumHeight(height)


ROW_HEIGHT = 16
"""Height (px) of one legend row: the swatch beside its label."""


def side_legend(plot: pg.PlotWidget) -> pg.LegendItem:
    """A compact legend to the RIGHT of the plot area, at its top (in the PlotItem's
    grid), so it never covers a curve; items are added with
    ``legend.addItem(curve, name)``."""
    legend = CompactLegend(offset=None, verSpacing=-2, horSpacing=4, labelTextSize="8pt",
                           frame=False)
    layout = plot.getPlotItem().layout
    layout.addItem(legend, 2, 3)
    layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop)
    return legend


class LivePanel(QWidget):
    """Base of the live panels; subclasses override what they need.

    ``add_batch`` only stores data and sets ``dirty``; the installer calls ``refresh`` for
    one panel at a time from a timer, so no single event-loop turn redraws every plot.
    """

    dirty = False

    def refresh(self) -> bool:
        """Redraw if new data arrived and the panel is visible; True if it redrew."""
        if not self.dirty or not self.isVisible():
            return False
        self.dirty = False
        self._redraw()
        return True

    def _redraw(self) -> None:
        """Bring the plot items up to date with the stored data."""

    def start_run(self, info: RunInfo) -> None:
        """A run starts (data and task may have changed)."""

    def end_run(self) -> None:
        """The run ended (perhaps early): epoch axes may shrink to the epochs done."""

    def load_history(self, history: Sequence[Mapping[str, Any]]) -> None:
        """Show the project's stored epoch records (JSON dicts) from scratch."""

    def reset(self) -> None:
        """Another project opened: forget every curve, picture and axis range."""
        self.load_history([])

    def add_batch(self, batch: ProgressBatch) -> None:
        """New records from the running worker."""

    def set_selected_node(self, node_id: str | None) -> None:
        """The canvas selection changed (the first selected node, or None)."""


def class_brushes(labels: np.ndarray, alpha: int = 220) -> list[Any]:
    """One brush per point, coloured by its integer class label."""
    cache: dict[int, Any] = {}
    out = []
    for label in labels.tolist():
        brush = cache.get(label)
        if brush is None:
            colour = pg.mkColor(CLASS_COLOURS[int(label) % len(CLASS_COLOURS)])
            colour.setAlpha(alpha)
            brush = cache[label] = pg.mkBrush(colour)
        out.append(brush)
    return out


def diverging_lut() -> np.ndarray:
    """(256, 3) uint8: orange (negative) – white – blue (positive), as the canvas edges."""
    t = np.linspace(-1.0, 1.0, 256)[:, None]
    neg = np.array([230, 120, 30], dtype=float)
    pos = np.array([40, 100, 200], dtype=float)
    white = np.array([255, 255, 255], dtype=float)
    colours = np.where(t < 0, white + (neg - white) * (-t), white + (pos - white) * t)
    return colours.astype(np.uint8)


def grey_lut() -> np.ndarray:
    """(256, 3) uint8 white (0) to black (1), like ink on paper."""
    v = np.linspace(255, 0, 256).astype(np.uint8)
    return np.stack([v, v, v], axis=1)


MIN_X_SPAN = 1.0
"""The epoch axis spans at least one epoch (one point alone would get a span of 1e-9 and
tick labels that run together)."""


class SteadyRange:
    """Keeps a plot's view still while new data stay inside it (autorange on every frame
    would regenerate the axes on every redraw, the most expensive part of a paint).

    x spans at once up to ``x_end`` (the planned last epoch of a run), else the data with
    5 % padding; y grows with 10 % headroom when data leave the view and shrinks only
    when the data use less than a third of it. Ranges are in view coordinates (log10 of
    the values on a logarithmic axis). A pan or zoom by the user stops the steering until
    ``reset`` (a new run) or until the user switches autorange back on ("A" button).
    """

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.view = plot.getPlotItem().getViewBox()
        self.view.disableAutoRange()
        self.view.sigRangeChangedManually.connect(self._manual)
        self.x_end: float | None = None
        self.manual = False
        self.reset()

    def reset(self) -> None:
        self.x: tuple[float, float] | None = None
        self.y: tuple[float, float] | None = None
        self._applied: tuple[Any, Any] = (None, None)
        self.manual = False

    def blank(self) -> None:
        """No data: back to a plain unit view (no earlier run's axes stay)."""
        self.reset()
        self.x_end = None
        self.view.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0.0)

    def end_run(self) -> None:
        """Fit x to the data from now on (not to the planned end of a finished run)."""
        self.x_end = None
        self.x = None

    def _manual(self, *_args: Any) -> None:
        self.manual = True

    def update(self, x: np.ndarray, ys: Sequence[np.ndarray], log_y: bool = False) -> None:
        """x: (N,) shared by the curves ys: each (N,) (NaN = no value)."""
        if self.manual:
            if not any(self.view.autoRangeEnabled()):
                return
            self.manual = False  # autorange switched back on: steer again
        self.view.disableAutoRange()
        x = np.asarray(x, dtype=float)
        x = x[np.isfinite(x)]
        values = np.concatenate([np.asarray(y, dtype=float).ravel() for y in ys]) if ys \
            else np.zeros(0)
        if log_y:
            values = np.log10(values[values > 0])
        values = values[np.isfinite(values)]
        if x.size == 0 or values.size == 0:
            return
        x0, x1 = float(x.min()), float(x.max())
        if self.x is None or x0 < self.x[0] or x1 > self.x[1] or (
                self.x_end is None and x1 - x0 < (self.x[1] - self.x[0]) / 3):
            if self.x_end is not None and x1 <= self.x_end:
                self.x = (x0, self.x_end)  # the whole run at once
            else:  # at least one epoch wide: a single point gets readable tick labels
                middle, span = (x0 + x1) / 2, max(x1 - x0, MIN_X_SPAN)
                pad = 0.05 * span
                self.x = (max(middle - span / 2 - pad, 0.0 if x0 >= 0 else -math.inf),
                          middle + span / 2 + pad)
                if self.x[1] - self.x[0] < span:  # pushed off zero: keep the width
                    self.x = (self.x[0], self.x[0] + span + 2 * pad)
        lo, hi = float(values.min()), float(values.max())
        span = max(hi - lo, abs(hi) * 0.05, 1e-9)  # a flat curve (a constant lr) gets
        # a window of ±5 % around it, so the axis keeps readable tick labels
        if self.y is None or lo < self.y[0] or hi > self.y[1] or \
                span < (self.y[1] - self.y[0]) / 3:
            self.y = (lo - 0.1 * span, hi + 0.1 * span)
        if (self.x, self.y) != self._applied:
            self._applied = (self.x, self.y)
            self.view.setRange(xRange=self.x, yRange=self.y, padding=0.0)
