"""What every live panel shares: the run's data (RunInfo), colours, and the panel base."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from nnstudio.ui.training.worker import ProgressBatch

TRAIN_COLOUR = "#1f77b4"
VAL_COLOUR = "#ff7f0e"
BEST_COLOUR = "#2ca02c"
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def configure_pyqtgraph() -> None:
    """Light plots, row-major images (``image[row, col]``), no antialiasing (speed)."""
    pg.setConfigOptions(background="w", foreground="#333333", antialias=False,
                        imageAxisOrder="row-major")


@dataclass(frozen=True, eq=False)
class RunInfo:
    """The data of a run as the panels draw it (all arrays in ORIGINAL units, copies).

    task: regression | binary | classification | multilabel; class_names: K names or ();
    train_x/val_x: (N, F) or (N, C, H, W); train_y/val_y: the targets as the dataset has
    them; early_stopping/patience from the settings; epochs: planned epochs of this run.
    """

    task: str
    class_names: tuple[str, ...]
    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    early_stopping: bool
    patience: int
    epochs: int
    first_epoch: int

    @property
    def is_image(self) -> bool:
        return self.train_x.ndim == 4

    @property
    def n_features(self) -> int:
        return int(np.prod(self.train_x.shape[1:]))


class LivePanel(QWidget):
    """Base of the live panels; subclasses override what they need.

    ``add_batch`` only stores data and sets ``dirty``; the installer calls ``refresh`` for
    one panel at a time from a timer, so no single event-loop turn redraws every plot.
    """

    dirty = False

    def refresh(self) -> bool:
        """Redraw if new data arrived and the panel is visible; True if it redrew."""
        if not self.dirty or not self.isVisible():
            return False
        self.dirty = False
        self._redraw()
        return True

    def _redraw(self) -> None:
        """Bring the plot items up to date with the stored data."""

    def start_run(self, info: RunInfo) -> None:
        """A run starts (data and task may have changed)."""

    def load_history(self, history: Sequence[Mapping[str, Any]]) -> None:
        """Show the project's stored epoch records (JSON dicts) from scratch."""

    def add_batch(self, batch: ProgressBatch) -> None:
        """New records from the running worker."""

    def set_selected_node(self, node_id: str | None) -> None:
        """The canvas selection changed (the first selected node, or None)."""


def class_brushes(labels: np.ndarray, alpha: int = 220) -> list[Any]:
    """One brush per point, coloured by its integer class label."""
    cache: dict[int, Any] = {}
    out = []
    for label in labels.tolist():
        brush = cache.get(label)
        if brush is None:
            colour = pg.mkColor(CLASS_COLOURS[int(label) % len(CLASS_COLOURS)])
            colour.setAlpha(alpha)
            brush = cache[label] = pg.mkBrush(colour)
        out.append(brush)
    return out


def diverging_lut() -> np.ndarray:
    """(256, 3) uint8: orange (negative) – white – blue (positive), as the canvas edges."""
    t = np.linspace(-1.0, 1.0, 256)[:, None]
    neg = np.array([230, 120, 30], dtype=float)
    pos = np.array([40, 100, 200], dtype=float)
    white = np.array([255, 255, 255], dtype=float)
    colours = np.where(t < 0, white + (neg - white) * (-t), white + (pos - white) * t)
    return colours.astype(np.uint8)


def grey_lut() -> np.ndarray:
    """(256, 3) uint8 white (0) to black (1), like ink on paper."""
    v = np.linspace(255, 0, 256).astype(np.uint8)
    return np.stack([v, v, v], axis=1)
