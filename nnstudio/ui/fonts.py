"""A user-interface font that has every symbol the app writes (∂, ∇, σ, γ, ‖, ₂, ⁻⁵ …).

Qt draws a missing glyph as an empty box. At start-up the app checks its font and, where a
symbol is missing, switches to the first installed family that has them all (DejaVu Sans,
Noto Sans, Segoe UI, …); ``missing_symbols`` tells which ones a font lacks.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QApplication

SYMBOLS = "∂∇σγθηεβαΣ×−·→⇄≈≤±√π½²³⁻⁰¹⁴⁵⁶⁷⁸⁹₀₁₂‖ŷ′…›“”—–○■◆▶◀▸★✓━┄"
"""Every non-ASCII character the window's texts, plots and canvas use."""
PREFERRED = ("DejaVu Sans", "Noto Sans", "Segoe UI", "Helvetica Neue", "Arial Unicode MS",
             "Liberation Sans", "Ubuntu")


def missing_symbols(font: QFont, symbols: str = SYMBOLS) -> str:
    """The characters of ``symbols`` that ``font`` has no glyph for."""
    metrics = QFontMetrics(font)
    return "".join(ch for ch in symbols if not metrics.inFontUcs4(ord(ch)))


def ensure_symbol_font(app: QApplication) -> str:
    """Switch ``app`` to a family with every symbol if its font lacks some; returns the
    family in use."""
    font = app.font()
    if not missing_symbols(font):
        return font.family()
    families = QFontDatabase.families()
    ordered = [f for f in PREFERRED if f in families] + [f for f in families
                                                         if f not in PREFERRED]
    best, fewest = font.family(), len(missing_symbols(font))
    for family in ordered:
        candidate = QFont(font)
        candidate.setFamily(family)
        lacking = len(missing_symbols(candidate))
        if lacking < fewest:
            best, fewest = family, lacking
        if lacking == 0:
            break
    if best != font.family():
        font.setFamily(best)
        app.setFont(font)
    return best
