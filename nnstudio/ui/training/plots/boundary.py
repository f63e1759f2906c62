"""Decision boundary over the plane for 2-D data, the fitted curve for 1-D regression."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QVBoxLayout

from nnstudio.ui.training.evaluation import true_labels
from nnstudio.ui.training.plots.common import (
    CLASS_COLOURS,
    TRAIN_COLOUR,
    LivePanel,
    RunInfo,
    class_brushes,
)
from nnstudio.ui.training.worker import ProgressBatch


def probability_lut() -> np.ndarray:
    """(256, 3) uint8 from class 0's colour (p=0) over white (0.5) to class 1's (p=1)."""
    t = np.linspace(0.0, 1.0, 256)[:, None]
    c0 = np.array(pg.mkColor(CLASS_COLOURS[0]).getRgb()[:3], dtype=float)
    c1 = np.array(pg.mkColor(CLASS_COLOURS[1]).getRgb()[:3], dtype=float)
    white = np.full(3, 255.0)
    lighten = 0.45  # keep the heat map pale so the points stay readable
    c0 = white + (c0 - white) * lighten
    c1 = white + (c1 - white) * lighten
    out = np.where(t < 0.5, c0 + (white - c0) * (t / 0.5), white + (c1 - white) * ((t - 0.5) / 0.5))
    return out.astype(np.uint8)


def class_lut(k: int) -> np.ndarray:
    """(k, 3) pale class colours for a predicted-class map."""
    rows = []
    for i in range(k):
        c = np.array(pg.mkColor(CLASS_COLOURS[i % len(CLASS_COLOURS)]).getRgb()[:3], float)
        rows.append(255 + (c - 255) * 0.4)
    return np.asarray(rows).astype(np.uint8)


class BoundaryPanel(LivePanel):
    """Heat map of the prediction with training (dots) and validation (rings) points."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.note = QLabel("Train on 2-D data (or 1-D regression) to see the model's map.")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.curve = self.plot.plot(pen=pg.mkPen("#d62728", width=2))
        self.train_points = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#ffffff", width=0.5))
        self.val_points = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(None), symbol="o")
        self.plot.addItem(self.train_points)
        self.plot.addItem(self.val_points)
        layout.addWidget(self.plot, 1)
        self.info: RunInfo | None = None
        self._pending: Any = None

    def start_run(self, info: RunInfo) -> None:
        self.info = info
        self.image.clear()
        self.curve.setData([], [])
        x, y = info.train_x, info.train_y
        vx, vy = info.val_x, info.val_y
        if info.is_image or info.n_features not in (1, 2):
            self.train_points.clear()
            self.val_points.clear()
            self.note.setText("The decision boundary needs 2 input features "
                              "(or 1 for regression).")
            self.note.show()
            return
        self.note.hide()
        self.plot.setLabel("bottom", "feature 1")
        self.plot.setAspectLocked(info.n_features == 2)
        if info.n_features == 2:
            self.plot.setLabel("left", "feature 2")
            classes = info.task in ("binary", "classification")
            labels = true_labels(y) if classes else np.zeros(len(x), dtype=np.int64)
            vlabels = true_labels(vy) if classes else np.zeros(len(vx), dtype=np.int64)
            self.train_points.setData(x[:, 0], x[:, 1], brush=class_brushes(labels))
            pens = [pg.mkPen(CLASS_COLOURS[int(c) % 10], width=1.5) for c in vlabels.tolist()]
            self.val_points.setData(vx[:, 0], vx[:, 1], pen=pens, brush=pg.mkBrush(None))
        else:
            self.plot.setLabel("left", "target")
            self.train_points.setData(x[:, 0], np.asarray(y).reshape(len(y), -1)[:, 0],
                                      brush=pg.mkBrush(TRAIN_COLOUR))
            self.val_points.setData(vx[:, 0], np.asarray(vy).reshape(len(vy), -1)[:, 0],
                                    pen=pg.mkPen("#ff7f0e", width=1.5), brush=pg.mkBrush(None))
        self.plot.enableAutoRange()

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
        if snap.grid is not None:
            grid = snap.grid
            values = np.asarray(grid.values, dtype=np.float32)
            task = self.info.task if self.info is not None else "binary"
            if task == "regression":
                self.image.setLookupTable(None)
                levels = (float(np.nanmin(values)), float(np.nanmax(values)) + 1e-9)
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
