"""The edge legend: what an edge's colour and width mean, in a corner of the canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from nnstudio.ui.canvas import style

_BAR = "<span style='color:{0}; font-weight:900;'>━━</span>"
TEXTS = {
    "weights": (f"{_BAR.format(style.WEIGHT_POSITIVE.name())} positive weight&nbsp;&nbsp; "
                f"{_BAR.format(style.WEIGHT_NEGATIVE.name())} negative weight<br>"
                "thicker = larger |w| &nbsp;·&nbsp; "
                f"<span style='color:{style.EDGE_UNSET.name()};'>┄┄</span> not trained yet"),
    "gradients": (f"{_BAR.format(style.GRADIENT_LOW.name())} small &nbsp;→&nbsp; "
                  f"{_BAR.format(style.GRADIENT_HIGH.name())} large gradient |∂L/∂w|<br>"
                  "thicker = larger (log scale over this network)"),
}


class EdgeLegend(QLabel):
    """A small key in the canvas's lower-left corner; hidden while edges are plain."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("edge_legend")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("QLabel { background: rgba(255, 255, 255, 215); color: #3d4450;"
                           " border: 1px solid #d5d9e0; border-radius: 4px; padding: 2px 6px;"
                           " font-size: 10px; }")
        self.mode = ""
        self.hide()

    def set_mode(self, mode: str) -> None:
        """"weights", "gradients" or "" (hidden)."""
        self.mode = mode
        text = TEXTS.get(mode, "")
        self.setText(text)
        self.adjustSize()
        self.setVisible(bool(text))
