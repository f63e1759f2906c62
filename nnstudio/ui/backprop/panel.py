"""The "Backprop, step by step" panel: buttons, the current step's numbers, the chain rule of
one weight and the gradient check (widgets only; ``BackpropUi`` fills them).

The three sections sit side by side when the panel is wide and stack when it is narrow; the
buttons re-flow into as many columns as fit, so none is ever clipped.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

WIDE = 860
"""Width (px) from which the three sections sit side by side."""
HYSTERESIS = 30
"""Extra width needed to switch back to side by side (no flicker at the threshold)."""


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(rows)))
    # room for a horizontal scroll bar, which a narrow column needs (else it hides the rows)
    table.setFixedHeight(height + 4 + table.horizontalScrollBar().sizeHint().height())


def sample_columns(scaling: str) -> list[str]:
    """The headers of the samples table: the raw input, and beside it the scaled one the
    network (and the chain-rule text) uses when the data are scaled."""
    if scaling == "none":
        return ["i", "input x", "target", "value", "∂L/∂value"]
    return ["i", "raw x", f"scaled x ({scaling})", "target", "value", "∂L/∂value"]


class BackpropPanel(QWidget):
    """Widgets of the panel; every button is a public attribute."""

    def set_scaling(self, scaling: str) -> None:
        """Columns for data scaled by ``scaling`` ("none": one input column)."""
        columns = sample_columns(scaling)
        self.samples.setColumnCount(len(columns))
        self.samples.setHorizontalHeaderLabels(columns)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backprop_panel")
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        steps = QWidget()
        layout = QVBoxLayout(steps)
        layout.setContentsMargins(0, 0, 0, 0)
        self.columns.addWidget(steps, 5)
        self.batch_label = QLabel("Press Forward to run the first training samples "
                                  "through the network.")
        self.batch_label.setWordWrap(True)
        layout.addWidget(self.batch_label)

        self.button_grid = QGridLayout()
        self.forward_button = QPushButton("Forward")
        self.forward_button.setToolTip("Run the batch forward: every node gets its value")
        self.back_button = QPushButton("◀ Back one step")
        self.step_button = QPushButton("Step ▶")
        self.step_button.setToolTip("Go one node further (forward, then backward)")
        self.run_button = QPushButton("Run to end ▶▶")
        self.reset_button = QPushButton("Reset")
        self.step_buttons = [self.forward_button, self.back_button, self.step_button,
                             self.run_button, self.reset_button]
        self.button_columns = 0
        layout.addLayout(self.button_grid)

        self.step_label = QLabel("")
        bold = QFont()
        bold.setBold(True)
        self.step_label.setFont(bold)
        self.explain_label = QLabel("")
        self.explain_label.setWordWrap(True)
        layout.addWidget(self.step_label)
        layout.addWidget(self.explain_label)
        self.samples = _table(sample_columns("none"))
        fill_table(self.samples, [])
        layout.addWidget(self.samples)
        self.samples.setToolTip("raw x: the data as they are; scaled x: what enters the "
                                "network (the numbers the text above uses)")
        layout.addStretch(1)

        chain = QGroupBox("Chain rule of one weight")
        chain_layout = QVBoxLayout(chain)
        chooser = QHBoxLayout()
        self.target_combo = QComboBox()
        self.target_combo.setToolTip("Or click a connection on the canvas")
        self.element_spin = QSpinBox()
        self.element_spin.setToolTip("Which entry of the array (flat index)")
        self.element_spin.setVisible(False)
        chooser.addWidget(self.target_combo, 1)
        chooser.addWidget(self.element_spin)
        chain_layout.addLayout(chooser)
        self.chain_text = QPlainTextEdit()
        self.chain_text.setReadOnly(True)
        self.chain_text.setPlaceholderText("Click a connection into a neuron on the canvas "
                                           "(or pick a weight above) to see ∂L/∂w as a "
                                           "product of chain-rule factors.")
        self.chain_text.setMinimumHeight(120)
        chain_layout.addWidget(self.chain_text)
        self.columns.addWidget(chain, 5)

        check = QGroupBox("Gradient check")
        check_layout = QVBoxLayout(check)
        self.check_button = QPushButton("Check gradients")
        self.check_button.setToolTip("Compare backprop with finite differences "
                                     "(float64, on the same batch)")
        self.verdict_label = QLabel("")
        self.verdict_label.setWordWrap(True)
        self.check_table = _table(["parameter", "rel. error", "result"])
        fill_table(self.check_table, [])
        check_layout.addWidget(self.check_button)
        check_layout.addWidget(self.verdict_label)
        check_layout.addWidget(self.check_table)
        check_layout.addStretch(1)  # the table under its button, the room below it
        self.columns.addWidget(check, 4)
        self.setMinimumWidth(120)
        self._arrange(self.width())

    def is_stacked(self) -> bool:
        """True while the sections are stacked top to bottom (a narrow panel)."""
        return self.columns.direction() == QBoxLayout.Direction.TopToBottom

    def _arrange(self, width: int) -> None:
        """Stack the sections below ``WIDE`` px; put as many buttons in a row as fit."""
        if width < WIDE:
            direction = QBoxLayout.Direction.TopToBottom
        elif width >= WIDE + HYSTERESIS or not self.is_stacked():
            direction = QBoxLayout.Direction.LeftToRight
        else:
            direction = self.columns.direction()
        if direction != self.columns.direction():
            self.columns.setDirection(direction)
        section = width if direction == QBoxLayout.Direction.TopToBottom else width * 5 // 14
        widest = max(b.sizeHint().width() for b in self.step_buttons)
        spacing = max(self.button_grid.horizontalSpacing(), 0)
        count = max(1, min(3, (section - 20 + spacing) // (widest + spacing)))
        if count != self.button_columns:
            self.button_columns = count
            for button in self.step_buttons:
                self.button_grid.removeWidget(button)
            for i, button in enumerate(self.step_buttons):
                self.button_grid.addWidget(button, i // count, i % count)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange(event.size().width())
        super().resizeEvent(event)
