"""Curves of other runs drawn over a live plot (Compare runs): one dashed colour per run,
named in the plot's legend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

RUN_COLOURS = ("#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#2ca02c",
               "#d62728", "#7f7f7f")


@dataclass(frozen=True, eq=False)
class ComparedRun:
    """One ticked run: its name, colour and epoch records (JSON dicts)."""

    name: str
    colour: str
    history: Sequence[Mapping[str, Any]]

    def series(self, *keys: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of the first of ``keys`` the records hold (NaN where absent)."""
        main = [r for r in self.history if r.get("member") is None]
        key = next((k for k in keys if any(r.get(k) is not None for r in main)), keys[0])
        x = np.array([float(r.get("epoch", i + 1)) for i, r in enumerate(main)])
        y = np.array([np.nan if r.get(key) is None else float(r[key]) for r in main])
        return x, y


class ComparedCurves:
    """The dashed curves of the compared runs in one plot."""

    def __init__(self, plot: pg.PlotWidget, legend: pg.LegendItem) -> None:
        self.plot = plot
        self.legend = legend
        self.curves: list[pg.PlotDataItem] = []
        self.data: list[tuple[np.ndarray, np.ndarray]] = []

    def show(self, runs: Sequence[ComparedRun], *keys: str) -> None:
        """Draw ``runs`` (the value of the first of ``keys`` each has) instead of before."""
        for curve in self.curves:
            self.plot.removeItem(curve)
            self.legend.removeItem(curve)
        self.curves, self.data = [], []
        for run in runs:
            x, y = run.series(*keys)
            curve = self.plot.plot(x, y, connect="finite", pen=pg.mkPen(
                run.colour, width=2, style=Qt.PenStyle.DashLine))
            curve.setZValue(-2)
            self.legend.addItem(curve, run.name)
            self.curves.append(curve)
            self.data.append((x, y))

    def values(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(every x array, every y array) of the shown curves, for the axis ranges."""
        return [x for x, _ in self.data], [y for _, y in self.data]
