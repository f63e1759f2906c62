"""Highlights and number labels drawn over the canvas while stepping through backprop.

The canvas has no highlight API, so these are our own items added to the scene, placed from
the node items' scene rectangles and the edges' port anchors. They take no mouse buttons
and never change the document.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
)

from nnstudio.ui.canvas import CanvasScene
from nnstudio.ui.canvas.edge_item import wire_path

FORWARD = QColor("#16a34a")
BACKWARD = QColor("#c2410c")
Z_HALO, Z_LABEL = -0.5, 6.0
"""Halos sit behind the nodes (a coloured rim), labels above everything."""


class NumberLabel(QGraphicsRectItem):
    """A small rounded box with one line of text, in the colour of the pass."""

    def __init__(self, text: str, colour: QColor) -> None:
        super().__init__()
        self.text_item = QGraphicsSimpleTextItem(text, self)
        font = QFont()
        font.setPixelSize(12)
        font.setBold(True)
        self.text_item.setFont(font)
        self.text_item.setBrush(colour.darker(125))
        bounds = self.text_item.boundingRect()
        self.setRect(QRectF(0, 0, bounds.width() + 10, bounds.height() + 4))
        self.text_item.setPos(5, 2)
        self.setBrush(QBrush(QColor(255, 255, 255, 235)))
        self.setPen(QPen(colour, 1.2))
        self.setZValue(Z_LABEL)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    @property
    def text(self) -> str:
        return self.text_item.text()


def _passive(item: QGraphicsItem, z: float) -> None:
    item.setZValue(z)
    item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    item.setAcceptHoverEvents(False)


class BackpropOverlay:
    """Owns every item it adds to ``scene``; ``clear`` removes them all."""

    def __init__(self, scene: CanvasScene) -> None:
        self.scene = scene
        self.items: list[QGraphicsItem] = []
        self.node_labels: dict[str, str] = {}
        self.edge_labels: dict[str, str] = {}
        self.highlighted_node: str | None = None
        self.highlighted_edges: list[str] = []

    def clear(self) -> None:
        for item in self.items:
            if item.scene() is self.scene:
                self.scene.removeItem(item)
        self.items.clear()
        self.node_labels.clear()
        self.edge_labels.clear()
        self.highlighted_node = None
        self.highlighted_edges = []

    def _add(self, item: QGraphicsItem) -> None:
        self.scene.addItem(item)
        self.items.append(item)

    def highlight_node(self, node_id: str, colour: QColor) -> None:
        node_item = self.scene.node_items.get(node_id)
        if node_item is None:
            return
        rect = node_item.sceneBoundingRect().adjusted(-6, -6, 6, 6)
        path = QPainterPath()
        path.addRoundedRect(rect, 12, 12)
        halo = QGraphicsPathItem(path)
        fill = QColor(colour)
        fill.setAlpha(90)
        halo.setBrush(QBrush(fill))
        halo.setPen(QPen(colour, 3.5))
        _passive(halo, Z_HALO)
        self._add(halo)
        self.highlighted_node = node_id

    def highlight_edge(self, edge_id: str, colour: QColor) -> None:
        edge_item = self.scene.edge_items.get(edge_id)
        if edge_item is None:
            return
        glow = QColor(colour)
        glow.setAlpha(120)
        pen = QPen(glow, 8.0)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        item = QGraphicsPathItem(wire_path(edge_item.source.anchor(), edge_item.target.anchor()))
        item.setPen(pen)
        _passive(item, -1.5)
        self._add(item)
        self.highlighted_edges.append(edge_id)

    def label_node(self, node_id: str, text: str, colour: QColor, below: bool) -> None:
        """A label centred above (forward values) or below (gradients) the node."""
        node_item = self.scene.node_items.get(node_id)
        if node_item is None:
            return
        label = NumberLabel(text, colour)
        rect = node_item.sceneBoundingRect()
        width = label.rect().width()
        y = rect.bottom() + 4 if below else rect.top() - label.rect().height() - 4
        step = label.rect().height() + 2
        self._place(label, QPointF(rect.center().x() - width / 2, y), step if below else -step)
        self.node_labels[node_id] = (self.node_labels.get(node_id, "") + "\n" + text).strip()

    def label_edge(self, edge_id: str, text: str, colour: QColor, at: float = 0.5) -> None:
        edge_item = self.scene.edge_items.get(edge_id)
        if edge_item is None:
            return
        point = wire_path(edge_item.source.anchor(), edge_item.target.anchor()).pointAtPercent(at)
        label = NumberLabel(text, colour)
        start = point - QPointF(label.rect().width() / 2, label.rect().height() / 2)
        self._place(label, start, label.rect().height() + 2)
        self.edge_labels[edge_id] = text

    def _place(self, label: NumberLabel, start: QPointF, step: float) -> None:
        """Put ``label`` at ``start`` or, if it would cover a node or another label, the
        nearest free spot along the vertical (up to 6 steps each way)."""
        blockers = [item.sceneBoundingRect() for item in self.scene.node_items.values()]
        blockers += [item.sceneBoundingRect() for item in self.items
                     if isinstance(item, NumberLabel)]
        size = label.rect().size()
        offsets = [0.0] + [s * k * abs(step) for k in range(1, 7) for s in (1, -1)]
        if step < 0:
            offsets = [0.0] + [s * k * abs(step) for k in range(1, 7) for s in (-1, 1)]
        for dy in offsets:
            rect = QRectF(start + QPointF(0, dy), size)
            if not any(rect.intersects(b) for b in blockers):
                label.setPos(rect.topLeft())
                break
        else:
            label.setPos(start)
        self._add(label)
