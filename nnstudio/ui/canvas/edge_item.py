"""EdgeItem: a wire from an output port to an input port, with its shape or weight label."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

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
    """A horizontal S-curve from ``start`` (an output) to ``end`` (an input). A wire going
    back to the left (e.g. to the next row of a wrapped chain) turns out of its port, runs
    back halfway between the two heights, and turns into its target from the left."""
    path = QPainterPath(start)
    if end.x() >= start.x():
        dx = max(40.0, (end.x() - start.x()) * 0.5)
        path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
        return path
    lane = (start.y() + end.y()) / 2
    if abs(end.y() - start.y()) < 80:  # nearly level: go round below both
        lane = max(start.y(), end.y()) + 60
    turn = min(max(abs(lane - start.y()) * 0.7, 24.0), 60.0)
    path.cubicTo(QPointF(start.x() + turn, start.y()), QPointF(start.x() + turn, lane),
                 QPointF(start.x(), lane))
    path.lineTo(QPointF(end.x(), lane))
    path.cubicTo(QPointF(end.x() - turn, lane), QPointF(end.x() - turn, end.y()), end)
    return path


class EdgeLabelItem(QGraphicsItem):
    """An edge's label box, a scene item of its own so that every label is drawn above every
    wire (z between the wires and the nodes). Hovering it counts as hovering its edge."""

    def __init__(self, edge: EdgeItem) -> None:
        super().__init__()
        self.edge = edge
        self.rect = QRectF()
        self.setZValue(-0.5)
        self.setAcceptHoverEvents(True)

    def set_rect(self, rect: QRectF) -> None:
        if rect != self.rect:
            self.prepareGeometryChange()
            self.rect = QRectF(rect)
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-1, -1, 1, 1)

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.edge.set_hovered(True)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.edge.set_hovered(False)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        edge = self.edge
        if self.rect.isEmpty():
            return
        zoom = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if not (edge.hovered or edge.featured) and zoom < style.LABEL_MIN_ZOOM:
            return
        painter.setRenderHint(_ANTIALIAS)
        painter.setPen(_SELECTED_LABEL_PEN if edge.isSelected() else _LABEL_PEN)
        painter.setBrush(style.LABEL_BACKGROUND)
        painter.drawRoundedRect(self.rect, 4, 4)
        painter.setFont(_LABEL_FONT)
        painter.setPen(edge.label_colour)
        painter.drawText(self.rect, _CENTER, edge.label)


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
        """Where along the wire (0..1) the label would best sit."""
        self.placed_at: float | None = 0.5
        """Where the label sits (set by ``label_layout``); None hides it until hovered."""
        self.hovered = False
        self.featured = False
        """One of its nodes is selected: its label shows above the nodes."""
        self.weighted = False
        """A connection into a Neuron (its label is its own weight)."""
        self.label_item = EdgeLabelItem(self)
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
            if at != self.label_at:
                self.placed_at = at
            self.label, self.label_colour, self.label_at = text, colour, at
            self.update_path()

    def place_label(self, at: float | None) -> None:
        """Put the label at ``at`` along the wire, or hide it (None) until hovered."""
        if at != self.placed_at:
            self.placed_at = at
            self.update_path()

    def label_size(self) -> tuple[float, float]:
        """Width and height of the label box in scene pixels."""
        return (_LABEL_METRICS.horizontalAdvance(self.label) + 8, _LABEL_METRICS.height() + 2)

    def label_rect_at(self, at: float) -> QRectF:
        """The label box centred at ``at`` (0..1) along the wire, in scene coordinates."""
        point = self._path.pointAtPercent(at)
        w, h = self.label_size()
        return QRectF(point.x() - w / 2, point.y() - h / 2, w, h)

    def update_path(self) -> None:
        """Recompute the curve and label box (after a node moved or the label changed)."""
        self.prepareGeometryChange()
        self._make_pens()
        self._path = wire_path(self.source.anchor(), self.target.anchor())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(10.0, self.width + 6))
        self._hit = stroker.createStroke(self._path)
        self._label_rect = QRectF()
        at = self.placed_at if self.placed_at is not None else (
            self.label_at if self.hovered else None)
        if self.label and at is not None:
            self._label_rect = self.label_rect_at(at)
        pad = self.width + 2
        self._bounds = self._path.boundingRect().adjusted(-pad, -pad, pad, pad)
        self.label_item.set_rect(self._label_rect)
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

    def path(self) -> QPainterPath:
        """The wire's centre line in scene coordinates."""
        return QPainterPath(self._path)

    def set_featured(self, featured: bool) -> None:
        """A selected node's edge: its label is drawn above nodes and other labels."""
        if featured != self.featured:
            self.featured = featured
            self.label_item.setZValue(5 if featured or self.hovered else -0.5)
            self.label_item.update()

    def set_hovered(self, hovered: bool) -> None:
        """Under the mouse (wire or label): show the label, even one hidden for lack of room
        or zoom, above the nodes."""
        if hovered != self.hovered:
            self.hovered = hovered
            self.label_item.setZValue(5 if hovered or self.featured else -0.5)
            self.update_path()

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.set_hovered(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.set_hovered(False)
        super().hoverLeaveEvent(event)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        """The label item follows its edge into and out of a scene."""
        if change == QGraphicsItem.GraphicsItemChange.ItemSceneChange:
            old = self.label_item.scene()
            if old is not None:
                old.removeItem(self.label_item)
        elif change == QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged:
            if value is not None:
                value.addItem(self.label_item)
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.label_item.update()
        return super().itemChange(change, value)

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
