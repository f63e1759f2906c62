"""Colours, fonts and sizes of the node canvas (light theme). Sizes are in scene pixels."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

GRID = 20.0
"""Grid step for snapping node positions and for the background lines."""

LAYER_WIDTH = 180.0
NEURON_WIDTH = 130.0
HEADER_HEIGHT = 24.0
TITLE_LINE_HEIGHT = 16.0
"""Height of a title line; a title wrapped to two lines makes the header this much taller."""
TEXT_PAD = 10.0
"""Space between a card's edge and its texts."""
MAX_NODE_WIDTH_EXTRA = 80.0
"""How much wider than its default a card may grow to fit its texts."""
LINE_HEIGHT = 18.0
PORT_ROW_HEIGHT = 18.0
CORNER_RADIUS = 8.0
PORT_RADIUS = 5.5
PORT_HIT_RADIUS = 10.0
THUMBNAIL_SIZE = 44.0
THUMBNAIL_MIN_SIZE = 28.0
"""Below this a neuron map does not grow its card; it sits beside the settings line."""
BADGE_RADIUS = 9.0

BACKGROUND = QColor("#f6f7f9")
GRID_MINOR = QColor("#eceef2")
GRID_MAJOR = QColor("#dfe2e8")

NODE_BODY = QColor("#ffffff")
NODE_BORDER = QColor("#cfd4dc")
NODE_SELECTED = QColor("#2563eb")
TEXT = QColor("#1f2933")
TEXT_MUTED = QColor("#5f6b7a")
HEADER_TEXT = QColor("#ffffff")

CATEGORY_COLOURS = {
    "Neurons & biases": QColor("#4f7fd9"),
    "Layers": QColor("#7c5cd6"),
    "Activations": QColor("#e08a1e"),
    "Data & output": QColor("#2f9e72"),
}
FALLBACK_CATEGORY = QColor("#6b7280")

PORT_FILL = {"scalar": QColor("#ffffff"), "tensor": QColor("#475569"), "any": QColor("#94a3b8")}
PORT_BORDER = QColor("#475569")
PORT_ALLOWED = QColor("#16a34a")
PORT_FORBIDDEN = QColor("#d1d5db")
PORT_MISMATCH = QColor("#dc2626")
"""A wire would connect here but not fit the shapes (red, before the drop)."""

EDGE = QColor("#8a94a6")
EDGE_SELECTED = QColor("#2563eb")
EDGE_UNSET = QColor("#b8bfcc")
WEIGHT_POSITIVE = QColor("#1f77d0")
"""Blue for positive weights (as in TensorFlow Playground)."""
WEIGHT_NEGATIVE = QColor("#f07b16")
"""Orange for negative weights."""
GRADIENT_LOW = QColor("#c7cde0")
GRADIENT_HIGH = QColor("#b0127a")
LABEL_BACKGROUND = QColor(255, 255, 255, 225)
WIRE = QColor("#2563eb")

ERROR = QColor("#dc2626")
WARNING = QColor("#d97706")
HINT_BACKGROUND = QColor("#1f2933")
HINT_TEXT = QColor("#ffffff")

LABEL_MIN_ZOOM = 0.55
"""Below this zoom edge labels are drawn only for the edge under the mouse."""

EDGE_WIDTH = 1.6
EDGE_MAX_WIDTH = 7.0


def category_colour(category: str) -> QColor:
    """The header colour of a node category."""
    return CATEGORY_COLOURS.get(category, FALLBACK_CATEGORY)


def title_font() -> QFont:
    font = QFont()
    font.setPixelSize(12)
    font.setBold(True)
    return font


def body_font() -> QFont:
    font = QFont()
    font.setPixelSize(12)
    return font


def small_font() -> QFont:
    font = QFont()
    font.setPixelSize(10)
    return font


def snap(value: float) -> float:
    """``value`` rounded to the nearest grid line."""
    return round(value / GRID) * GRID
