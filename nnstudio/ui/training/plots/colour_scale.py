"""A colour scale beside a map: a gradient with its end values, or one swatch per class."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

BAR_WIDTH = 14


class ColourScale(QWidget):
    """``set_gradient(lut, top, middle, bottom)`` or ``set_classes(names, colours)``."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("colour_scale")
        self.lut: np.ndarray | None = None
        self.labels: tuple[str, str, str] = ("", "", "")
        self.classes: list[tuple[str, QColor]] = []
        self.title = ""
        self.setMinimumWidth(60)

    def set_gradient(self, lut: np.ndarray, top: str, middle: str, bottom: str,
                     title: str = "") -> None:
        """lut: (256, 3) uint8 from the bottom (index 0) to the top colour."""
        self.lut, self.labels, self.classes, self.title = lut, (top, middle, bottom), [], title
        self._resize_to_labels()
        self.update()

    def set_classes(self, names: list[str], colours: list[QColor], title: str = "") -> None:
        self.lut, self.classes, self.title = None, list(zip(names, colours, strict=True)), title
        self._resize_to_labels()
        self.update()

    def clear(self) -> None:
        self.lut, self.classes, self.title = None, [], ""
        self.update()

    def _texts(self) -> list[str]:
        return [name for name, _c in self.classes] if self.classes else list(self.labels)

    def _resize_to_labels(self) -> None:
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(t) for t in [*self._texts(), self.title]),
                     default=0)
        self.setFixedWidth(min(BAR_WIDTH + 10 + widest, 150))

    def sizeHint(self) -> QSize:
        return QSize(self.width(), 200)

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        line = metrics.height()
        top = line + 4 if self.title else 4
        if self.title:
            painter.drawText(QRectF(0, 0, self.width(), line), Qt.AlignmentFlag.AlignLeft,
                             metrics.elidedText(self.title, Qt.TextElideMode.ElideRight,
                                                self.width()))
        height = max(self.height() - top - 8, 20)
        text_x = BAR_WIDTH + 6
        if self.lut is not None:
            column = np.ascontiguousarray(self.lut[::-1].reshape(256, 1, 3).repeat(
                BAR_WIDTH, axis=1))
            image = QImage(column.data, BAR_WIDTH, 256, 3 * BAR_WIDTH,
                           QImage.Format.Format_RGB888)
            bar = QRectF(0, top, BAR_WIDTH, height)
            painter.drawImage(bar, image)
            painter.setPen(QPen(QColor("#8a929e")))
            painter.drawRect(bar)
            painter.setPen(QColor("#3d4450"))
            upper, middle, lower = self.labels
            painter.drawText(int(text_x), int(top + line - 3), upper)
            painter.drawText(int(text_x), int(top + height / 2 + line / 2 - 3), middle)
            painter.drawText(int(text_x), int(top + height), lower)
        for index, (name, colour) in enumerate(self.classes):
            y = top + index * (line + 4)
            if y + line > self.height():
                break
            painter.fillRect(QRectF(0, y + 2, BAR_WIDTH, line - 4), colour)
            painter.setPen(QColor("#3d4450"))
            painter.drawText(QRectF(text_x, y, self.width() - text_x, line),
                             Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight,
                                                self.width() - text_x))
        painter.end()
