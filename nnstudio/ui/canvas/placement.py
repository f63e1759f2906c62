"""Nodes never cover each other: where a dropped, moved or pasted node would overlap
another, it moves aside to the nearest free spot on the grid (or, with none near, the
gesture is refused with a hint)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QPointF, QRectF

from nnstudio.ui.canvas import style

GAP = 10.0
"""Free space kept between two cards."""
SEARCH_STEPS = 30
"""How many grid steps away a free spot is looked for."""
HINT = "Moved aside: nodes may not cover each other."
NO_ROOM = "There is no free room there; nodes may not cover each other."


def _hits(rect: QRectF, others: Sequence[QRectF]) -> bool:
    grown = rect.adjusted(-GAP, -GAP, GAP, GAP)
    return any(grown.intersects(other) for other in others)


def _offsets(steps: int) -> list[tuple[float, float]]:
    """Grid offsets within ``steps`` steps, nearest first (ties: right, then down)."""
    grid = style.GRID
    found = [(dx * grid, dy * grid) for dx in range(-steps, steps + 1)
             for dy in range(-steps, steps + 1)]
    return sorted(found, key=lambda o: (math.hypot(*o), -o[0], -o[1]))


_OFFSETS = _offsets(SEARCH_STEPS)


def free_offset(rects: Sequence[QRectF], others: Iterable[QRectF]) -> QPointF | None:
    """The smallest grid shift that puts every rect of ``rects`` clear of ``others``
    (QPointF(0, 0) when they are clear already); None when no shift within
    ``SEARCH_STEPS`` grid steps does."""
    fixed = list(others)
    near = [o for o in fixed if any(o.intersects(r.adjusted(
        -SEARCH_STEPS * style.GRID - GAP, -SEARCH_STEPS * style.GRID - GAP,
        SEARCH_STEPS * style.GRID + GAP, SEARCH_STEPS * style.GRID + GAP)) for r in rects)]
    for dx, dy in _OFFSETS:
        if not any(_hits(r.translated(dx, dy), near) for r in rects):
            return QPointF(dx, dy)
    return None
