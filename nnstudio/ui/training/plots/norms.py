"""Gradient (or weight) norm per node over time, and a histogram of one node's values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout

from nnstudio.ui.training.plots.common import CLASS_COLOURS, LivePanel, RunInfo, SteadyRange
from nnstudio.ui.training.worker import ProgressBatch

_BINS = 40


class NormsPanel(LivePanel):
    """kind "gradients" (EpochRecord.grad_norms, Snapshot.grads) or "weights"."""

    def __init__(self, kind: str, titles: Mapping[str, str] | None = None) -> None:
        super().__init__()
        if kind not in ("gradients", "weights"):
            raise ValueError(kind)
        self.kind = kind
        self.titles = dict(titles or {})
        noun = "gradient" if kind == "gradients" else "weight"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.norm_plot = pg.PlotWidget()
        self.norm_plot.setLabel("left", f"{noun} norm ‖·‖₂")
        self.norm_plot.setLabel("bottom", "epoch")
        self.norm_plot.setLogMode(y=True)
        self.norm_plot.addLegend(offset=(-10, 10))
        layout.addWidget(self.norm_plot, 3)
        row = QHBoxLayout()
        row.addWidget(QLabel(f"Histogram of the current {noun}s of"))
        self.node_combo = QComboBox()
        self.node_combo.currentIndexChanged.connect(lambda _i: self._redraw_histogram())
        row.addWidget(self.node_combo, 1)
        layout.addLayout(row)
        self.hist_plot = pg.PlotWidget()
        self.hist_plot.setLabel("bottom", noun)
        self.hist_plot.setLabel("left", "count")
        self.hist_curve = self.hist_plot.plot(stepMode="center", fillLevel=0,
                                              brush=pg.mkBrush(31, 119, 180, 120),
                                              pen=pg.mkPen("#1f77b4", width=1))
        layout.addWidget(self.hist_plot, 2)
        self.norm_range = SteadyRange(self.norm_plot)
        self.hist_range = SteadyRange(self.hist_plot)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.current: dict[str, np.ndarray] = {}
        self._clear()

    def _key(self) -> str:
        return "grad_norm/" if self.kind == "gradients" else "weight_norm/"

    def _clear(self) -> None:
        self.epochs: list[float] = []
        self.series: dict[str, list[float]] = {}
        for curve in self.curves.values():
            self.norm_plot.removeItem(curve)
        self.curves = {}
        self.current = {}
        self._redraw()

    def start_run(self, info: RunInfo) -> None:
        self.norm_range.reset()
        self.norm_range.x_end = float(info.first_epoch + info.epochs)

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
            self._sync_nodes()
        if batch.epochs or batch.snapshot is not None:
            self.dirty = True

    def _sync_nodes(self) -> None:
        nodes = list(self.current)
        present = [self.node_combo.itemData(i) for i in range(self.node_combo.count())]
        if nodes == present:
            return
        chosen = self.node_combo.currentData()
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        for node in nodes:
            self.node_combo.addItem(self.titles.get(node, node), node)
        index = self.node_combo.findData(chosen)
        self.node_combo.setCurrentIndex(max(index, 0))
        self.node_combo.blockSignals(False)

    def set_selected_node(self, node_id: str | None) -> None:
        index = self.node_combo.findData(node_id)
        if index >= 0:
            self.node_combo.setCurrentIndex(index)

    def _redraw(self) -> None:
        x = np.asarray(self.epochs, dtype=float)
        shown = []
        for i, (node, series) in enumerate(self.series.items()):
            curve = self.curves.get(node)
            if curve is None:
                colour = CLASS_COLOURS[i % len(CLASS_COLOURS)]
                curve = self.norm_plot.plot(pen=pg.mkPen(colour, width=1),
                                            name=self.titles.get(node, node), connect="finite")
                self.curves[node] = curve
            values = np.asarray(series, dtype=float)
            shown.append(np.where(values > 0, values, np.nan))
            curve.setData(x, shown[-1])
        self.norm_range.update(x, shown, log_y=True)
        self._redraw_histogram()

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
        counts, edges = np.histogram(flat, bins=_BINS)
        self.hist_curve.setData(edges, counts.astype(float))
        self.hist_range.update(edges, [np.append(counts, 0.0).astype(float)])

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
