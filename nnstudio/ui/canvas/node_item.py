"""NodeItem: a rounded card with a coloured header (category), title, key settings, ports
with their shapes, an optional heat-map thumbnail and an error badge."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from nnstudio.graph.model.document_types import Node
from nnstudio.graph.model.registry import NodeType, PortSpec, node_type
from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.labels import node_summary
from nnstudio.ui.canvas.port_item import PortItem

if TYPE_CHECKING:
    from nnstudio.graph.checks.validation import Problem
    from nnstudio.ui.canvas.edge_item import EdgeItem

_TITLE_FONT = style.title_font()
_BODY_FONT = style.body_font()
_SMALL_FONT = style.small_font()
_TITLE_METRICS = QFontMetricsF(_TITLE_FONT)
_BODY_METRICS = QFontMetricsF(_BODY_FONT)
_SMALL_METRICS = QFontMetricsF(_SMALL_FONT)


def heat_map_image(values: np.ndarray) -> QImage:
    """values: (H, W) in [-1, 1] -> an RGB image, orange for negative, blue for positive."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64)), -1.0, 1.0)
    if v.ndim != 2 or v.size == 0:
        raise ValueError(f"a thumbnail must be a non-empty (H, W) array; got shape {v.shape}")
    pos = np.array([style.WEIGHT_POSITIVE.red(), style.WEIGHT_POSITIVE.green(),
                    style.WEIGHT_POSITIVE.blue()], dtype=np.float64)
    neg = np.array([style.WEIGHT_NEGATIVE.red(), style.WEIGHT_NEGATIVE.green(),
                    style.WEIGHT_NEGATIVE.blue()], dtype=np.float64)
    white = np.full(3, 255.0)
    t = np.abs(v)[..., None]
    colour = np.where(v[..., None] >= 0, white + (pos - white) * t, white + (neg - white) * t)
    rgb = np.ascontiguousarray(colour.astype(np.uint8))
    h, w = v.shape
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels: rgb is freed when this function returns


def wrap_title(title: str, width: float) -> list[str]:
    """``title`` as one line if it fits ``width`` (pixels, title font), else two: words are
    kept whole where possible and the second line is elided."""
    if _TITLE_METRICS.horizontalAdvance(title) <= width:
        return [title]
    words = title.split(" ")
    first = ""
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count])
        if _TITLE_METRICS.horizontalAdvance(candidate) <= width:
            first, rest = candidate, " ".join(words[count:])
            break
    if not first:  # one very long word: cut it where it stops fitting
        cut = len(title)
        while cut > 1 and _TITLE_METRICS.horizontalAdvance(title[:cut]) > width:
            cut -= 1
        first, rest = title[:cut], title[cut:]
    if not rest:
        return [first]
    return [first, _TITLE_METRICS.elidedText(rest, Qt.TextElideMode.ElideRight, width)]


class BadgeItem(QGraphicsItem):
    """A red (error) or amber (warning) circle with "!"; the problems are in its tooltip."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.severity = "error"
        self.setZValue(3)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:
        r = style.BADGE_RADIUS + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = style.ERROR if self.severity == "error" else style.WARNING
        painter.setPen(QPen(style.NODE_BODY, 1.5))
        painter.setBrush(colour)
        r = style.BADGE_RADIUS
        painter.drawEllipse(QPointF(0, 0), r, r)
        painter.setPen(style.NODE_BODY)
        painter.setFont(_TITLE_FONT)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, "!")


class NodeItem(QGraphicsItem):
    """Mirrors one document Node; ``update_from`` refreshes it after an event."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id = node.id
        self.kind: NodeType = node_type(node.type_id)
        self.title = ""
        self.summary = ""
        self.inputs: dict[str, PortItem] = {}
        self.outputs: dict[str, PortItem] = {}
        self.port_shapes: dict[tuple[bool, str], str] = {}
        self.edges: set[EdgeItem] = set()
        self.ghosts: dict[tuple[bool, str], PortItem] = {}
        self.thumbnail: QImage | None = None
        self.thumbnail_room = 1e9
        self.thumb_size = style.THUMBNAIL_SIZE
        self.thumb_beside = False
        self.problems: list[Problem] = []
        self.base_width = style.LAYER_WIDTH if self.kind.level == "layer" else style.NEURON_WIDTH
        self.width = self.base_width
        self.height = 60.0
        self.header_height = style.HEADER_HEIGHT
        self.title_lines: list[str] = []
        self._rows = False
        self.badge = BadgeItem(self)
        self.badge.setVisible(False)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.setToolTip(f"<b>{self.kind.title}</b><br>{self.kind.description}")
        self.update_from(node)

    # --- model -> item ---------------------------------------------------------------

    def update_from(self, node: Node) -> None:
        """Refresh title, settings text and ports from the document's node."""
        for ghost in self.ghosts.values():
            if ghost.scene() is not None:
                ghost.scene().removeItem(ghost)
        self.ghosts.clear()
        self.title = node.title
        self.summary = node_summary(node.type_id, node.params)
        self._sync_ports(self.inputs, self.kind.input_ports(node.params), False)
        self._sync_ports(self.outputs, self.kind.output_ports(node.params), True)
        self._layout()
        if self.pos() != QPointF(*node.position):
            self.setPos(QPointF(*node.position))

    def _sync_ports(self, ports: dict[str, PortItem], specs: Any, is_output: bool) -> None:
        wanted = {spec.name: spec for spec in specs}
        for name in [n for n in ports if n not in wanted or ports[n].spec != wanted[n]]:
            item = ports.pop(name)
            if item.scene() is not None:
                item.scene().removeItem(item)
        for name, spec in wanted.items():
            if name not in ports:
                ports[name] = PortItem(self.node_id, spec, is_output, self)
        # keep the registry's order
        ordered = {name: ports[name] for name in wanted}
        ports.clear()
        ports.update(ordered)

    def _port_label(self, port: PortItem, several: bool) -> str:
        """The text beside a port: its shape (not for a lone scalar) and, if the node has
        several ports on that side, its name."""
        is_output = port.is_output
        shape = self.port_shapes.get((is_output, port.spec.name), "")
        if shape == "N" and not several:  # a scalar: the port's circle says it
            shape = ""
        elif shape.startswith("N×"):  # inside a card the batch N goes without saying
            shape = shape[2:]  # (the wires' labels and the tooltip keep it)
        name = (port.spec.label or port.spec.name) if several else ""
        return " ".join(t for t in ((shape, name) if is_output else (name, shape)) if t)

    def _fit_width(self, ins: list[PortItem], outs: list[PortItem]) -> None:
        """Widen the card (in grid steps, up to MAX_NODE_WIDTH_EXTRA) so the title, the
        settings line and the port names fit; a title still too long wraps to two lines.
        The shapes beside the ports do not widen it (they are elided if they must be): a
        card must not grow, and move its output ports, when the shapes become known."""
        pad = 2 * style.TEXT_PAD
        needed = max(_TITLE_METRICS.horizontalAdvance(self.title) + pad + style.BADGE_RADIUS,
                     _BODY_METRICS.horizontalAdvance(self.summary) + pad)
        if self._rows:
            several_in, several_out = len(ins) > 1, len(outs) > 1
            for index in range(max(len(ins), len(outs))):
                left = (ins[index].spec.label or ins[index].spec.name) \
                    if index < len(ins) and several_in else ""
                right = (outs[index].spec.label or outs[index].spec.name) \
                    if index < len(outs) and several_out else ""
                needed = max(needed, _SMALL_METRICS.horizontalAdvance(left)
                             + _SMALL_METRICS.horizontalAdvance(right) + 2 * 12 + 12)
        widest = self.base_width + style.MAX_NODE_WIDTH_EXTRA
        self.width = min(max(self.base_width, math.ceil(needed / style.GRID) * style.GRID),
                         widest)
        self.title_lines = wrap_title(self.title, self.width - pad)
        self.header_height = (style.HEADER_HEIGHT if len(self.title_lines) < 2
                              else style.HEADER_HEIGHT + style.TITLE_LINE_HEIGHT)

    def _layout(self) -> None:
        self.prepareGeometryChange()
        ins, outs = list(self.inputs.values()), list(self.outputs.values())
        self._rows = any(p.spec.kind != "scalar" for p in ins + outs) or max(
            len(ins), len(outs), 1) > 1
        self._fit_width(ins, outs)
        body_top = self.header_height + style.LINE_HEIGHT + 2
        rows = max(len(ins), len(outs)) if self._rows else 0
        height = max(body_top + rows * style.PORT_ROW_HEIGHT + 6, 52.0)
        self.thumb_beside = False
        if self.thumbnail is not None:
            below = min(style.THUMBNAIL_SIZE, self.thumbnail_room - 6)
            if below >= style.THUMBNAIL_MIN_SIZE:  # room below the card: grow into it
                self.thumb_size = below
                height += below + 6
            else:  # no room: a small map beside the settings line, the card keeps its size
                self.thumb_beside = True
                self.thumb_size = height - self.header_height - 6
        self.height = height
        for side, x in ((ins, 0.0), (outs, self.width)):
            for index, port in enumerate(side):
                if self._rows:
                    y = body_top + (index + 0.5) * style.PORT_ROW_HEIGHT
                else:
                    y = (self.header_height + body_top + 6) / 2 + 4
                port.setPos(x, y)
        self.badge.setPos(self.width - 2, 2)
        self.update()
        for edge in self.edges:
            edge.update_path()

    def set_port_shapes(self, shapes: dict[tuple[bool, str], str]) -> None:
        """(is_output, port name) -> shape text such as "N×64"; redraws only on change."""
        if shapes != self.port_shapes:
            self.port_shapes = shapes
            for (is_output, name), text in shapes.items():
                port = (self.outputs if is_output else self.inputs).get(name)
                if port is not None:
                    kind = port.spec.kind
                    port.setToolTip(f"{port.spec.label or port.spec.name} ({kind}): {text}")
            self._layout()  # the port labels may need a wider card

    def set_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self.badge.setVisible(bool(problems))
        if problems:
            errors = [p for p in problems if p.severity == "error"]
            self.badge.severity = "error" if errors else "warning"
            self.badge.setToolTip("\n".join(p.message for p in problems))
            self.badge.update()

    def set_thumbnail(self, image: QImage | None, room: float = 1e9) -> None:
        """A heat map drawn in the card; ``room``: free height below the card (scene px)
        it may grow into, else the map sits small beside the settings line."""
        had = self.thumbnail is not None
        self.thumbnail = image
        if had != (image is not None) or room != self.thumbnail_room:
            self.thumbnail_room = room
            self._layout()
        else:
            self.update()

    def port(self, name: str, is_output: bool) -> PortItem | None:
        return (self.outputs if is_output else self.inputs).get(name)

    def port_for(self, name: str, is_output: bool) -> PortItem:
        """The port ``name``, or a grey stand-in when an edge refers to a port that the
        node's settings no longer give it (e.g. a Split made smaller); validation says why."""
        port = self.port(name, is_output)
        if port is not None:
            return port
        ghost = self.ghosts.get((is_output, name))
        if ghost is None:
            ghost = PortItem(self.node_id, PortSpec(name, "any"), is_output, self)
            ghost.set_state("forbidden")
            ghost.setPos(self.width if is_output else 0.0, self.height - 6)
            self.ghosts[(is_output, name)] = ghost
        return ghost

    def all_ports(self) -> list[PortItem]:
        return [*self.inputs.values(), *self.outputs.values()]

    # --- Qt --------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, self.width + 6, self.height + 6)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, self.width, self.height), style.CORNER_RADIUS,
                            style.CORNER_RADIUS)
        return path

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setZValue(1 if value else 0)
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(0, 0, self.width, self.height)
        radius = style.CORNER_RADIUS
        colour = style.category_colour(self.kind.category)
        selected = self.isSelected()
        # card
        painter.setPen(QPen(style.NODE_SELECTED if selected else style.NODE_BORDER,
                            2.2 if selected else 1.0))
        painter.setBrush(style.NODE_BODY)
        painter.drawRoundedRect(rect, radius, radius)
        # header
        header = QPainterPath()
        header.addRoundedRect(QRectF(0.5, 0.5, self.width - 1, self.header_height + radius),
                              radius - 0.5, radius - 0.5)
        clip = QPainterPath()
        clip.addRect(QRectF(0, 0, self.width, self.header_height))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colour))
        painter.drawPath(header.intersected(clip))
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < 0.35:
            return
        # texts
        painter.setFont(_TITLE_FONT)
        painter.setPen(style.HEADER_TEXT)
        pad = style.TEXT_PAD
        first = (self.header_height - style.TITLE_LINE_HEIGHT * len(self.title_lines)) / 2
        for index, line in enumerate(self.title_lines):
            line_rect = QRectF(pad, first + index * style.TITLE_LINE_HEIGHT, self.width - 2 * pad,
                               style.TITLE_LINE_HEIGHT)
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             line)
        painter.setFont(_BODY_FONT)
        painter.setPen(style.TEXT)
        summary_rect = QRectF(pad, self.header_height + 1, self.width - 2 * pad,
                              style.LINE_HEIGHT)
        painter.drawText(summary_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         _BODY_METRICS.elidedText(self.summary, Qt.TextElideMode.ElideRight,
                                                  summary_rect.width()))
        if self._rows:
            self._paint_port_labels(painter)
        if self.thumbnail is not None:
            size = self.thumb_size
            target = (QRectF(self.width - size - 8, self.header_height + 3, size, size)
                      if self.thumb_beside else
                      QRectF((self.width - size) / 2, self.height - size - 6, size, size))
            painter.drawImage(target, self.thumbnail)
            painter.setPen(QPen(style.NODE_BORDER, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(target)

    def _paint_port_labels(self, painter: QPainter) -> None:
        """Shapes (and names) beside the ports; an input's and an output's label on the same
        row share the width, the output keeping what it needs first."""
        painter.setFont(_SMALL_FONT)
        painter.setPen(style.TEXT_MUTED)
        ins, outs = list(self.inputs.values()), list(self.outputs.values())
        inner = self.width - 24
        middle = Qt.AlignmentFlag.AlignVCenter
        for index in range(max(len(ins), len(outs))):
            port = ins[index] if index < len(ins) else outs[index]
            y = port.pos().y() - style.PORT_ROW_HEIGHT / 2
            right = self._port_label(outs[index], len(outs) > 1) if index < len(outs) else ""
            left = self._port_label(ins[index], len(ins) > 1) if index < len(ins) else ""
            right_width = min(_SMALL_METRICS.horizontalAdvance(right), inner / 2 if left
                              else inner)
            if right:
                painter.drawText(QRectF(12, y, inner, style.PORT_ROW_HEIGHT),
                                 Qt.AlignmentFlag.AlignRight | middle,
                                 _SMALL_METRICS.elidedText(right, Qt.TextElideMode.ElideRight,
                                                           right_width + 1))
            if left:
                room = inner - (right_width + 8 if right else 0)
                painter.drawText(QRectF(12, y, room, style.PORT_ROW_HEIGHT),
                                 Qt.AlignmentFlag.AlignLeft | middle,
                                 _SMALL_METRICS.elidedText(left, Qt.TextElideMode.ElideRight,
                                                           room))
