"""Confusion matrix on the validation split; clicking a cell lists those samples."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from nnstudio.training.evaluation import Evaluation
from nnstudio.training.run_info import RunInfo
from nnstudio.ui.training.plots.common import LivePanel, plot_widget

_MAX_LISTED = 60
HIGHLIGHT_COLOUR = "#e65100"
"""Outline of the clicked cell."""


class CellLabels(pg.GraphicsObject):
    """The counts of a (K, K) matrix written in its cells: ONE item that draws every
    number in one paint (a TextItem per cell made each redraw cost tens of ms)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts = np.zeros((0, 0), dtype=np.int64)
        self.dark = np.zeros((0, 0), dtype=bool)

    def set_counts(self, counts: np.ndarray, dark: np.ndarray) -> None:
        """counts: (K, K) ints (0 is left blank); dark: (K, K) cells that need white text."""
        if counts.shape != self.counts.shape:
            self.prepareGeometryChange()
        self.counts, self.dark = counts.copy(), dark.copy()
        self.update()

    def boundingRect(self) -> QRectF:
        k = float(self.counts.shape[0])
        return QRectF(0.0, 0.0, k, k)

    def paint(self, painter: QPainter, *_args: Any) -> None:
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        light, dark = QColor("#222222"), QColor("#ffffff")
        align = Qt.AlignmentFlag.AlignCenter
        for (i, j), count in np.ndenumerate(self.counts):
            if count:
                centre = transform.map(QPointF(j + 0.5, i + 0.5))
                painter.setPen(dark if self.dark[i, j] else light)
                painter.drawText(QRectF(centre.x() - 30, centre.y() - 10, 60, 20), align,
                                 str(int(count)))
        painter.restore()


class ClickableImage(pg.ImageItem):
    """An ImageItem that reports clicks as (row, column) cells."""

    cell_clicked = Signal(int, int)

    def mouseClickEvent(self, event: Any) -> None:
        pos = event.pos()
        self.cell_clicked.emit(int(pos.y()), int(pos.x()))
        event.accept()


def digit_icon(image: np.ndarray, scale: int = 6) -> QIcon:
    """(H, W) values in [0, 1] (or any range) -> a grey icon, ink dark on white."""
    a = np.asarray(image, dtype=float)
    low, high = float(a.min()), float(a.max())
    a = (a - low) / (high - low) if high > low else np.zeros_like(a)
    grey = (255 - a * 255).astype(np.uint8)
    grey = np.ascontiguousarray(np.kron(grey, np.ones((scale, scale), dtype=np.uint8)))
    h, w = grey.shape
    qimage = QImage(grey.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(qimage))


def cell_count_text(count: int, correct: bool) -> str:
    """"1 misclassified sample", "3 correctly classified samples"."""
    verb = "correctly classified" if correct else "misclassified"
    return f"{count} {verb} sample{'' if count == 1 else 's'}"


class ConfusionPanel(LivePanel):
    """Rows: true class; columns: predicted class. Cell colour: share of the true class."""

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        self.title = QLabel("Confusion matrix (train a classifier to fill it)")
        outer.addWidget(self.title)
        layout = QHBoxLayout()  # the matrix on the left, the clicked cell's samples beside
        outer.addLayout(layout, 1)
        self.plot = plot_widget()
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "predicted class")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.image = ClickableImage()
        lut = np.stack([np.linspace(255, 30, 256), np.linspace(255, 90, 256),
                        np.linspace(255, 170, 256)], axis=1).astype(np.uint8)
        self.image.setLookupTable(lut)
        self.image.cell_clicked.connect(self.show_cell)
        self.plot.addItem(self.image)
        self.labels = CellLabels()
        self.plot.addItem(self.labels)
        self.highlight = QGraphicsRectItem(0, 0, 1, 1)  # the clicked cell
        self.highlight.setPen(pg.mkPen(HIGHLIGHT_COLOUR, width=3))
        self.highlight.setBrush(pg.mkBrush(None))
        self.highlight.setZValue(20)
        self.highlight.hide()
        self.plot.addItem(self.highlight)
        self.selected_cell: tuple[int, int] | None = None
        layout.addWidget(self.plot, 2)
        side = QVBoxLayout()
        self.cell_label = QLabel("Click a cell to see its samples.")
        self.cell_label.setWordWrap(True)
        side.addWidget(self.cell_label)
        self.samples = QListWidget()
        self.samples.setViewMode(QListWidget.ViewMode.IconMode)
        self.samples.setIconSize(QSize(40, 40))
        self.samples.setResizeMode(QListWidget.ResizeMode.Adjust)
        side.addWidget(self.samples, 1)
        layout.addLayout(side, 3)
        self.evaluation: Evaluation | None = None
        self.info: RunInfo | None = None
        self._shown_k = 0

    def reset(self) -> None:
        self.info = None
        self._forget(None)

    def start_run(self, info: RunInfo) -> None:
        old, self.info = self.info, info
        if old is not None and old.task == info.task and old.class_names == info.class_names:
            return  # the same classes: keep the matrix until the run's first evaluation
        self._forget(info)

    def _forget(self, info: RunInfo | None) -> None:
        self.evaluation = None
        self._shown_k = 0
        self.image.clear()
        self.labels.set_counts(np.zeros((0, 0), dtype=np.int64), np.zeros((0, 0), bool))
        self.samples.clear()
        self.selected_cell = None
        self.highlight.hide()
        self.cell_label.setText("Click a cell to see its samples.")
        self.title.setText("Confusion matrix (train a classifier to fill it)"
                           if info is None or info.task not in ("binary", "classification")
                           else "Confusion matrix: waiting for the first evaluation…")

    def add_batch(self, batch: Any) -> None:
        if batch.evaluation is None:
            return
        self.evaluation = batch.evaluation
        self.dirty = True

    def _class_name(self, i: int) -> str:
        names = self.info.class_names if self.info is not None else ()
        return names[i] if i < len(names) else str(i)

    def _redraw(self) -> None:
        ev = self.evaluation
        if ev is None:
            return
        m = ev.confusion
        k = m.shape[0]
        share = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        self.image.setImage(share.astype(np.float32), levels=(0.0, 1.0), autoLevels=False)
        if k != self._shown_k:
            ticks = [[(i + 0.5, self._class_name(i)) for i in range(k)]]
            self.plot.getAxis("bottom").setTicks(ticks)
            self.plot.getAxis("left").setTicks(ticks)
            self._shown_k = k
            self.plot.setRange(xRange=(0, k), yRange=(0, k), padding=0.02)
        self.labels.set_counts(m, share > 0.6)
        accuracy = np.trace(m) / max(int(m.sum()), 1)
        self.title.setText(f"Confusion matrix, {ev.split} samples, epoch {ev.epoch}: "
                           f"{accuracy:.1%} correct")

    def show_cell(self, true_class: int, predicted: int) -> list[int]:
        """List the samples of one cell; returns their indices in the evaluated split."""
        ev = self.evaluation
        self.samples.clear()
        if ev is None or not (0 <= true_class < ev.confusion.shape[0]) or \
                not (0 <= predicted < ev.confusion.shape[1]):
            return []
        idx = np.flatnonzero((ev.true == true_class) & (ev.predicted == predicted))
        self.selected_cell = (true_class, predicted)
        self.highlight.setRect(predicted, true_class, 1, 1)  # x: predicted, y: true
        self.highlight.show()
        self.cell_label.setText(
            f"True {self._class_name(true_class)}, predicted {self._class_name(predicted)}: "
            f"{cell_count_text(len(idx), true_class == predicted)}"
            + (f" (first {_MAX_LISTED})" if len(idx) > _MAX_LISTED else ""))
        info = self.info
        for i in idx[:_MAX_LISTED].tolist():
            p = float(ev.probabilities[i, predicted])
            item = QListWidgetItem(f"#{i} p={p:.2f}")
            if info is not None and ev.split == "validation" and info.is_image \
                    and i < len(info.val_x):
                item.setIcon(digit_icon(info.val_x[i].mean(axis=0)))
            elif info is not None and i < len(info.val_x) and not info.is_image:
                values = ", ".join(f"{v:.2f}" for v in info.val_x[i][:4])
                item.setText(f"#{i} ({values}) p={p:.2f}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.samples.addItem(item)
        return idx.tolist()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
