"""Conv filters of the selected Conv2D node as a grid of images, and its feature maps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout

from nnstudio.training.remote import ProgressBatch
from nnstudio.training.run_info import RunInfo
from nnstudio.ui.training.plots.common import LivePanel, diverging_lut, grey_lut

MAX_TILES = 32


class ImageGrid(pg.GraphicsView):
    """Up to MAX_TILES small images drawn as ONE mosaic image (one ImageItem in one
    locked-aspect ViewBox): building and painting it costs about as much as one tile.

    The ViewBox is the view's central item (no layout in between), so it takes the
    view's size at once, also when the panel is first shown mid-run from a tab."""

    def __init__(self, lut: np.ndarray, symmetric: bool) -> None:
        super().__init__()
        self.lut = np.asarray(lut, dtype=np.uint8)
        self.symmetric = symmetric
        self.shape: tuple[int, ...] = ()
        self.count = self.columns = 0
        self.images: np.ndarray | None = None
        self.box = pg.ViewBox(lockAspect=True, enableMouse=False, invertY=True)
        self.setCentralItem(self.box)
        self.image = pg.ImageItem()
        self.box.addItem(self.image)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        images = getattr(self, "images", None)
        if images is not None and len(images):  # first shown or resized: refit the mosaic
            self.set_images(images, refit=True)

    def clear(self) -> None:
        self.image.clear()
        self.count, self.shape, self.columns = 0, (), 0
        self.images = None

    def set_images(self, images: np.ndarray, refit: bool = False) -> None:
        """images: (n, H, W); each is scaled on its own (symmetric around 0 if asked),
        in as many columns as make the tiles largest in this widget's shape."""
        images = np.asarray(images, dtype=np.float64)[:MAX_TILES]
        self.images = images
        n, h, w = images.shape
        columns = best_columns(n, h, w, self.width(), self.height())
        fresh = refit or n != self.count or images.shape[1:] != self.shape \
            or columns != self.columns
        self.count, self.shape, self.columns = n, images.shape[1:], columns
        self.image.setImage(mosaic(self.lut, images, self.symmetric, columns),
                            autoLevels=False)
        if fresh:
            self.box.autoRange(padding=0.02)


def best_columns(n: int, h: int, w: int, width: float, height: float) -> int:
    """Columns for n tiles of h×w (1-pixel gaps) that make them largest in width×height."""
    best, best_scale = 1, -1.0
    for columns in range(1, max(n, 1) + 1):
        rows = -(-n // columns)
        scale = min(width / (columns * (w + 1)), height / (rows * (h + 1)))
        if scale > best_scale + 1e-9:
            best, best_scale = columns, scale
    return best


def mosaic(lut: np.ndarray, images: np.ndarray, symmetric: bool,
           columns: int = 8) -> np.ndarray:
    """(n, H, W) -> (rows·(H+1)-1, columns·(W+1)-1, 4) uint8 RGBA: the tiles coloured with
    ``lut`` (256, 3), each scaled on its own, in rows of ``columns``, transparent between."""
    n, h, w = images.shape
    columns = min(max(columns, 1), max(n, 1))
    rows = -(-n // columns)
    out = np.zeros((max(rows * (h + 1) - 1, 1), max(columns * (w + 1) - 1, 1), 4), np.uint8)
    for k, tile_values in enumerate(images):
        image = np.asarray(tile_values, dtype=np.float64)  # float32 ±3e38 spans overflow
        finite = image[np.isfinite(image)]
        if symmetric:
            top = float(np.max(np.abs(finite))) if finite.size else 0.0
            unit = 0.5 + 0.5 * image / top if top > 0 else np.full_like(image, 0.5)
        else:
            low = float(finite.min()) if finite.size else 0.0
            high = float(finite.max()) if finite.size else 0.0
            unit = (image - low) / (high - low) if high > low else np.zeros_like(image)
        index = np.clip(np.nan_to_num(unit, nan=0.5) * 255.0, 0, 255).astype(np.intp)
        r, c = divmod(k, columns)
        tile = out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w]
        tile[..., :3] = lut[index]
        tile[..., 3] = 255
    return out


def kernel_tiles(kernels: np.ndarray) -> np.ndarray:
    """(out, in, kh, kw) -> (n, kh, kw): one tile per output channel (per input channel too
    when there are few; else the mean over the input channels)."""
    out, inp = kernels.shape[:2]
    if inp == 1:
        return kernels[:, 0]
    if out * inp <= MAX_TILES:
        return kernels.reshape(out * inp, *kernels.shape[2:])
    return kernels.mean(axis=1)


class FiltersPanel(LivePanel):
    """Choose a Conv2D node (canvas selection follows); filters update live."""

    def __init__(self, titles: Callable[[], Mapping[str, str]],
                 sample_changed: Callable[[int], None]) -> None:
        super().__init__()
        self._titles = titles
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        row.addWidget(QLabel("Convolution node"))
        self.node_combo = QComboBox()
        self.node_combo.currentIndexChanged.connect(lambda _i: self._redraw())
        row.addWidget(self.node_combo, 1)
        layout.addLayout(row)
        grids = QHBoxLayout()  # kernels left, feature maps right: both get the height
        layout.addLayout(grids, 1)
        left, right = QVBoxLayout(), QVBoxLayout()
        grids.addLayout(left, 1)
        grids.addLayout(right, 1)
        self.kernel_label = QLabel("Kernels (blue positive, orange negative)")
        left.addWidget(self.kernel_label)
        self.kernels = ImageGrid(diverging_lut(), symmetric=True)
        left.addWidget(self.kernels, 1)
        row2 = QHBoxLayout()
        self.maps_label = QLabel("Feature maps of training sample")
        row2.addWidget(self.maps_label)
        self.sample_box = QSpinBox()
        self.sample_box.setRange(0, 100_000)
        self.sample_box.setToolTip("Which training sample's feature maps to show (from the "
                                   "next run on)")
        self.sample_box.valueChanged.connect(sample_changed)
        row2.addWidget(self.sample_box)
        row2.addStretch(1)
        right.addLayout(row2)
        self.maps = ImageGrid(grey_lut()[::-1].copy(), symmetric=False)
        right.addWidget(self.maps, 1)
        self.filters: dict[str, np.ndarray] = {}
        self.feature_maps: dict[str, np.ndarray] = {}
        self.empty_note = QLabel("Select a Conv2D node and train to see its filters.")
        layout.addWidget(self.empty_note)

    def reset(self) -> None:
        self._forget()

    def start_run(self, info: RunInfo) -> None:
        """Forget the previous run's filters (the next snapshot brings this run's)."""
        self._forget()

    def _forget(self) -> None:
        self.filters, self.feature_maps = {}, {}
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        self.node_combo.blockSignals(False)
        for grid in (self.kernels, self.maps):
            grid.clear()
        self.empty_note.setVisible(True)

    def add_batch(self, batch: ProgressBatch) -> None:
        snap = batch.snapshot
        if snap is None:
            return
        self.filters = dict(snap.filters)
        self.feature_maps = dict(snap.feature_maps)
        self._sync_nodes()
        self.dirty = True

    def _sync_nodes(self) -> None:
        nodes = list(self.filters) + [n for n in self.feature_maps if n not in self.filters]
        present = [self.node_combo.itemData(i) for i in range(self.node_combo.count())]
        if nodes == present:
            return
        titles = self._titles()
        chosen = self.node_combo.currentData()
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        for node in nodes:
            self.node_combo.addItem(titles.get(node, node), node)
        self.node_combo.setCurrentIndex(max(self.node_combo.findData(chosen), 0))
        self.node_combo.blockSignals(False)

    def set_selected_node(self, node_id: str | None) -> None:
        index = self.node_combo.findData(node_id)
        if index >= 0:
            self.node_combo.setCurrentIndex(index)

    def _redraw(self) -> None:
        node = self.node_combo.currentData()
        kernels = self.filters.get(node) if node is not None else None
        maps = self.feature_maps.get(node) if node is not None else None
        self.empty_note.setVisible(kernels is None and maps is None)
        if kernels is not None:
            out, inp, kh, kw = kernels.shape
            self.kernel_label.setText(f"{out} kernels of {inp}×{kh}×{kw} "
                                      "(blue positive, orange negative)")
            self.kernels.set_images(kernel_tiles(kernels))
        if maps is not None:
            self.maps_label.setText(f"{maps.shape[0]} feature maps of {maps.shape[1]}×"
                                    f"{maps.shape[2]} for sample")
            self.maps.set_images(maps)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._redraw()
