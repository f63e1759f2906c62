"""Edge label placement: each label slides along its own wire to the first spot, nearest the
spot it prefers, that covers no node and no label placed before it; a label with no free
spot is hidden (its edge shows it while hovered, and its tooltip always has it)."""

from __future__ import annotations

from collections.abc import Iterable
from math import floor

from PySide6.QtCore import QRectF

from nnstudio.ui.canvas.edge_item import EdgeItem
from nnstudio.ui.canvas.node_item import NodeItem

STOPS = tuple(round(0.12 + 0.04 * i, 2) for i in range(20))
"""Positions along a wire (0..1) a label may take; the ends are left to the ports."""
NODE_MARGIN = 6.0
"""Free space kept around a node card (its ports stick out by their radius)."""
LABEL_GAP = 2.0
"""Free space kept between two labels."""
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


def candidates(prefer: float) -> list[float]:
    """STOPS ordered by distance from ``prefer`` (ties: the one nearer the target first)."""
    return sorted(STOPS, key=lambda t: (round(abs(t - prefer), 6), -t))


def place_edge_labels(edges: Iterable[EdgeItem], nodes: Iterable[NodeItem]) -> None:
    """Choose ``placed_at`` for every labelled edge (see the module docstring). Edges are
    handled in a fixed order (by target, then by source height) so the result is stable."""
    occupied = _Occupied()
    for node in nodes:
        occupied.add(node.sceneBoundingRect().adjusted(-NODE_MARGIN, -NODE_MARGIN,
                                                       NODE_MARGIN, NODE_MARGIN))
    labelled = [e for e in edges if e.label]
    labelled.sort(key=lambda e: (e.target.anchor().x(), e.target.anchor().y(),
                                 e.source.anchor().y(), e.source.anchor().x(), e.edge_id))
    for edge in labelled:
        chosen: float | None = None
        for at in candidates(edge.label_at):
            rect = edge.label_rect_at(at)
            if not occupied.hits(rect):
                chosen = at
                occupied.add(rect.adjusted(-LABEL_GAP, -LABEL_GAP, LABEL_GAP, LABEL_GAP))
                break
        edge.place_label(chosen)
