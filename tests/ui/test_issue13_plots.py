"""Issue 13, plots that read well (item 5): the decision map square, filling its plot, its
axes the data's range, a finer grid and a colour scale; compact legends with swatches
beside their labels; a font with the symbols used; the clicked confusion cell outlined."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication
from training_helpers import training_window, wait_state

from nnstudio.training.evaluation import Evaluation
from nnstudio.training.snapshots import GRID_SIZE, MARGIN
from nnstudio.ui.fonts import SYMBOLS, ensure_symbol_font, missing_symbols
from nnstudio.ui.training.controller import FINISHED
from nnstudio.ui.training.plots.common import configure_pyqtgraph
from nnstudio.ui.training.plots.confusion import ConfusionPanel
from nnstudio.ui.training.plots.loss import LossPanel


def test_the_decision_map_is_square_fills_its_plot_and_fits_the_data(
        qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ui = training_window(qtbot, tmp_path, monkeypatch, "spiral_regularization")
    window.project.training["epochs"] = 3
    ui.controller.train()
    wait_state(qtbot, ui, FINISHED)
    panel = ui.boundary
    qtbot.waitUntil(lambda: panel.shown_snapshot is not None or panel._pending is not None)
    ui.refresh_all()
    qtbot.waitUntil(lambda: panel.shown_snapshot is not None)
    grid = panel.shown_snapshot.grid
    assert len(grid.xs) == len(grid.ys) == GRID_SIZE >= 100
    plot = panel.plot
    assert abs(plot.width() - plot.height()) <= 2  # square …
    area = panel.area
    assert plot.width() >= min(area.width() - panel.scale.width() - 10, area.height()) - 2
    data = np.concatenate([panel.info.train_x, panel.info.val_x])
    (x0, x1), (y0, y1) = plot.getPlotItem().getViewBox().viewRange()
    for axis, (low, high) in ((0, (x0, x1)), (1, (y0, y1))):
        lo, hi = data[:, axis].min(), data[:, axis].max()
        pad = MARGIN * (hi - lo)
        assert low == pytest.approx(lo - pad, abs=1e-6) and high == pytest.approx(hi + pad,
                                                                                   abs=1e-6)
    image = panel.image.mapRectToView(panel.image.boundingRect())
    assert image.left() <= x0 + 1e-6 and image.right() >= x1 - 1e-6  # the map fills it
    assert panel.scale.isVisible() and panel.scale.lut is not None
    assert panel.scale.labels[0].endswith(panel.info.class_names[1])


def test_legends_are_compact_with_swatches_beside_labels(qtbot) -> None:  # type: ignore[no-untyped-def]
    configure_pyqtgraph()
    panel = LossPanel()
    qtbot.addWidget(panel)
    panel.resize(640, 300)
    panel.show()
    qtbot.waitExposed(panel)
    panel.load_history([{"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e}
                        for e in range(1, 20)])
    legend = panel.legend
    plot_height = panel.plot.getPlotItem().getViewBox().height()
    assert legend.boundingRect().height() < 0.4 * plot_height
    for sample, label in legend.items:
        swatch = sample.mapRectToScene(sample.boundingRect()).center()
        text = label.mapRectToScene(label.boundingRect()).center()
        assert abs(swatch.y() - text.y()) <= 3  # side by side
        assert swatch.x() < text.x()
    batch = panel.batch_curve.opts["pen"].color()
    assert batch.lightness() < 160  # a swatch one can see on white


def test_the_font_has_every_symbol_the_window_writes(qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    family = ensure_symbol_font(app)
    assert family and missing_symbols(app.font()) == ""
    assert "∂" in SYMBOLS and "₂" in SYMBOLS and "∇" in SYMBOLS


def test_the_clicked_confusion_cell_is_outlined(qtbot) -> None:  # type: ignore[no-untyped-def]
    configure_pyqtgraph()
    panel = ConfusionPanel()
    qtbot.addWidget(panel)
    true = np.array([0, 0, 1, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0, 2])
    confusion = np.zeros((3, 3), dtype=np.int64)
    for t, p in zip(true, predicted, strict=True):
        confusion[t, p] += 1
    probabilities = np.full((7, 3), 1 / 3)
    panel.evaluation = Evaluation(epoch=4, step=40, split="validation", confusion=confusion,
                                  true=true, predicted=predicted,
                                  probabilities=probabilities)
    panel.dirty = True
    panel.show()
    assert not panel.highlight.isVisible()
    listed = panel.show_cell(2, 0)
    assert listed == [5] and panel.selected_cell == (2, 0)
    rect = panel.highlight.rect()
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == (0.0, 2.0, 1.0, 1.0)
    assert panel.highlight.isVisible()
    assert "1 misclassified sample" in panel.cell_label.text()
