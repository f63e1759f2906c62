"""Gradient (or weight) norm per node over time, and a histogram of one node's values.

Nodes are named by their titles. The legend lists only the ``LEGEND_SIZE`` nodes with
the largest current norm (readable, the plot stays free); every node is in the list
beside the histogram, with its curve colour, and the chosen node's curve is drawn bold.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from nnstudio.training.remote import ProgressBatch
from nnstudio.ui.training.plots.common import (
    CLASS_COLOURS,
    LivePanel,
    RunInfo,
    SteadyRange,
    plot_widget,
    side_legend,
)

_BINS = 40
LEGEND_SIZE = 4


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def histogram(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.histogram`` of finite values, also when they are all (nearly) equal and huge:
    numpy's own ±0.5 around 1e30 is no width at all, so the range gets a relative pad."""
    lo, hi = float(values.min()), float(values.max())
    scale = max(abs(lo), abs(hi), 1.0)
    pad = scale * 1e-6 if hi - lo <= scale * 1e-9 else 0.0
    return np.histogram(values, bins=bins, range=(lo - pad, hi + pad))


class NormsPanel(LivePanel):
    """kind "gradients" (EpochRecord.grad_norms, Snapshot.grads) or "weights";
    ``titles()`` maps node ids to the titles shown on the canvas."""

    def __init__(self, kind: str, titles: Callable[[], Mapping[str, str]] | None = None
                 ) -> None:
        super().__init__()
        if kind not in ("gradients", "weights"):
            raise ValueError(kind)
        self.kind = kind
        self._titles = titles or (lambda: {})
        noun = "gradient" if kind == "gradients" else "weight"
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.norm_plot = plot_widget()
        self.norm_plot.setLabel("left", f"{noun} norm (L2)")
        self.norm_plot.setLabel("bottom", "epoch")
        self.norm_plot.setLogMode(y=True)
        self.legend = side_legend(self.norm_plot)
        layout.addWidget(self.norm_plot, 3)
        side = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(QLabel(f"Current {noun}s of"))
        self.node_combo = QComboBox()
        self.node_combo.setToolTip("Every node with weights, in its curve's colour")
        self.node_combo.currentIndexChanged.connect(lambda _i: self._node_chosen())
        row.addWidget(self.node_combo, 1)
        side.addLayout(row)
        self.hist_plot = plot_widget()
        self.hist_plot.setLabel("bottom", noun)
        self.hist_plot.setLabel("left", "count")
        self.hist_curve = self.hist_plot.plot(stepMode="center", fillLevel=0,
                                              brush=pg.mkBrush(31, 119, 180, 120),
                                              pen=pg.mkPen("#1f77b4", width=1))
        side.addWidget(self.hist_plot, 1)
        layout.addLayout(side, 2)
        self.norm_range = SteadyRange(self.norm_plot)
        self.hist_range = SteadyRange(self.hist_plot)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.colours: dict[str, str] = {}
        self.current: dict[str, np.ndarray] = {}
        self.legend_nodes: list[str] = []
        self._more = pg.PlotDataItem(pen=None)
        self._clear()

    def _key(self) -> str:
        return "grad_norm/" if self.kind == "gradients" else "weight_norm/"

    def _clear(self) -> None:
        self.epochs: list[float] = []
        self.series: dict[str, list[float]] = {}
        for curve in self.curves.values():
            self.norm_plot.removeItem(curve)
        self.legend.clear()
        self.legend_nodes = []
        self.curves, self.colours = {}, {}
        self.current = {}
        self._sync_nodes()
        self._redraw()

    def title(self, node: str) -> str:
        return self._titles().get(node, node)

    def start_run(self, info: RunInfo) -> None:
        self.norm_range.reset()
        self.norm_range.x_end = float(info.first_epoch + info.epochs)
        self.hist_range.reset()

    def end_run(self) -> None:
        self.norm_range.end_run()
        self.dirty = True

    def reset(self) -> None:
        self.load_history([])
        self.norm_range.blank()
        self.hist_range.blank()
        self._redraw_histogram()

    def load_history(self, history: Sequence[Mapping[str, Any]]) -> None:
        self.norm_range.reset()
        self.norm_range.x_end = None
        self._clear()
        prefix = self._key()
        for record in history:
            if record.get("member") is None:
                self._add(float(record["epoch"]),
                          {k[len(prefix):]: v for k, v in record.items()
                           if k.startswith(prefix)})
        self._sync_nodes()
        self._redraw()

    def _add(self, epoch: float, norms: Mapping[str, Any]) -> None:
        n = len(self.epochs)
        self.epochs.append(epoch)
        for node, value in norms.items():
            series = self.series.setdefault(node, [float("nan")] * n)
            series.append(float("nan") if value is None else float(value))
        for series in self.series.values():
            if len(series) < n + 1:
                series.append(float("nan"))

    def add_batch(self, batch: ProgressBatch) -> None:
        for record in batch.epochs:
            if record.member is None:
                norms = record.grad_norms if self.kind == "gradients" else record.weight_norms
                self._add(float(record.epoch), norms)
        if batch.snapshot is not None:
            snap = batch.snapshot
            self.current = dict(snap.grads if self.kind == "gradients" else snap.weights)
        if batch.epochs or batch.snapshot is not None:
            self._sync_nodes()
            self.dirty = True

    def _colour(self, node: str) -> str:
        colour = self.colours.get(node)
        if colour is None:
            colour = self.colours[node] = CLASS_COLOURS[len(self.colours) % len(CLASS_COLOURS)]
        return colour

    def _sync_nodes(self) -> None:
        """The list holds every node with a curve or current values, titled."""
        nodes = list(self.series) + [n for n in self.current if n not in self.series]
        present = [self.node_combo.itemData(i) for i in range(self.node_combo.count())]
        if nodes == present:
            return
        chosen = self.node_combo.currentData()
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        for node in nodes:
            self.node_combo.addItem(_swatch(self._colour(node)), self.title(node), node)
        index = self.node_combo.findData(chosen)
        self.node_combo.setCurrentIndex(max(index, 0))
        self.node_combo.blockSignals(False)

    def set_selected_node(self, node_id: str | None) -> None:
        index = self.node_combo.findData(node_id)
        if index >= 0:
            self.node_combo.setCurrentIndex(index)

    def _node_chosen(self) -> None:
        self.hist_range.reset()
        self._redraw()

    def _redraw(self) -> None:
        x = np.asarray(self.epochs, dtype=float)
        chosen = self.node_combo.currentData()
        shown = []
        latest: dict[str, float] = {}
        for node, series in self.series.items():
            curve = self.curves.get(node)
            if curve is None:
                curve = self.norm_plot.plot(connect="finite")
                self.curves[node] = curve
            curve.setPen(pg.mkPen(self._colour(node), width=3 if node == chosen else 1))
            values = np.asarray(series, dtype=float)
            shown.append(np.where(values > 0, values, np.nan))
            curve.setData(x, shown[-1])
            finite = values[np.isfinite(values)]
            latest[node] = float(finite[-1]) if finite.size else -math.inf
        self._update_legend(latest)
        self.norm_range.update(x, shown, log_y=True)
        self._redraw_histogram()

    def _update_legend(self, latest: Mapping[str, float]) -> None:
        """The LEGEND_SIZE largest current norms, largest first, and how many are left."""
        top = sorted(latest, key=lambda n: -latest[n])[:LEGEND_SIZE]
        if top == self.legend_nodes:
            return
        self.legend.clear()
        self.legend_nodes = top
        for node in top:
            self.legend.addItem(self.curves[node], self.title(node))
        hidden = len(latest) - len(top)
        if hidden > 0:  # one persistent empty item (no new graphics objects per rebuild)
            self.legend.addItem(self._more, f"+{hidden} more in the list")

    def _redraw_histogram(self) -> None:
        node = self.node_combo.currentData()
        values = self.current.get(node) if node is not None else None
        if values is None or values.size == 0:
            self.hist_curve.setData([0.0, 1.0], [0.0])
            return
        flat = np.asarray(values, dtype=float).ravel()
        flat = flat[np.isfinite(flat)]
        if flat.size == 0:
            return
        counts, edges = histogram(flat, _BINS)
        self.hist_curve.setData(edges, counts.astype(float))
        self.hist_range.update(edges, [np.append(counts, 0.0).astype(float)])

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
