"""The "Backprop, step by step" panel: buttons, the current step's numbers, the chain rule of
one weight and the gradient check (widgets only; ``BackpropUi`` fills them)."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    table.setFixedHeight(height + 4)


class BackpropPanel(QWidget):
    """Widgets of the panel; every button is a public attribute."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backprop_panel")
        columns = QHBoxLayout(self)
        layout = QVBoxLayout()
        columns.addLayout(layout, 5)
        self.batch_label = QLabel("Press Forward to run the first training samples "
                                  "through the network.")
        self.batch_label.setWordWrap(True)
        layout.addWidget(self.batch_label)

        buttons = QGridLayout()
        self.forward_button = QPushButton("Forward")
        self.forward_button.setToolTip("Run the batch forward: every node gets its value")
        self.back_button = QPushButton("◀ Back one step")
        self.step_button = QPushButton("Step ▶")
        self.step_button.setToolTip("Go one node further (forward, then backward)")
        self.run_button = QPushButton("Run to end ▶▶")
        self.reset_button = QPushButton("Reset")
        for i, b in enumerate((self.forward_button, self.back_button, self.step_button,
                               self.run_button, self.reset_button)):
            buttons.addWidget(b, 0 if i < 3 else 1, i % 3)
        layout.addLayout(buttons)

        self.step_label = QLabel("")
        bold = QFont()
        bold.setBold(True)
        self.step_label.setFont(bold)
        self.explain_label = QLabel("")
        self.explain_label.setWordWrap(True)
        layout.addWidget(self.step_label)
        layout.addWidget(self.explain_label)
        self.samples = _table(["i", "input", "target", "value", "∂L/∂value"])
        fill_table(self.samples, [])
        layout.addWidget(self.samples)

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
        self.chain_text.setMinimumWidth(300)
        chain_layout.addWidget(self.chain_text)
        columns.addWidget(chain, 5)

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
        columns.addWidget(check, 4)
