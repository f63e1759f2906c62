"""Loss curves (train/validation, log-scale toggle), best epoch and patience window marked.

Batch losses sit at fractional epochs (``epoch - 1 + step_in_epoch / steps_per_epoch``)
as small grey points, joined by a thin line only where the records are close (the
trainer throttles them, so a fast run reports one batch in many). With bagging, each
member's validation loss is a thin grey line under the ensemble's bold one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout

from nnstudio.training.remote import ProgressBatch
from nnstudio.ui.training.plots.common import (
    BEST_COLOUR,
    TRAIN_COLOUR,
    VAL_COLOUR,
    LivePanel,
    RunInfo,
    SteadyRange,
    plot_widget,
    side_legend,
)
from nnstudio.ui.training.plots.compared import ComparedCurves, ComparedRun

BATCH_COLOUR = "#8d95a3"
DIVERGED_COLOUR = "#c62828"
LOG_SPAN = 1e3
"""A diverged run's losses spanning more than this factor switch the plot to log scale."""
MEMBER_COLOUR = "#9aa0a8"
MAX_BATCH_POINTS = 4000
BATCH_GAP_EPOCHS = 0.5
"""Two batch records further apart than this (in epochs) are not joined by a line."""
_MEMBER_KEY = re.compile(r"^member(\d+)_val_loss$")


def _f(value: Any) -> float:
    return float("nan") if value is None else float(value)


def batch_position(epoch: int, step: int, first_epoch: int, first_step: int,
                   steps_per_epoch: int) -> float:
    """Where a batch loss goes on the epoch axis: ``epoch - 1 + k / steps_per_epoch`` for
    the k-th step of ``epoch`` (k = 1 … steps_per_epoch, so the last step meets the epoch
    record at x = epoch). Counting starts from the run's first epoch and step."""
    if steps_per_epoch <= 0:
        return float(epoch) - 0.5
    done = (step - first_step) / steps_per_epoch - (epoch - 1 - first_epoch)
    return float(epoch) - 1.0 + min(max(done, 0.0), 1.0)


def with_gaps(x: np.ndarray, y: np.ndarray, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN point wherever consecutive x differ by more than ``gap``: drawn with
    ``connect="finite"`` the line breaks there instead of crossing the gap."""
    if x.size < 2:
        return x, y
    breaks = np.flatnonzero(np.diff(x) > gap) + 1
    if breaks.size == 0:
        return x, y
    return (np.insert(x, breaks, np.nan), np.insert(y, breaks, np.nan))


class LossPanel(LivePanel):
    """x: epoch; y: training and validation loss; grey: batch losses and bagging members."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        top = QHBoxLayout()
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self._set_log)
        self.summary = QLabel("")
        self.summary.setObjectName("loss_summary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        top.addWidget(self.log_box)
        layout.addLayout(top)
        self.plot = plot_widget()
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "loss")
        self.legend = side_legend(self.plot)  # no grid: every paint would redraw the axes
        item = self.plot.getPlotItem()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        self.batch_curve = self.plot.plot(
            pen=pg.mkPen(BATCH_COLOUR, width=1), connect="finite", symbol="o", symbolSize=4,
            symbolPen=None, symbolBrush=pg.mkBrush(BATCH_COLOUR))
        self.batch_curve.setDownsampling(ds=1, auto=False)  # bounded; keep every point
        self.member_curves: list[pg.PlotDataItem] = []
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2),
                                          connect="finite")
        self.val_curve = self.plot.plot(pen=pg.mkPen(VAL_COLOUR, width=2), connect="finite")
        self.legend.addItem(self.batch_curve, "batch loss")
        self.legend.addItem(self.train_curve, "training")
        self.legend.addItem(self.val_curve, "validation")
        self._val_label = "validation"
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
        self.diverged_line = pg.InfiniteLine(
            angle=90, movable=False,
            pen=pg.mkPen(DIVERGED_COLOUR, width=1.5, style=Qt.PenStyle.DashLine),
            label="diverged", labelOpts={"position": 0.85, "color": DIVERGED_COLOUR})
        self.diverged_point = pg.ScatterPlotItem(size=12, symbol="x",
                                                 pen=pg.mkPen(DIVERGED_COLOUR, width=2),
                                                 brush=pg.mkBrush(DIVERGED_COLOUR))
        self.plot.addItem(self.diverged_line)
        self.plot.addItem(self.diverged_point)
        self.diverged_at: float | None = None
        """Where on the epoch axis the run diverged (None: it did not)."""
        layout.addWidget(self.plot, 1)
        self.range = SteadyRange(self.plot)
        self.compared = ComparedCurves(self.plot, self.legend)
        self.patience = 0
        self.early_stopping = False
        self._anchor = (0, 0, 0)  # the run's first epoch, first step, steps per epoch
        self._clear()

    def _clear(self) -> None:
        self.epochs: list[float] = []
        self.train: list[float] = []
        self.val: list[float] = []
        self.members: dict[int, list[float]] = {}
        self.batch_x: list[float] = []
        self.batch_y: list[float] = []
        self.best_epoch: int | None = None
        self.diverged_at = None
        for curve in self.member_curves:
            self.plot.removeItem(curve)
            self.legend.removeItem(curve)
        self.member_curves = []
        self._redraw()

    def _set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self.range.reset()
        self._redraw()

    def show_divergence(self) -> None:
        """The run diverged: mark where (its last finite loss), fit the axes to the
        finite losses, on a log scale if they span many orders of magnitude."""
        points = [(x, y) for x, y in zip(self.batch_x, self.batch_y, strict=True)
                  if math.isfinite(y)]
        points += [(float(e), v) for e, v in zip(self.epochs, self.train, strict=True)
                   if math.isfinite(v)]
        if not points:
            self.diverged_at = float(self.epochs[-1]) if self.epochs else 0.0
        else:
            self.diverged_at = max(points)[0]
        finite = [y for _x, y in points if y > 0]
        if finite and max(finite) / min(finite) > LOG_SPAN and not self.log_box.isChecked():
            self.log_box.setChecked(True)  # redraws
        self.range.reset()
        self.dirty = True
        self._redraw()

    def start_run(self, info: RunInfo) -> None:
        self.diverged_at = None
        self.patience = info.patience
        self.early_stopping = info.early_stopping
        self._anchor = (info.first_epoch, info.first_step, info.steps_per_epoch)
        self.range.reset()
        self.range.x_end = float(info.first_epoch + info.epochs)

    def end_run(self) -> None:
        self.range.end_run()
        self.dirty = True

    def reset(self) -> None:
        self.load_history([])
        self.range.blank()

    def load_history(self, history: Sequence[Mapping[str, Any]]) -> None:
        self.range.reset()
        self.range.x_end = None
        self._clear()
        for record in history:
            if record.get("member") is None:
                self._add_epoch(record)
        self._redraw()

    def _add_epoch(self, record: Mapping[str, Any]) -> None:
        n = len(self.epochs)
        self.epochs.append(int(record["epoch"]))
        self.train.append(_f(record.get("train_loss")))
        self.val.append(_f(record.get("val_loss")))
        for key, value in record.items():  # bagging: each member's validation loss
            found = _MEMBER_KEY.match(key)
            if found:
                series = self.members.setdefault(int(found.group(1)), [math.nan] * n)
                series.append(_f(value))
        for series in self.members.values():
            if len(series) < n + 1:
                series.append(math.nan)
        best = record.get("best_epoch")
        self.best_epoch = None if best is None else int(best)

    def add_batch(self, batch: ProgressBatch) -> None:
        for record in batch.epochs:
            if record.member is None:
                self._add_epoch(record.to_json())
        first_epoch, first_step, per_epoch = self._anchor
        for step in batch.steps:
            if math.isfinite(step.batch_loss):
                self.batch_x.append(batch_position(step.epoch, step.step, first_epoch,
                                                   first_step, per_epoch))
                self.batch_y.append(step.batch_loss)
        if len(self.batch_x) > MAX_BATCH_POINTS:  # keep the grey points bounded (long runs)
            del self.batch_x[:MAX_BATCH_POINTS // 2], self.batch_y[:MAX_BATCH_POINTS // 2]
        self.dirty = True

    def _sync_members(self) -> None:
        """One thin grey curve per bagging member; the legend says "members"/"ensemble"."""
        while len(self.member_curves) < len(self.members):
            first = not self.member_curves
            curve = pg.PlotDataItem(pen=pg.mkPen(MEMBER_COLOUR, width=1), connect="finite")
            curve.setZValue(-1)
            self.plot.addItem(curve)
            if first:
                self.legend.addItem(curve, "members (validation)")
            self.member_curves.append(curve)
        label = "ensemble (validation)" if self.members else "validation"
        if label != self._val_label:
            self.legend.removeItem(self.val_curve)
            self.legend.addItem(self.val_curve, label)
            self._val_label = label

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
        self.batch_curve.setData(*with_gaps(batch_x, batch, BATCH_GAP_EPOCHS))
        self._sync_members()
        members = [clean(series) for series in self.members.values()]
        for curve, values in zip(self.member_curves, members, strict=True):
            curve.setData(x, values)
        other_x, other_y = self.compared.values()
        self.range.update(np.concatenate([x, batch_x, *other_x]),
                          [train, val, batch, *members, *(clean(list(y)) for y in other_y)],
                          log)
        self._draw_divergence(batch_x, batch, x, train)
        best = self.best_epoch
        self.best_line.setVisible(best is not None)
        self.patience_region.setVisible(best is not None and self.early_stopping)
        if best is not None:
            self.best_line.setValue(best)
            self.patience_region.setRegion((best, best + self.patience))
        if self.diverged_at is not None:
            last = next((y for y in reversed(self.batch_y) if math.isfinite(y)), None)
            text = f"Diverged near epoch {self.diverged_at:.2f}"
            if last is not None:
                text += f" after a loss of {last:.3g}"
            self.summary.setText(text + "; try a smaller learning rate.")
        elif self.epochs:
            text = f"epoch {int(self.epochs[-1])}: training loss {self.train[-1]:.4g}"
            if not math.isnan(self.val[-1]):
                noun = "ensemble validation loss" if self.members else "validation loss"
                text += f", {noun} {self.val[-1]:.4g}"
            if best is not None:
                text += f"; best epoch {best}"
            self.summary.setText(text)
        elif self.batch_x:
            self.summary.setText(f"epoch 1 in progress: batch loss {self.batch_y[-1]:.4g}")
        else:
            self.summary.setText("No training yet.")

    def _draw_divergence(self, batch_x: np.ndarray, batch: np.ndarray, x: np.ndarray,
                         train: np.ndarray) -> None:
        at = self.diverged_at
        self.diverged_line.setVisible(at is not None)
        if at is None:
            self.diverged_point.clear()
            return
        self.diverged_line.setValue(at)
        xs = np.concatenate([batch_x, x])
        ys = np.concatenate([batch, train])
        keep = np.isfinite(ys) & np.isclose(xs, at)
        shown_y = ys[keep][-1:] if keep.any() else ys[np.isfinite(ys)][-1:]
        if shown_y.size:
            y = np.log10(shown_y) if self.log_box.isChecked() else shown_y
            self.diverged_point.setData([at], list(y))

    def set_compared(self, runs: Sequence[ComparedRun]) -> None:
        """Overlay other runs' validation loss (training loss without validation)."""
        self.compared.show(runs, "val_loss", "train_loss")
        self.range.reset()
        self._redraw()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
