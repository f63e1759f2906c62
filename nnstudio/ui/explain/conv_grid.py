"""A grid of numbers drawn as coloured cells: the padded input, a kernel, an output map.

Cells are coloured by value (blue negative, white zero, red positive, scaled by the
largest magnitude shown); padding cells are hatched; a window (the kernel's place) is
outlined; one cell can be marked (the winner of a max pool, the current output cell).
Numbers are written in the cells when they are large enough to read.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_CELL = 46
MIN_TEXT_CELL = 22
CAPTION_HEIGHT = 18
WINDOW_COLOUR = QColor("#f0a500")
MARK_COLOUR = QColor("#111111")


def cell_colour(value: float, scale: float) -> QColor:
    """White at 0, to red (positive) or blue (negative) at ±scale."""
    if not math.isfinite(value):
        return QColor("#e4e6ea")
    t = max(-1.0, min(1.0, value / scale)) if scale > 0 else 0.0
    if t >= 0:
        return QColor(255, int(255 - 140 * t), int(255 - 160 * t))
    return QColor(int(255 + 160 * t), int(255 + 110 * t), 255)


def cell_text(value: float) -> str:
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    text = f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


class NumberGrid(QWidget):
    """values: ``(rows, cols)``; ``filled`` hides cells not yet computed (output map)."""

    cell_clicked = Signal(int, int)

    def __init__(self, caption: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        self.values = np.zeros((0, 0))
        self.padding = np.zeros((0, 0), dtype=bool)
        self.filled = np.zeros((0, 0), dtype=bool)
        self.kernel_window: tuple[int, int, int, int] | None = None  # top, left, h, w
        self.mark: tuple[int, int] | None = None
        self.scale = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(90, 90)

    def set_values(self, values: np.ndarray, padding: np.ndarray | None = None,
                   scale: float | None = None) -> None:
        self.values = np.asarray(values, dtype=np.float64)
        shape = self.values.shape
        self.padding = np.zeros(shape, dtype=bool) if padding is None else padding
        self.filled = np.ones(shape, dtype=bool)
        finite = np.abs(self.values[np.isfinite(self.values)])
        self.scale = scale if scale is not None else (float(finite.max()) if finite.size
                                                      else 1.0)
        self.update()

    def set_state(self, window: tuple[int, int, int, int] | None = None,
                  mark: tuple[int, int] | None = None,
                  filled: np.ndarray | None = None) -> None:
        self.kernel_window = window
        self.mark = mark
        if filled is not None:
            self.filled = filled
        self.update()

    def cell_size(self) -> float:
        rows, cols = self.values.shape if self.values.size else (1, 1)
        height = self.height() - CAPTION_HEIGHT - 2
        return max(4.0, min(MAX_CELL, (self.width() - 2) / cols, height / rows))

    def sizeHint(self) -> QSize:
        rows, cols = self.values.shape if self.values.size else (3, 3)
        return QSize(int(cols * 34 + 2), int(rows * 34 + CAPTION_HEIGHT + 2))

    def _origin(self, size: float) -> tuple[float, float]:
        cols = self.values.shape[1]
        return ((self.width() - cols * size) / 2, CAPTION_HEIGHT)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QColor("#333333"))
        caption = painter.fontMetrics().elidedText(self.caption, Qt.TextElideMode.ElideRight,
                                                   self.width())
        painter.drawText(QRectF(0, 0, self.width(), CAPTION_HEIGHT),
                         Qt.AlignmentFlag.AlignCenter, caption)
        if not self.values.size:
            return
        size = self.cell_size()
        x0, y0 = self._origin(size)
        font = QFont(painter.font())
        font.setPixelSize(max(8, int(size * 0.3)))
        painter.setFont(font)
        rows, cols = self.values.shape
        grid_pen = QPen(QColor("#c8ccd2"), 1)
        for r in range(rows):
            for c in range(cols):
                rect = QRectF(x0 + c * size, y0 + r * size, size, size)
                self._paint_cell(painter, rect, r, c, size, grid_pen)
        if self.kernel_window is not None:
            top, left, h, w = self.kernel_window
            painter.setPen(QPen(WINDOW_COLOUR, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x0 + left * size, y0 + top * size, w * size, h * size))
        if self.mark is not None:
            r, c = self.mark
            painter.setPen(QPen(MARK_COLOUR, 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x0 + c * size + 2, y0 + r * size + 2, size - 4, size - 4))

    def _paint_cell(self, painter: QPainter, rect: QRectF, r: int, c: int, size: float,
                    grid_pen: QPen) -> None:
        value = float(self.values[r, c])
        painter.setPen(grid_pen)
        if not self.filled[r, c]:
            painter.setBrush(QColor("#f4f5f7"))
            painter.drawRect(rect)
            return
        if self.padding[r, c]:
            painter.setBrush(QBrush(QColor("#d9dce1"), Qt.BrushStyle.BDiagPattern))
            painter.drawRect(rect)
        else:
            painter.setBrush(cell_colour(value, self.scale))
            painter.drawRect(rect)
        if size >= MIN_TEXT_CELL:
            painter.setPen(QColor("#6b7280") if self.padding[r, c] else QColor("#111111"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, cell_text(value))

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if not self.values.size:
            return None
        size = self.cell_size()
        x0, y0 = self._origin(size)
        r, c = math.floor((y - y0) / size), math.floor((x - x0) / size)
        rows, cols = self.values.shape
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is not None:
            self.cell_clicked.emit(*cell)
        super().mousePressEvent(event)
