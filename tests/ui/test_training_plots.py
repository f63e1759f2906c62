"""The live plot panels fed with hand-made records: positions, gaps, legends, axes, maps."""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator

import numpy as np
import pyqtgraph as pg
import pytest

from nnstudio.training.records import EpochRecord, GridPrediction, Snapshot, StepRecord
from nnstudio.training.remote import ProgressBatch
from nnstudio.training.run_info import RunInfo
from nnstudio.ui.training.plots.boundary import POINT_SIZE, BoundaryPanel
from nnstudio.ui.training.plots.common import configure_pyqtgraph
from nnstudio.ui.training.plots.confusion import ConfusionPanel
from nnstudio.ui.training.plots.draw_pad import DrawPadPanel
from nnstudio.ui.training.plots.filters import FiltersPanel, best_columns
from nnstudio.ui.training.plots.loss import LossPanel, batch_position
from nnstudio.ui.training.plots.metrics import MetricsPanel
from nnstudio.ui.training.plots.norms import LEGEND_SIZE, NormsPanel
from nnstudio.ui.training.status import StatusSection


def info(x: np.ndarray, y: np.ndarray, task: str = "binary", names: tuple[str, ...] = ("0", "1"),
         steps_per_epoch: int = 10, first_epoch: int = 0, first_step: int = 0) -> RunInfo:
    return RunInfo(task=task, class_names=names, train_x=x, train_y=y, val_x=x[:3],
                   val_y=y[:3], early_stopping=False, patience=5, epochs=20,
                   first_epoch=first_epoch, first_step=first_step,
                   steps_per_epoch=steps_per_epoch)


def epoch_record(epoch: int, step: int, loss: float, metrics: dict[str, float] | None = None,
                 norms: dict[str, float] | None = None) -> EpochRecord:
    return EpochRecord(epoch, step, loss, loss * 1.1, None, metrics or {}, 0.1, norms or {},
                       norms or {}, None, 0, 0.0)


def batch(epochs: tuple[EpochRecord, ...] = (), steps: tuple[StepRecord, ...] = (),
          snapshot: Snapshot | None = None) -> ProgressBatch:
    return ProgressBatch(epochs, steps, snapshot, None)


def snapshot(grid: GridPrediction | None = None,
             curve: tuple[np.ndarray, np.ndarray] | None = None,
             weights: dict[str, np.ndarray] | None = None) -> Snapshot:
    return Snapshot(1, 1, weights or {}, {}, {}, {}, {}, {}, grid, {}, curve)


def legend_texts(legend: pg.LegendItem) -> list[str]:
    return [label.text for _sample, label in legend.items]


@pytest.fixture(autouse=True)
def _pyqtgraph_config(qtbot) -> Iterator[None]:  # type: ignore[no-untyped-def]
    configure_pyqtgraph()
    yield
    # free these panels' pyqtgraph cycles now: collected later, in the middle of a test
    # whose worker QThread runs NumPy, they crashed or hung the thread-backend test
    qtbot.wait(10)
    gc.collect()


def test_batch_losses_sit_at_fractional_epochs_and_break_at_gaps(qtbot) -> None:
    panel = LossPanel()
    qtbot.addWidget(panel)
    x = np.zeros((8, 2))
    panel.start_run(info(x, np.zeros(8), steps_per_epoch=10))
    # epoch 1: every step reported; epoch 2: only steps 11 and 20; epoch 3: 25 and 26
    steps = [StepRecord(1, s, 1.0 / s, 0.1, 100.0) for s in range(1, 11)]
    steps += [StepRecord(2, 11, 0.1, 0.1, 100.0), StepRecord(2, 20, 0.09, 0.1, 100.0),
              StepRecord(3, 25, 0.08, 0.1, 100.0), StepRecord(3, 26, 0.07, 0.1, 100.0)]
    panel.add_batch(batch(steps=tuple(steps), epochs=(epoch_record(1, 10, 0.5),)))
    panel._redraw()
    assert panel.batch_x[:10] == pytest.approx([s / 10 for s in range(1, 11)])
    assert panel.batch_x[10:] == pytest.approx([1.1, 2.0, 2.5, 2.6])
    assert min(panel.batch_x) > 0.0  # no vertical line of first-epoch losses at x = 0
    xs, ys = panel.batch_curve.xData, panel.batch_curve.yData
    breaks = np.flatnonzero(np.isnan(xs))
    # 1.1 -> 2.0 is 0.9 epochs apart: the line breaks there instead of crossing
    assert len(breaks) == 1 and xs[breaks[0] - 1] == pytest.approx(1.1)
    assert xs[breaks[0] + 1] == pytest.approx(2.0)
    assert np.isnan(ys[breaks[0]])
    assert panel.batch_curve.opts["symbol"] == "o"  # isolated records still show as points
    assert panel.batch_curve.opts["connect"] == "finite"


def test_batch_position_counts_from_the_runs_first_step() -> None:
    # a continued run: 5 epochs and 50 steps done before, 10 steps per epoch
    assert batch_position(6, 51, 5, 50, 10) == pytest.approx(5.1)
    assert batch_position(6, 60, 5, 50, 10) == pytest.approx(6.0)
    assert batch_position(7, 65, 5, 50, 10) == pytest.approx(6.5)
    assert math.isfinite(batch_position(1, 3, 0, 0, 0))  # unknown steps per epoch


def test_bagging_members_are_thin_grey_lines_under_the_ensemble(qtbot) -> None:
    panel = LossPanel()
    qtbot.addWidget(panel)
    history = [{"epoch": e, "step": 10 * e, "train_loss": 1.0 / e, "val_loss": 1.2 / e,
                "member0_val_loss": 1.3 / e, "member1_val_loss": 1.4 / e,
                "member2_val_loss": 1.5 / e, "member": None} for e in range(1, 6)]
    panel.load_history(history)
    assert len(panel.member_curves) == 3
    for k, curve in enumerate(panel.member_curves):
        assert curve.yData == pytest.approx([(1.3 + 0.1 * k) / e for e in range(1, 6)])
        assert curve.opts["pen"].widthF() <= 1.0
    assert panel.val_curve.opts["pen"].widthF() >= 2.0
    texts = legend_texts(panel.legend)
    assert "members (validation)" in texts and "ensemble (validation)" in texts
    assert texts.count("members (validation)") == 1
    panel.load_history([{"epoch": 1, "train_loss": 1.0, "val_loss": 1.0}])  # no bagging
    assert panel.member_curves == [] and "validation" in legend_texts(panel.legend)
    assert not any("members" in t for t in legend_texts(panel.legend))


def test_no_plot_axis_uses_an_si_prefix(qtbot) -> None:
    panels = [LossPanel(), MetricsPanel(), NormsPanel("gradients"), NormsPanel("weights"),
              BoundaryPanel(), ConfusionPanel(), DrawPadPanel(lambda x: None),
              FiltersPanel(lambda: {}, lambda i: None)]
    plots = []
    for panel in panels:
        qtbot.addWidget(panel)
        plots += panel.findChildren(pg.PlotWidget)
    assert len(plots) >= 8
    for plot in plots:
        for name in ("left", "bottom", "right", "top"):
            assert plot.getAxis(name).autoSIPrefix is False
    metrics = panels[1]
    assert isinstance(metrics, MetricsPanel)
    metrics.load_history([{"epoch": e, "train_accuracy": 0.8 + 0.01 * e, "lr": 0.001}
                          for e in range(1, 7)])
    axis = metrics.metric_plot.getAxis("left")
    assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()


def test_boundary_resets_its_axes_between_runs_and_shows_small_translucent_points(
        qtbot) -> None:
    panel = BoundaryPanel()
    qtbot.addWidget(panel)
    panel.show()
    images = np.zeros((6, 1, 8, 8))
    panel.start_run(info(images, np.arange(6), "classification", tuple("012345")))
    assert not panel.plot.isVisible() and panel.note.isVisible()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2)) * [3.0, 0.5] + [10.0, -2.0]
    panel.start_run(info(x, (x[:, 0] > 10).astype(float)[:, None]))
    assert panel.plot.isVisible() and not panel.note.isVisible()
    (x0, x1), (y0, y1) = panel.plot.getPlotItem().getViewBox().viewRange()
    assert x0 <= x[:, 0].min() and x1 >= x[:, 0].max()
    assert y0 <= x[:, 1].min() and y1 >= x[:, 1].max()
    assert x1 - x0 < 40  # the data's range, not a stale one
    spots = panel.train_points.data
    assert panel.train_points.opts["size"] == POINT_SIZE == 5
    assert np.all(spots["size"] == -1)  # no spot overrides the small size
    assert all(b.color().alpha() < 255 for b in spots["brush"])
    grid = GridPrediction(np.linspace(5, 15, 4), np.linspace(-3, -1, 3),
                          np.full((3, 4), 0.25, dtype=np.float32))
    panel.add_batch(batch(snapshot=snapshot(grid=grid)))
    panel.refresh()
    assert panel.image.image is not None and panel.image.image.shape == (3, 4)


def test_one_feature_classification_shows_the_fitted_curve_over_the_points(qtbot) -> None:
    panel = BoundaryPanel()
    qtbot.addWidget(panel)
    panel.show()
    x = np.linspace(0.0, 1.0, 20)[:, None]
    y = (x[:, 0] > 0.5).astype(float)[:, None]
    panel.start_run(info(x, y))
    assert panel.train_points.data["y"].tolist() == y[:, 0].tolist()  # points at 0 and 1
    assert panel.threshold.isVisible()
    cx = np.linspace(-0.1, 1.1, 50)
    panel.add_batch(batch(snapshot=snapshot(curve=(cx, 1 / (1 + np.exp(-10 * (cx - 0.5)))))))
    panel.refresh()
    shown_x, shown_y = panel.curve.getData()
    assert shown_x.tolist() == pytest.approx(cx.tolist())
    assert shown_y[0] < 0.1 and shown_y[-1] > 0.9


def test_norm_legends_and_lists_use_node_titles_and_stay_short(qtbot) -> None:
    titles = {f"n{i}": f"Layer {i}" for i in range(7)}
    panel = NormsPanel("weights", lambda: titles)
    qtbot.addWidget(panel)
    norms = {f"n{i}": float(i + 1) for i in range(7)}
    panel.add_batch(batch(epochs=(epoch_record(1, 1, 0.5, norms=norms),),
                          snapshot=snapshot(weights={"n6": np.arange(10.0)})))
    panel._redraw()
    texts = legend_texts(panel.legend)
    assert texts[:LEGEND_SIZE] == ["Layer 6", "Layer 5", "Layer 4", "Layer 3"]  # largest
    assert texts[LEGEND_SIZE] == "+3 more in the list"
    combo = [panel.node_combo.itemText(i) for i in range(panel.node_combo.count())]
    assert sorted(combo) == sorted(titles.values())
    assert not any(t.startswith("n") and t[1:].isdigit() for t in combo + texts)
    panel.set_selected_node("n6")
    panel._redraw()
    assert panel.curves["n6"].opts["pen"].widthF() > panel.curves["n1"].opts["pen"].widthF()
    _edges, counts = panel.hist_curve.getData()
    assert counts is not None and counts.sum() == 10


def test_filter_tiles_fill_a_wide_short_panel() -> None:
    assert best_columns(8, 3, 3, 300, 190) == 4  # two rows of four, not one row of eight
    assert best_columns(8, 3, 3, 900, 100) == 8
    assert best_columns(1, 8, 8, 100, 100) == 1


def test_status_names_how_the_run_ended(qtbot) -> None:
    status = StatusSection()
    qtbot.addWidget(status)
    status.start_run(50, 0)
    status.set_state("finished")
    status.finish("diverged", 3, "Training diverged at epoch 3, batch 1: the loss became inf.")
    assert status.text().startswith("Diverged at epoch 3")
    assert "Finished" not in status.text()
    status.start_run(5, 0)
    status.finish("completed", 5, "Training completed 5 epochs.")
    assert status.text().startswith("Finished")


def test_canvas_overlays_take_infinite_and_huge_values_without_warnings() -> None:
    import warnings

    from nnstudio.ui.training.overlays import norm, unit_scaled

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        maps = unit_scaled(np.array([1.0, -2.0, np.inf, np.nan], np.float32))
        assert maps.tolist() == [0.5, -1.0, 1.0, 0.0]
        assert unit_scaled(np.array([np.inf, 0.0])).tolist() == [1.0, 0.0]
        assert norm(np.full(4, 3e38, np.float32)) == pytest.approx(6e38)
