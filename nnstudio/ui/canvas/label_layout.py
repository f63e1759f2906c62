"""Edge label placement: each label slides along its own wire to the first spot, nearest the
spot it prefers, that covers no node and no label placed before it. A weight label must
also sit where no other wire runs through it, so it can only be read as its own wire's;
where no such spot exists it is hidden and shows while its edge is hovered or one of its
nodes is selected (as TensorFlow Playground does). The labels of the selected nodes'
edges are placed first and always shown."""

from __future__ import annotations

from collections.abc import Iterable
from math import floor

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainterPath, QPainterPathStroker

from nnstudio.ui.canvas.edge_item import EdgeItem
from nnstudio.ui.canvas.node_item import NodeItem

STOPS = tuple(round(0.12 + 0.04 * i, 2) for i in range(20))
"""Positions along a wire (0..1) a label may take; the ends are left to the ports."""
NODE_MARGIN = 6.0
"""Free space kept around a node card (its ports stick out by their radius)."""
LABEL_GAP = 2.0
"""Free space kept between two labels."""
WIRE_CLEARANCE = 1.0
"""Half the width of the band around another wire that a weight label must not touch."""
CORE = (0.3, 0.4)
"""Share of a label box's width and height left out around its middle when testing
whether another wire runs through it."""
_CELL = 80.0


class _Occupied:
    """Rectangles already taken, bucketed on a coarse grid for fast overlap tests."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[QRectF]] = {}

    def _keys(self, rect: QRectF) -> list[tuple[int, int]]:
        x0, x1 = floor(rect.left() / _CELL), floor(rect.right() / _CELL)
        y0, y1 = floor(rect.top() / _CELL), floor(rect.bottom() / _CELL)
        return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    def add(self, rect: QRectF) -> None:
        for key in self._keys(rect):
            self.cells.setdefault(key, []).append(rect)

    def hits(self, rect: QRectF) -> bool:
        return any(rect.intersects(other) for key in self._keys(rect)
                   for other in self.cells.get(key, ()))


class _Wires:
    """Thin outlines of the wires, to test whether a label box lies on another wire."""

    def __init__(self, edges: list[EdgeItem]) -> None:
        stroker = QPainterPathStroker()
        stroker.setWidth(2 * WIRE_CLEARANCE)
        self.items: list[tuple[EdgeItem, QRectF, QPainterPath]] = []
        for edge in edges:
            path = edge.path()
            if path.isEmpty():
                continue
            outline = stroker.createStroke(path)
            self.items.append((edge, outline.boundingRect(), outline))

    def crosses(self, rect: QRectF, own: EdgeItem) -> bool:
        """True if a wire other than ``own`` runs through the middle of ``rect`` (where
        the number is: a wire through a corner does not make it ambiguous)."""
        dx, dy = rect.width() * CORE[0] / 2, rect.height() * CORE[1] / 2
        core = rect.adjusted(dx, dy, -dx, -dy)
        return any(edge is not own and bounds.intersects(core) and outline.intersects(core)
                   for edge, bounds, outline in self.items)


def candidates(prefer: float) -> list[float]:
    """STOPS ordered by distance from ``prefer`` (ties: the one nearer the target first)."""
    return sorted(STOPS, key=lambda t: (round(abs(t - prefer), 6), -t))


def place_edge_labels(edges: Iterable[EdgeItem], nodes: Iterable[NodeItem],
                      selected: Iterable[str] = ()) -> None:
    """Choose ``placed_at`` for every labelled edge (see the module docstring). Edges are
    handled in a fixed order (the selected nodes' first, then by target and by source
    height) so the result is stable."""
    every = list(edges)
    chosen_nodes = set(selected)
    occupied = _Occupied()
    for node in nodes:
        occupied.add(node.sceneBoundingRect().adjusted(-NODE_MARGIN, -NODE_MARGIN,
                                                       NODE_MARGIN, NODE_MARGIN))
    wires = _Wires([e for e in every if e.weighted])
    labelled = [e for e in every if e.label]

    def touches_selection(edge: EdgeItem) -> bool:
        return edge.source.node_id in chosen_nodes or edge.target.node_id in chosen_nodes

    labelled.sort(key=lambda e: (not (e.weighted and touches_selection(e)),
                                 e.target.anchor().x(),
                                 e.target.anchor().y(), e.source.anchor().y(),
                                 e.source.anchor().x(), e.edge_id))
    for edge in labelled:
        forced = edge.weighted and touches_selection(edge)  # a weight, not a shape
        edge.set_featured(forced)
        chosen: float | None = None
        for at in candidates(edge.label_at):
            rect = edge.label_rect_at(at)
            if occupied.hits(rect) or (edge.weighted and not forced
                                       and wires.crosses(rect, edge)):
                continue
            chosen = at
            break
        if chosen is None and forced:
            chosen = edge.label_at  # a selected node's weight shows, over whatever is there
        if chosen is not None:
            rect = edge.label_rect_at(chosen)
            occupied.add(rect.adjusted(-LABEL_GAP, -LABEL_GAP, LABEL_GAP, LABEL_GAP))
        edge.place_label(chosen)
