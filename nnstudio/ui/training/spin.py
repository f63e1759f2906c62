"""Short fields for the training panel: a number field without trailing zeros and the
grid that holds two fields per row."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QWidget


class CompactDoubleSpinBox(QDoubleSpinBox):
    """Shows a number without trailing zeros ("0.01", not "0.01000") so it fits a short
    field; keeps ``decimals`` digits of precision."""

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text


def two_field_grid(parent: QWidget) -> QGridLayout:
    """A grid on ``parent`` with two short fields per row (label, field, label, field)."""
    grid = QGridLayout(parent)
    grid.setHorizontalSpacing(4)
    grid.setVerticalSpacing(3)
    grid.setContentsMargins(6, 4, 6, 6)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    return grid
