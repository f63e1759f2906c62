"""Help › Activation Functions: the lecture's table as a gallery of cards, each with its
formula, range, derivative and typical use, and f and f′ drawn from the engine's layers."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nnstudio.engine.activations import Softmax, make_activation
from nnstudio.ui.explain.activation_texts import (
    ACTIVATION_TABLE,
    ACTIVATIONS_BY_KEY,
    CHOOSING,
    ActivationInfo,
)

X_RANGE = (-4.0, 4.0)
POINTS = 161
DRAWN_LEAKY_SLOPE = 0.1
COLUMNS = 4
F_PEN = pg.mkPen("#1f6fb5", width=2)
DF_PEN = pg.mkPen("#d9622b", width=2, style=Qt.PenStyle.DashLine)
FRAME = "QFrame#activation_card {{ border: {width}px solid {colour}; border-radius: 6px; " \
        "background: white; }}"


def curves(key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, f(x), f′(x) on ``POINTS`` points of ``X_RANGE``, each ``(POINTS,)``, computed by
    the engine's layer: forward for f, backward of ones for f′. Softmax is drawn for the
    input pair (x, 0): its first output and that output's derivative by x."""
    x = np.linspace(*X_RANGE, POINTS)
    if key == "softmax":
        softmax = Softmax()
        pair = np.column_stack([x, np.zeros_like(x)])
        y = softmax.forward(pair, training=False)
        dy = softmax.backward(np.column_stack([np.ones_like(x), np.zeros_like(x)]))
        return x, np.asarray(y[:, 0]), np.asarray(dy[:, 0])
    kwargs = {"negative_slope": DRAWN_LEAKY_SLOPE} if key == "leaky_relu" else {}
    layer = make_activation(key, **kwargs)
    column = x.reshape(-1, 1)
    y = layer.forward(column, training=False)
    dy = layer.backward(np.ones_like(column))
    return x, np.asarray(y)[:, 0], np.asarray(dy)[:, 0]


class ActivationCard(QFrame):
    """One activation: name, plot of f and f′, formula, range, derivative, use."""

    def __init__(self, info: ActivationInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = info
        self.setObjectName("activation_card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        title = QLabel(f"<b style='font-size:11pt'>{info.name}</b>")
        layout.addWidget(title)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setFixedHeight(180)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        x, y, dy = curves(info.key)
        self.f_curve = self.plot.plot(x, y, pen=F_PEN)
        self.df_curve = self.plot.plot(x, dy, pen=DF_PEN)
        self.plot.addLine(x=0, pen=pg.mkPen("#999999", width=1))
        self.plot.addLine(y=0, pen=pg.mkPen("#999999", width=1))
        layout.addWidget(self.plot)
        rows = [("", f"<span style='color:#1f6fb5'>━</span> {info.formula}"),
                ("Range", info.range),
                ("", f"<span style='color:#d9622b'>╍</span> {info.derivative}"),
                ("Use", info.use)]
        text = "<br>".join(f"<b>{k}:</b> {v}" if k else v for k, v in rows)
        if info.note:
            text += f"<br><span style='color:#6b7280'>{info.note}</span>"
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        self.set_highlighted(False)

    def set_highlighted(self, on: bool) -> None:
        self.highlighted = on
        self.setStyleSheet(FRAME.format(width=3 if on else 1,
                                        colour="#1f6fb5" if on else "#d0d4da"))


class ActivationGallery(QDialog):
    """A window (not modal) with every activation of the lecture's table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activation_gallery")
        self.setWindowTitle("Activation functions")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "An activation adds non-linearity: without one, stacked layers collapse into a "
            "single linear model. Solid blue: f(x); dashed orange: its derivative f′(x), "
            "which backpropagation multiplies into every gradient. " + CHOOSING)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.cards: dict[str, ActivationCard] = {}
        for i, info in enumerate(ACTIVATION_TABLE):
            card = ActivationCard(info)
            self.cards[info.key] = card
            grid.addWidget(card, i // COLUMNS, i % COLUMNS)
        layout.addLayout(grid, 1)
        self.resize(1280, 800)

    def show_function(self, key: str | None = None) -> None:
        """Show the window with ``key``'s card outlined (None: none)."""
        if key is not None and key not in ACTIVATIONS_BY_KEY:
            key = None
        for name, card in self.cards.items():
            card.set_highlighted(name == key)
        self.show()
        self.raise_()
        self.activateWindow()
