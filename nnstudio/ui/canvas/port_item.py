"""PortItem: one input or output port of a node, drawn by kind (scalar ○, tensor ■, any ◆)."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.registry import PortSpec
from nnstudio.ui.canvas import style

PortState = Literal["normal", "allowed", "forbidden", "mismatch"]
"""allowed: a wire may end here (green); forbidden: the rules refuse it (grey); mismatch:
the wire would not fit the shapes (red), a fix is offered on release."""


class PortItem(QGraphicsItem):
    """A port as a child of its NodeItem; its scene position is where edges attach."""

    def __init__(self, node_id: str, spec: PortSpec, is_output: bool,
                 parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.node_id = node_id
        self.spec = spec
        self.is_output = is_output
        self.state: PortState = "normal"
        self.setAcceptHoverEvents(True)
        self.setZValue(2)

    @property
    def port_ref(self) -> PortRef:
        return PortRef(self.node_id, self.spec.name)

    def anchor(self) -> QPointF:
        """The scene position where edges attach."""
        return self.scenePos()

    def set_state(self, state: PortState) -> None:
        if state != self.state:
            self.state = state
            self.update()

    def boundingRect(self) -> QRectF:
        r = style.PORT_HIT_RADIUS + 2
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        r = style.PORT_HIT_RADIUS
        path.addEllipse(QPointF(0, 0), r, r)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = style.PORT_RADIUS
        if self.state in ("allowed", "mismatch"):
            painter.setPen(Qt.PenStyle.NoPen)
            glow = (style.PORT_ALLOWED if self.state == "allowed" else style.PORT_MISMATCH)
            painter.setBrush(QBrush(glow.lighter(160)))
            painter.drawEllipse(QPointF(0, 0), r + 4, r + 4)
        border = style.PORT_BORDER
        fill = style.PORT_FILL.get(self.spec.kind, style.PORT_FILL["any"])
        if self.state == "allowed":
            border = style.PORT_ALLOWED
        elif self.state == "mismatch":
            border, fill = style.PORT_MISMATCH, style.PORT_MISMATCH.lighter(140)
        elif self.state == "forbidden":
            border, fill = style.PORT_FORBIDDEN, style.PORT_FORBIDDEN.lighter(115)
        painter.setPen(QPen(border, 1.5))
        painter.setBrush(QBrush(fill))
        if self.spec.kind == "scalar":
            painter.drawEllipse(QPointF(0, 0), r, r)
        elif self.spec.kind == "tensor":
            painter.drawRoundedRect(QRectF(-r, -r, 2 * r, 2 * r), 2, 2)
        else:
            d = r + 1
            painter.drawPolygon(QPolygonF([QPointF(0, -d), QPointF(d, 0), QPointF(0, d),
                                           QPointF(-d, 0)]))
