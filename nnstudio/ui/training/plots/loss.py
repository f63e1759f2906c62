"""Loss curves (train/validation, log-scale toggle), best epoch and patience window marked."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout

from nnstudio.ui.training.plots.common import (
    BEST_COLOUR,
    TRAIN_COLOUR,
    VAL_COLOUR,
    LivePanel,
    RunInfo,
    SteadyRange,
)
from nnstudio.ui.training.worker import ProgressBatch


def _f(value: Any) -> float:
    return float("nan") if value is None else float(value)


class LossPanel(LivePanel):
    """x: epoch; y: training and validation loss; faint: recent batch losses."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        top = QHBoxLayout()
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self._set_log)
        self.summary = QLabel("")
        top.addWidget(self.summary, 1)
        top.addWidget(self.log_box)
        layout.addLayout(top)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.addLegend(offset=(-10, 10))  # no grid: it makes every paint redraw the axes
        item = self.plot.getPlotItem()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        self.batch_curve = self.plot.plot(pen=pg.mkPen("#c8ccd4", width=1), name="batch loss")
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2), name="training",
                                          connect="finite")
        self.val_curve = self.plot.plot(pen=pg.mkPen(VAL_COLOUR, width=2), name="validation",
                                        connect="finite")
        self.patience_region = pg.LinearRegionItem(movable=False,
                                                   brush=pg.mkBrush(44, 160, 44, 30),
                                                   pen=pg.mkPen(None))
        self.best_line = pg.InfiniteLine(angle=90, movable=False,
                                         pen=pg.mkPen(BEST_COLOUR, width=1,
                                                      style=Qt.PenStyle.DashLine),
                                         label="best", labelOpts={"position": 0.92,
                                                                  "color": BEST_COLOUR})
        self.plot.addItem(self.patience_region)
        self.plot.addItem(self.best_line)
        layout.addWidget(self.plot, 1)
        self.range = SteadyRange(self.plot)
        self.patience = 0
        self.early_stopping = False
        self._clear()

    def _clear(self) -> None:
        self.epochs: list[float] = []
        self.train: list[float] = []
        self.val: list[float] = []
        self.batch_x: list[float] = []
        self.batch_y: list[float] = []
        self.best_epoch: int | None = None
        self._steps_per_epoch = 0.0
        self._last_epoch_step = (0, 0)
        self._redraw()

    def _set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self.range.reset()
        self._redraw()

    def start_run(self, info: RunInfo) -> None:
        self.patience = info.patience
        self.early_stopping = info.early_stopping
        self.range.reset()
        self.range.x_end = float(info.first_epoch + info.epochs)

    def load_history(self, history: Sequence[Mapping[str, Any]]) -> None:
        self.range.reset()
        self.range.x_end = None
        self._clear()
        for record in history:
            if record.get("member") is None:
                self._add_epoch(record)
        self._redraw()

    def _add_epoch(self, record: Mapping[str, Any]) -> None:
        epoch, step = int(record["epoch"]), int(record.get("step") or 0)
        prev_epoch, prev_step = self._last_epoch_step
        if epoch > prev_epoch and step > prev_step:
            self._steps_per_epoch = (step - prev_step) / (epoch - prev_epoch)
        self._last_epoch_step = (epoch, step)
        self.epochs.append(epoch)
        self.train.append(_f(record.get("train_loss")))
        self.val.append(_f(record.get("val_loss")))
        best = record.get("best_epoch")
        self.best_epoch = None if best is None else int(best)

    def add_batch(self, batch: ProgressBatch) -> None:
        for record in batch.epochs:
            if record.member is None:
                self._add_epoch(record.to_json())
        for step in batch.steps:
            if step.member is None and math.isfinite(step.batch_loss):
                x = float(step.epoch) - 1.0
                if self._steps_per_epoch > 0:
                    x = self._last_epoch_step[0] + (
                        step.step - self._last_epoch_step[1]) / self._steps_per_epoch
                self.batch_x.append(x)
                self.batch_y.append(step.batch_loss)
        if len(self.batch_x) > 4000:  # keep the faint curve bounded (long runs)
            del self.batch_x[:2000], self.batch_y[:2000]
        self.dirty = True

    def _redraw(self) -> None:
        log = self.log_box.isChecked()

        def clean(values: list[float]) -> np.ndarray:
            arr = np.asarray(values, dtype=float)
            return np.where(arr > 0, arr, np.nan) if log else arr

        x = np.asarray(self.epochs, dtype=float)
        batch_x = np.asarray(self.batch_x, dtype=float)
        train, val, batch = clean(self.train), clean(self.val), clean(self.batch_y)
        self.train_curve.setData(x, train)
        self.val_curve.setData(x, val)
        self.batch_curve.setData(batch_x, batch)
        self.range.update(np.concatenate([x, batch_x]), [train, val, batch], log)
        best = self.best_epoch
        self.best_line.setVisible(best is not None)
        self.patience_region.setVisible(best is not None and self.early_stopping)
        if best is not None:
            self.best_line.setValue(best)
            self.patience_region.setRegion((best, best + self.patience))
        if self.epochs:
            text = f"epoch {int(self.epochs[-1])}: training loss {self.train[-1]:.4g}"
            if not math.isnan(self.val[-1]):
                text += f", validation loss {self.val[-1]:.4g}"
            if best is not None:
                text += f"; best epoch {best}"
            self.summary.setText(text)
        else:
            self.summary.setText("No training yet.")

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
