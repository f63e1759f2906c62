"""Decision boundary over the plane for 2-D data; the fitted curve g(x) for 1-feature data.

The map is the main thing: points are small, thin-edged and semi-transparent on top of
it. With one input feature the panel draws the model's curve over the samples: the
prediction for regression, the class-1 probability (or score) for two classes (the
samples sit at 0 and 1; a dashed line marks 0.5), the predicted class for more.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnstudio.training.evaluation import true_labels
from nnstudio.training.remote import ProgressBatch
from nnstudio.training.snapshots import MARGIN
from nnstudio.ui.training.plots.colour_scale import ColourScale
from nnstudio.ui.training.plots.common import (
    CLASS_COLOURS,
    VAL_COLOUR,
    LivePanel,
    RunInfo,
    grey_lut,
    plot_widget,
)

POINT_SIZE = 5
POINT_ALPHA = 150
CURVE_COLOUR = "#d62728"


def _pale(colour: str, strength: float) -> np.ndarray:
    """(3,) float RGB: ``colour`` mixed with white (strength 1 = the colour itself)."""
    c = np.array(pg.mkColor(colour).getRgb()[:3], dtype=float)
    return 255.0 + (c - 255.0) * strength


def probability_lut() -> np.ndarray:
    """(256, 3) uint8 from class 0's colour (p=0) over white (0.5) to class 1's (p=1)."""
    t = np.linspace(0.0, 1.0, 256)[:, None]
    c0, c1 = _pale(CLASS_COLOURS[0], 0.55), _pale(CLASS_COLOURS[1], 0.55)
    white = np.full(3, 255.0)
    out = np.where(t < 0.5, c0 + (white - c0) * (t / 0.5), white + (c1 - white) * ((t - 0.5) / 0.5))
    return out.astype(np.uint8)


def class_lut(k: int) -> np.ndarray:
    """(k, 3) pale class colours for a predicted-class map."""
    return np.asarray([_pale(CLASS_COLOURS[i % len(CLASS_COLOURS)], 0.55)
                       for i in range(k)]).astype(np.uint8)


def _brushes(labels: np.ndarray) -> list[Any]:
    """Semi-transparent class colours, one brush per point."""
    cache: dict[int, Any] = {}
    out = []
    for label in labels.tolist():
        if label not in cache:
            colour = pg.mkColor(CLASS_COLOURS[int(label) % len(CLASS_COLOURS)])
            colour.setAlpha(POINT_ALPHA)
            cache[label] = pg.mkBrush(colour)
        out.append(cache[label])
    return out


def _span(values: np.ndarray) -> tuple[float, float]:
    """The data range with the snapshot grid's margin (the map covers exactly this)."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = MARGIN * (high - low) if high > low else 1.0
    return low - pad, high + pad


NO_RUN_NOTE = ("Train on data with 1 or 2 input features to see the model's map or curve "
               "here.")


class MapArea(QWidget):
    """The map's plot as a square (for 2-D data) as large as the area allows, its colour
    scale beside it; a curve (1-D data) takes the whole area."""

    def __init__(self, plot: QWidget, scale: ColourScale) -> None:
        super().__init__()
        self.plot, self.scale = plot, scale
        plot.setParent(self)
        scale.setParent(self)
        self.square = True

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.place()

    def place(self) -> None:
        w, h = self.width(), self.height()
        gap = 6
        scale_w = self.scale.width() if self.scale.isVisible() else 0
        if self.square:
            side = max(min(w - scale_w - gap, h), 50)
            left = max((w - side - scale_w - gap) // 2, 0)
            self.plot.setGeometry(left, (h - side) // 2, side, side)
            self.scale.setGeometry(left + side + gap, (h - side) // 2, scale_w, side)
        else:
            self.plot.setGeometry(0, 0, max(w - scale_w - gap, 50), h)
            self.scale.setGeometry(w - scale_w, 0, scale_w, h)


class BoundaryPanel(LivePanel):
    """Heat map of the prediction with training (dots) and validation (rings) points."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.note = QLabel(NO_RUN_NOTE)
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.plot = plot_widget()
        self.scale = ColourScale()
        self.scale.hide()
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        edge = pg.mkPen(60, 60, 60, 140, width=0.6)
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE, pen=edge)
        self.val_points = pg.ScatterPlotItem(size=POINT_SIZE, brush=pg.mkBrush(None),
                                             symbol="o")
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_points)
        self.curve = self.plot.plot(pen=pg.mkPen(CURVE_COLOUR, width=2))
        self.curve.setZValue(10)
        self.threshold = pg.InfiniteLine(0.5, angle=0, movable=False,
                                         pen=pg.mkPen("#888888", width=1,
                                                      style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.threshold)  # 1 feature, 2 classes: where the decision flips
        self.area = MapArea(self.plot, self.scale)
        layout.addWidget(self.area, 1)
        self.info: RunInfo | None = None
        self.plot_ranges: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._pending: Any = None
        self.shown_snapshot: Any = None  # the snapshot drawn last (tests)

    def reset(self) -> None:
        self.info = None
        self._forget()
        self.note.setText(NO_RUN_NOTE)
        self.note.show()
        self.area.hide()

    def _forget(self) -> None:
        self._pending = self.shown_snapshot = None
        self.image.clear()
        self.curve.setData([], [])
        self.train_points.clear()
        self.val_points.clear()
        self.plot.setAspectLocked(False)
        self.threshold.hide()
        self.scale.clear()
        self.scale.hide()

    def start_run(self, info: RunInfo) -> None:
        """Forget the previous run's picture and axes; draw this run's samples."""
        self.info = info
        self._forget()
        if info.is_image or info.n_features not in (1, 2):
            self.note.setText("The decision boundary needs data with 1 or 2 input features; "
                              "this dataset has "
                              f"{'images' if info.is_image else info.n_features}.")
            self.note.show()
            self.area.hide()
            return
        self.note.hide()
        self.area.show()
        self.area.square = info.n_features == 2
        x, y, vx, vy = info.train_x, info.train_y, info.val_x, info.val_y
        classes = info.task in ("binary", "classification")
        labels = true_labels(y) if classes else np.zeros(len(x), dtype=np.int64)
        vlabels = true_labels(vy) if classes else np.zeros(len(vx), dtype=np.int64)
        features = np.concatenate([x, vx]) if len(vx) else x
        x_range = _span(features[:, 0])
        self.plot.setLabel("bottom", "feature 1")
        if info.n_features == 2:
            self.plot.setLabel("left", "feature 2")
            px, py, vpx, vpy = x[:, 0], x[:, 1], vx[:, 0], vx[:, 1]
            y_range = _span(features[:, 1])
        else:
            px, vpx = x[:, 0], vx[:, 0]
            if classes:
                two = len(info.class_names) <= 2
                self.plot.setLabel("left", "g(x); class 0 or 1" if two else "class")
                self.threshold.setVisible(two)
                py, vpy = labels.astype(float), vlabels.astype(float)
                y_range = (-0.1, 1.1) if two else (-0.5, max(len(info.class_names), 1) - 0.5)
            else:
                self.plot.setLabel("left", "target")
                py = np.asarray(y, dtype=float).reshape(len(y), -1)[:, 0]
                vpy = np.asarray(vy, dtype=float).reshape(len(vy), -1)[:, 0]
                y_range = _span(np.concatenate([py, vpy]))
        if classes:
            pens = [pg.mkPen(CLASS_COLOURS[int(c) % 10], width=1.2) for c in vlabels.tolist()]
        else:  # regression: training points in the training colour, validation rings
            pens = [pg.mkPen(VAL_COLOUR, width=1.2)] * len(vx)
        brushes = _brushes(labels)  # regression: all label 0, the training colour
        self.train_points.setData(px, py, brush=brushes)
        self.val_points.setData(vpx, vpy, pen=pens, brush=pg.mkBrush(None))
        view = self.plot.getPlotItem().getViewBox()
        view.disableAutoRange()
        # the axes are the data's range (with the map's margin) and nothing more; the
        # plot itself is square, so the map fills it
        self.plot.setAspectLocked(False)
        self.plot.setRange(xRange=x_range, yRange=y_range, padding=0.0)
        self.plot_ranges = (x_range, y_range)
        self._show_scale(info)
        self.area.place()

    def _show_scale(self, info: RunInfo) -> None:
        """The colour scale of the map (2-D data only)."""
        if info.n_features != 2:
            self.scale.hide()
            return
        names = list(info.class_names)
        if info.task == "regression":
            self.scale.set_gradient(grey_lut(), "high", "", "low", "prediction")
        elif info.task == "classification" and len(names) > 2:
            colours = [pg.mkColor(*class_lut(len(names))[i]) for i in range(len(names))]
            self.scale.set_classes(names, colours, "predicted class")
        else:
            top = names[1] if len(names) > 1 else "1"
            bottom = names[0] if names else "0"
            self.scale.set_gradient(probability_lut(), f"1 {top}", "0.5", f"0 {bottom}",
                                    f"P({top})")
        self.scale.show()

    def add_batch(self, batch: ProgressBatch) -> None:
        snap = batch.snapshot
        if snap is None or (snap.grid is None and snap.curve is None):
            return
        self._pending = snap
        self.dirty = True

    def _redraw(self) -> None:
        snap, self._pending = self._pending, None
        if snap is None:
            return
        self.shown_snapshot = snap
        if snap.grid is not None:
            grid = snap.grid
            values = np.asarray(grid.values, dtype=np.float32)
            task = self.info.task if self.info is not None else "binary"
            if task == "regression":
                self.image.setLookupTable(grey_lut()[::-1])
                levels = (float(np.nanmin(values)), float(np.nanmax(values)) + 1e-9)
                self.scale.set_gradient(grey_lut()[::-1], f"{levels[1]:.3g}",
                                        f"{sum(levels) / 2:.3g}", f"{levels[0]:.3g}",
                                        "prediction")
            elif task == "classification" and self.info is not None and \
                    len(self.info.class_names) > 2:
                k = len(self.info.class_names)
                self.image.setLookupTable(class_lut(k))
                levels = (0.0, float(k - 1))
            else:
                self.image.setLookupTable(probability_lut())
                levels = (0.0, 1.0)
            self.image.setImage(values, levels=levels, autoLevels=False)
            xs, ys = grid.xs, grid.ys
            dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
            dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
            self.image.setRect(QRectF(float(xs[0] - dx / 2), float(ys[0] - dy / 2),
                                      float(xs[-1] - xs[0] + dx), float(ys[-1] - ys[0] + dy)))
        if snap.curve is not None:
            cx, cy = snap.curve
            self.curve.setData(np.asarray(cx, float).ravel(), np.asarray(cy, float).ravel())

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
