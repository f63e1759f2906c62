"""A number field that shows no trailing zeros, for short fields."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox


class CompactDoubleSpinBox(QDoubleSpinBox):
    """Shows a number without trailing zeros ("0.01", not "0.01000") so it fits a short
    field; keeps ``decimals`` digits of precision."""

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
