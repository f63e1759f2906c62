"""Accuracy or R² (training and validation) and the learning rate, per epoch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout

from nnstudio.training.remote import ProgressBatch
from nnstudio.ui.training.plots.common import (
    TRAIN_COLOUR,
    VAL_COLOUR,
    LivePanel,
    RunInfo,
    SteadyRange,
    plot_widget,
    side_legend,
)
from nnstudio.ui.training.plots.compared import ComparedCurves, ComparedRun

_SKIP = {"epoch", "step", "train_loss", "val_loss", "test_loss", "lr", "best_epoch",
         "epochs_since_best", "elapsed_s", "member"}


def _metric_names(record: Mapping[str, Any]) -> list[str]:
    return [k for k in record if k not in _SKIP and "/" not in k
            and (k.endswith("accuracy") or k.endswith("r2"))]


class MetricsPanel(LivePanel):
    """Left: the quality metric (accuracy for classes, R² for regression); right: lr."""

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.metric_plot = plot_widget()
        self.legend = side_legend(self.metric_plot)
        self.metric_plot.setLabel("left", "accuracy / R²")
        self.metric_plot.setLabel("bottom", "epoch")
        self.lr_plot = plot_widget()
        self.lr_plot.setLabel("left", "learning rate")
        self.lr_plot.setLabel("bottom", "epoch")
        self.lr_plot.getAxis("left").setWidth(55)
        self.metric_plot.getAxis("left").setWidth(55)
        self.lr_curve = self.lr_plot.plot(pen=pg.mkPen("#6a3d9a", width=2))
        layout.addWidget(self.metric_plot, 2)
        layout.addWidget(self.lr_plot, 1)
        self.metric_range = SteadyRange(self.metric_plot)
        self.lr_range = SteadyRange(self.lr_plot)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.compared = ComparedCurves(self.metric_plot, self.legend)
        self._clear()

    def _clear(self) -> None:
        self.epochs: list[float] = []
        self.values: dict[str, list[float]] = {}
        self.lrs: list[float] = []
        for curve in self.curves.values():
            self.metric_plot.removeItem(curve)
            self.legend.removeItem(curve)
        self.curves = {}
        self._redraw()

    def start_run(self, info: RunInfo) -> None:
        for steady in (self.metric_range, self.lr_range):
            steady.reset()
            steady.x_end = float(info.first_epoch + info.epochs)

    def end_run(self) -> None:
        self.metric_range.end_run()
        self.lr_range.end_run()
        self.dirty = True

    def reset(self) -> None:
        self.load_history([])
        self.metric_range.blank()
        self.lr_range.blank()

    def load_history(self, history: Sequence[Mapping[str, Any]]) -> None:
        for steady in (self.metric_range, self.lr_range):
            steady.reset()
            steady.x_end = None
        self._clear()
        for record in history:
            if record.get("member") is None:
                self._add(record)
        self._redraw()

    def _add(self, record: Mapping[str, Any]) -> None:
        n = len(self.epochs)
        self.epochs.append(float(record["epoch"]))
        lr = record.get("lr")
        self.lrs.append(float("nan") if lr is None else float(lr))
        for name in _metric_names(record):
            series = self.values.setdefault(name, [float("nan")] * n)
            value = record.get(name)
            series.append(float("nan") if value is None else float(value))
        for series in self.values.values():
            if len(series) < n + 1:
                series.append(float("nan"))

    def add_batch(self, batch: ProgressBatch) -> None:
        for record in batch.epochs:
            if record.member is None:
                self._add(record.to_json())
        if batch.epochs:
            self.dirty = True

    def _redraw(self) -> None:
        x = np.asarray(self.epochs, dtype=float)
        for name, series in self.values.items():
            curve = self.curves.get(name)
            if curve is None:
                colour = VAL_COLOUR if name.startswith("val") else (
                    TRAIN_COLOUR if name.startswith("train") else "#7f7f7f")
                label = name.replace("_", " ").replace("r2", "R²")
                curve = self.metric_plot.plot(pen=pg.mkPen(colour, width=2), connect="finite")
                self.legend.addItem(curve, label)
                self.curves[name] = curve
            curve.setData(x, np.asarray(series, dtype=float))
        lrs = np.asarray(self.lrs, dtype=float)
        self.lr_curve.setData(x, lrs)
        other_x, other_y = self.compared.values()
        self.metric_range.update(np.concatenate([x, *other_x]),
                                 [*(np.asarray(v, dtype=float) for v in self.values.values()),
                                  *other_y])
        self.lr_range.update(x, [lrs, np.zeros(1)])  # from 0: readable ticks, also flat

    def set_compared(self, runs: Sequence[ComparedRun]) -> None:
        """Overlay other runs' validation accuracy (or R²)."""
        self.compared.show(runs, "val_accuracy", "val_r2", "train_accuracy", "train_r2")
        self.metric_range.reset()
        self._redraw()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
