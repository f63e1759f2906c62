"""How an edge looks under the current overlay: weight colours or gradient magnitudes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtGui import QColor

from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.labels import format_gradient, format_weight


@dataclass(frozen=True)
class EdgeLook:
    colour: QColor
    width: float
    dashed: bool
    label: str
    label_colour: QColor


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor(round(a.red() + (b.red() - a.red()) * t),
                  round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def weight_look(weight: float | None, shape_text: str) -> EdgeLook:
    """A neuron-level edge: blue positive / orange negative, width grows with |w| (to 3).
    A weight not initialised yet is a thin grey dashed wire without a label (its tooltip
    says so)."""
    if weight is None:
        return EdgeLook(style.EDGE_UNSET, 1.2, True, "", style.TEXT_MUTED)
    colour = style.WEIGHT_POSITIVE if weight >= 0 else style.WEIGHT_NEGATIVE
    width = 1.0 + (style.EDGE_MAX_WIDTH - 1.0) * min(abs(weight), 3.0) / 3.0
    return EdgeLook(colour, width, False, format_weight(weight), colour.darker(115))


def plain_look(shape_text: str) -> EdgeLook:
    return EdgeLook(style.EDGE, style.EDGE_WIDTH, False, shape_text, style.TEXT_MUTED)


class GradientScale:
    """Maps gradient magnitudes to colour and width on a log scale over the given values."""

    def __init__(self, values: Mapping[str, float]) -> None:
        logs = [math.log10(v) for v in values.values() if v > 0 and math.isfinite(v)]
        self.low = min(logs) if logs else 0.0
        self.high = max(logs) if logs else 1.0
        if self.high - self.low < 1e-9:
            self.low -= 1.0

    def look(self, magnitude: float | None, shape_text: str) -> EdgeLook:
        if magnitude is None or not math.isfinite(magnitude):
            return EdgeLook(style.EDGE_UNSET, 1.0, True, shape_text, style.TEXT_MUTED)
        t = 0.0 if magnitude <= 0 else (math.log10(magnitude) - self.low) / (
            self.high - self.low)
        t = min(max(t, 0.0), 1.0)
        colour = _mix(style.GRADIENT_LOW, style.GRADIENT_HIGH, t)
        grad = f"∇ {format_gradient(magnitude)}"
        label = f"{shape_text} · {grad}" if shape_text else grad
        return EdgeLook(colour, 1.0 + (style.EDGE_MAX_WIDTH - 1.0) * t, False, label,
                        colour.darker(130))


def layer_weight_look(magnitude: float | None, scale: float, shape_text: str) -> EdgeLook:
    """A layer-level edge in weights mode with a node-level value (e.g. mean |w|)."""
    if magnitude is None or not math.isfinite(magnitude):
        return plain_look(shape_text)
    t = min(abs(magnitude) / scale, 1.0) if scale > 0 else 0.0
    colour = style.WEIGHT_POSITIVE if magnitude >= 0 else style.WEIGHT_NEGATIVE
    return EdgeLook(_mix(style.EDGE, colour, 0.4 + 0.6 * t),
                    1.0 + (style.EDGE_MAX_WIDTH - 1.0) * t, False, shape_text, style.TEXT_MUTED)
