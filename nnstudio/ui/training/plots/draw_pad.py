"""Draw a digit with the mouse on an upsampled 8×8 canvas and see the class probabilities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from nnstudio.ui.training.plots.common import TRAIN_COLOUR, LivePanel, plot_widget

GRID = 8
CELL = 22  # screen pixels per data pixel
_SIGMA = 0.55  # brush radius in data pixels
_INK = 0.6  # ink added per mouse event at the brush centre


class DigitCanvas(QWidget):
    """An 8×8 grid of ink values in [0, 1], drawn as 28-pixel squares."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.ink = np.zeros((GRID, GRID), dtype=np.float32)
        self.setFixedSize(GRID * CELL, GRID * CELL)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def clear(self) -> None:
        self.ink[:] = 0.0
        self.update()
        self.changed.emit()

    def add_ink(self, pos: QPointF) -> None:
        """A soft round brush at widget position ``pos``."""
        cx, cy = pos.x() / CELL - 0.5, pos.y() / CELL - 0.5
        rows, cols = np.mgrid[0:GRID, 0:GRID]
        d2 = (cols - cx) ** 2 + (rows - cy) ** 2
        self.ink = np.clip(self.ink + _INK * np.exp(-d2 / (2 * _SIGMA**2)), 0.0, 1.0).astype(
            np.float32)
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.add_ink(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.add_ink(event.position())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        for r in range(GRID):
            for c in range(GRID):
                v = int(255 - 255 * float(self.ink[r, c]))
                painter.fillRect(QRectF(c * CELL, r * CELL, CELL, CELL), QColor(v, v, v))
        painter.setPen(QColor("#d0d4dc"))
        for i in range(GRID + 1):
            painter.drawLine(i * CELL, 0, i * CELL, GRID * CELL)
            painter.drawLine(0, i * CELL, GRID * CELL, i * CELL)
        painter.end()


class DrawPadPanel(LivePanel):
    """``predict(x)`` gets x: (1, 1, 8, 8) ink in [0, 1] (the digits' units) and returns
    (K,) class probabilities, or None (no trained model for digits available now)."""

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray | None]) -> None:
        super().__init__()
        self._predict = predict
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.canvas = DigitCanvas()
        self.canvas.changed.connect(self.update_prediction)
        left.addWidget(self.canvas)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.canvas.clear)
        left.addWidget(clear)
        left.addStretch(1)
        layout.addLayout(left)
        right = QVBoxLayout()
        self.answer = QLabel("Draw a digit on the left.")
        self.answer.setWordWrap(True)
        right.addWidget(self.answer)
        self.plot = plot_widget()
        self.plot.setLabel("bottom", "class")
        self.plot.setLabel("left", "probability")
        self.plot.setYRange(0, 1)
        self.plot.setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                    brush=TRAIN_COLOUR)
        self.plot.addItem(self.bars)
        self.plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        right.addWidget(self.plot, 1)
        layout.addLayout(right, 1)
        self.probabilities: np.ndarray | None = None

    def update_prediction(self) -> None:
        """Predict the drawn digit again (after drawing, or when a run finished)."""
        if not self.canvas.ink.any():
            self.bars.setOpts(height=np.zeros(10))
            self.answer.setText("Draw a digit on the left.")
            self.probabilities = None
            return
        probs = self._predict(self.canvas.ink[None, None].copy())
        self.probabilities = probs
        if probs is None:
            self.answer.setText("No model trained on 8×8 digits is ready: train one "
                                "(e.g. File › Examples › digits) and wait for the run to end.")
            return
        k = len(probs)
        self.bars.setOpts(x=np.arange(k), height=probs)
        best = int(np.argmax(probs))
        self.answer.setText(f"The network reads a <b>{best}</b> ({probs[best]:.0%} sure).")

    def start_run(self, info: Any) -> None:
        pass

    def reset(self) -> None:
        self.update_prediction()
