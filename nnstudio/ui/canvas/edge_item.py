"""EdgeItem: a wire from an output port to an input port, with its shape or weight label."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.port_item import PortItem

_LABEL_FONT = style.small_font()
_LABEL_METRICS = QFontMetricsF(_LABEL_FONT)
_LABEL_PEN = QPen(style.NODE_BORDER, 1)
_SELECTED_LABEL_PEN = QPen(style.EDGE_SELECTED, 1)
_ANTIALIAS = QPainter.RenderHint.Antialiasing
_NO_BRUSH = Qt.BrushStyle.NoBrush
_CENTER = Qt.AlignmentFlag.AlignCenter


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal S-curve from ``start`` (an output) to ``end`` (an input)."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsItem):
    """Mirrors one document Edge. Colour and width come from ``set_look`` (the overlay)."""

    def __init__(self, edge_id: str, source: PortItem, target: PortItem) -> None:
        super().__init__()
        self.edge_id = edge_id
        self.source = source
        self.target = target
        self.label = ""
        self.label_colour = style.TEXT_MUTED
        self.colour = style.EDGE
        self.width = style.EDGE_WIDTH
        self.dashed = False
        self.label_at = 0.5
        """Where along the wire (0..1) the label sits."""
        self._path = QPainterPath()
        self._hit = QPainterPath()
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self._pens: tuple[QPen, QPen] = (QPen(), QPen())
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(-1)
        self.update_path()

    def set_look(self, colour: QColor, width: float, dashed: bool = False) -> None:
        if (colour, width, dashed) != (self.colour, self.width, self.dashed):
            self.colour, self.width, self.dashed = colour, width, dashed
            self.update_path()

    def set_label(self, text: str, colour: QColor | None = None, at: float = 0.5) -> None:
        colour = colour if colour is not None else style.TEXT_MUTED
        if (text, colour, at) != (self.label, self.label_colour, self.label_at):
            self.label, self.label_colour, self.label_at = text, colour, at
            self.update_path()

    def update_path(self) -> None:
        """Recompute the curve and label box (after a node moved or the label changed)."""
        self.prepareGeometryChange()
        self._make_pens()
        self._path = wire_path(self.source.anchor(), self.target.anchor())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(10.0, self.width + 6))
        self._hit = stroker.createStroke(self._path)
        self._label_rect = QRectF()
        if self.label:
            middle = self._path.pointAtPercent(self.label_at)
            w = _LABEL_METRICS.horizontalAdvance(self.label) + 8
            h = _LABEL_METRICS.height() + 2
            start, end = self.source.anchor(), self.target.anchor()
            # A label wider than a short horizontal gap would be covered by the nodes; the
            # shape is then read beside the ports (and in the tooltip).
            if end.x() - start.x() >= w + 12 or abs(end.y() - start.y()) > 3 * h:
                self._label_rect = QRectF(middle.x() - w / 2, middle.y() - h / 2, w, h)
                self._hit.addRect(self._label_rect)
        pad = self.width + 2
        self._bounds = self._path.boundingRect().adjusted(-pad, -pad, pad, pad)
        if not self._label_rect.isEmpty():
            self._bounds = self._bounds.united(self._label_rect)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._hit

    def label_rect(self) -> QRectF:
        """The label box in scene coordinates (empty when there is no label)."""
        return QRectF(self._label_rect)

    def midpoint(self) -> QPointF:
        return self._path.pointAtPercent(0.5)

    def _make_pens(self) -> None:
        """Pens are built when the look changes, not in every paint."""
        pen = QPen(self.colour, self.width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if self.dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        selected = QPen(pen)
        selected.setColor(style.EDGE_SELECTED)
        selected.setWidthF(self.width + 1.0)
        self._pens = (pen, selected)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(_ANTIALIAS)
        selected = self.isSelected()
        painter.setPen(self._pens[1 if selected else 0])
        painter.setBrush(_NO_BRUSH)
        painter.drawPath(self._path)
        if self._label_rect.isEmpty():
            return
        if QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform()) < 0.45:
            return
        painter.setPen(_SELECTED_LABEL_PEN if selected else _LABEL_PEN)
        painter.setBrush(style.LABEL_BACKGROUND)
        painter.drawRoundedRect(self._label_rect, 4, 4)
        painter.setFont(_LABEL_FONT)
        painter.setPen(self.label_colour)
        painter.drawText(self._label_rect, _CENTER, self.label)
