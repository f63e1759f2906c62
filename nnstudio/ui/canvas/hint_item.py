"""HintItem: a dark note near the cursor that says why a gesture cannot do what it tries."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.canvas import style

_FONT = style.body_font()
_METRICS = QFontMetricsF(_FONT)
_MAX_WIDTH = 320.0


class HintItem(QGraphicsItem):
    """Stays the same size at every zoom; ``text`` holds the sentence shown."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self._rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(100)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.hide()

    def show_text(self, text: str, at: QPointF | None = None) -> None:
        self.prepareGeometryChange()
        self.text = text
        flags = Qt.TextFlag.TextWordWrap
        box = _METRICS.boundingRect(QRectF(0, 0, _MAX_WIDTH, 1000), flags, text)
        self._rect = QRectF(14, 16, box.width() + 18, box.height() + 14)
        if at is not None:
            self.setPos(at)
        self.show()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.HINT_BACKGROUND)
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setPen(style.HINT_TEXT)
        painter.setFont(_FONT)
        painter.drawText(self._rect.adjusted(8, 6, -8, -4), Qt.TextFlag.TextWordWrap, self.text)
