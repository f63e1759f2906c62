"""File › Export in the main window: the menu entries and the canvas as PNG and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtSvg import QSvgRenderer

from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.runs import Run
from nnstudio.paths import examples_dir
from nnstudio.ui.autosave import RECOVERY_ENV, RecoverySession
from nnstudio.ui.export_actions import (
    ExportController,
    canvas_rect,
    render_canvas_png,
    render_canvas_svg,
)
from nnstudio.ui.main_window import MainWindow

EXAMPLE = examples_dir() / "xor.nnstudio"


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    QCoreApplication.setOrganizationName("NNStudioTests")
    QCoreApplication.setApplicationName("NNStudioTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    monkeypatch.setenv(RECOVERY_ENV, str(tmp_path / "recovery"))
    win = MainWindow(load_project(EXAMPLE), EXAMPLE,
                     recovery=RecoverySession(tmp_path / "recovery"))
    win.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def controller_for(window: MainWindow, target: Path) -> tuple[ExportController, list[str]]:
    controller = window.export_actions
    controller.ask_save_path = lambda caption, flt, suggested: target  # type: ignore[method-assign]
    errors: list[str] = []
    controller.show_error = errors.append  # type: ignore[method-assign]
    return controller, errors


def test_menu_has_every_export_entry_above_quit(window: MainWindow, tmp_path: Path) -> None:
    controller_for(window, tmp_path / "x")
    entries = [a.text() for a in window.file_menu.actions()]
    export_index = entries.index("E&xport")
    assert entries.index(window.quit_action.text()) > export_index
    texts = [a.text() for a in window.export_actions.menu.actions() if not a.isSeparator()]
    assert texts == ["&PyTorch…", "&ONNX…", "PyTorch &training project…", "Canvas as P&NG…",
                     "Canvas as &SVG…", "Training &history as CSV…"]
    assert entries.index("Import &weights…") == export_index + 1
    assert entries.count("Import &weights…") == 1


def test_canvas_png_is_a_white_2x_image_of_the_network(window: MainWindow,
                                                       tmp_path: Path) -> None:
    target = tmp_path / "canvas.png"
    controller, errors = controller_for(window, target)
    assert controller.export_png() == [target] and not errors
    rect = canvas_rect(window.scene)
    image = QImage(str(target))
    assert not image.isNull()
    assert (image.width(), image.height()) == (round(rect.width() * 2), round(rect.height() * 2))
    assert image.pixelColor(2, 2) == QColor("white")           # margin: white background
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20                                   # the nodes are drawn


def test_canvas_svg_has_the_canvas_size_and_view_box(window: MainWindow,
                                                      tmp_path: Path) -> None:
    target = tmp_path / "canvas.svg"
    controller, errors = controller_for(window, target)
    assert controller.export_svg() == [target] and not errors
    rect = canvas_rect(window.scene)
    w, h = round(rect.width()), round(rect.height())
    root = ET.parse(target).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == f"0 0 {w} {h}"
    width, height = root.get("width", ""), root.get("height", "")
    assert width.endswith("mm") and height.endswith("mm")      # Qt states the size in mm
    assert float(width[:-2]) == pytest.approx(w * 25.4 / 96, abs=0.01)    # at 96 dpi
    assert float(height[:-2]) == pytest.approx(h * 25.4 / 96, abs=0.01)
    texts = [el.text or "" for el in root.iter() if el.tag.endswith("text")]
    titles = {node.title for node in window.project.graph.nodes.values()}
    assert any(t.strip() in titles for t in texts)             # node titles are in the SVG
    assert not [el for el in root.iter() if el.tag.endswith("image")]   # vectors, not pixmaps
    assert QSvgRenderer(str(target)).isValid()


def test_empty_canvas_gives_a_sentence(window: MainWindow, tmp_path: Path) -> None:
    window.files.new_project()
    controller, errors = controller_for(window, tmp_path / "empty.png")
    assert controller.export_png() == []
    assert errors == ["The canvas is empty, so there is no picture to export."]
    with pytest.raises(Exception, match="empty"):
        render_canvas_svg(window.scene, tmp_path / "e.svg")


def test_network_and_history_exports_from_the_menu(window: MainWindow, tmp_path: Path) -> None:
    controller, errors = controller_for(window, tmp_path / "net.py")
    assert controller.export_pytorch() == [tmp_path / "net.py", tmp_path / "net.npz"]
    controller.ask_save_path = lambda *a: tmp_path / "hist.csv"  # type: ignore[method-assign]
    assert controller.export_history_csv() == []               # untrained example
    assert errors == ["The project has no training history yet; train it first."]
    window.project.runs = [Run("r1", "Run 1", history=({"epoch": 1, "train_loss": 0.5},))]
    window.project.active_run = "r1"
    assert controller.export_history_csv() == [tmp_path / "hist.csv"]


def test_cancelled_dialog_writes_nothing(window: MainWindow, tmp_path: Path) -> None:
    controller, _ = controller_for(window, tmp_path / "x.png")
    controller.ask_save_path = lambda *a: None  # type: ignore[method-assign]
    assert controller.export_png() == [] and controller.export_onnx() == []
    assert list(tmp_path.glob("x*")) == []


def test_png_function_scales(window: MainWindow, tmp_path: Path) -> None:
    size = render_canvas_png(window.scene, tmp_path / "one.png", scale=1.0)
    rect = canvas_rect(window.scene)
    assert (size.width(), size.height()) == (round(rect.width()), round(rect.height()))


@pytest.mark.parametrize("panel_name", ["LossPanel", "MetricsPanel", "ConfusionPanel",
                                        "BoundaryPanel"])
def test_training_plots_offer_pyqtgraph_exporters(qtbot, panel_name: str) -> None:  # type: ignore[no-untyped-def]
    import importlib

    import pyqtgraph as pg
    from pyqtgraph.exporters import Exporter

    module = {"LossPanel": "loss", "MetricsPanel": "metrics", "ConfusionPanel": "confusion",
              "BoundaryPanel": "boundary"}[panel_name]
    panel = getattr(importlib.import_module(f"nnstudio.ui.training.plots.{module}"),
                    panel_name)()
    qtbot.addWidget(panel)
    views = panel.findChildren(pg.GraphicsView)
    assert views
    for view in views:
        menu = [a.text() for a in view.scene().contextMenu]
        assert "Export..." in menu                   # the right-click entry of every plot
    names = {e.Name for e in Exporter.Exporters}
    assert {"Image File (PNG, TIF, JPG, ...)", "Scalable Vector Graphics (SVG)",
            "CSV of original plot data"} <= names


def test_training_project_and_weights_round_trip_in_the_window(window: MainWindow,
                                                                tmp_path: Path) -> None:
    """File › Export › PyTorch training project…, then File › Import weights… with the
    (changed) weights: ONE undo step, and undo gives the old weights back."""
    import numpy as np

    folder = tmp_path / "xor_pytorch"
    controller, errors = controller_for(window, folder)
    written = controller.export_torch_project()
    assert folder / "train.py" in written and not errors
    with np.load(folder / "model.npz") as arrays:
        trained = {k: (arrays[k] * 2 if k.endswith(".weight") else arrays[k])
                   for k in arrays.files}
    weights = tmp_path / "trained.npz"
    with weights.open("wb") as handle:
        np.savez(handle, **trained)
    before = {e.id: e.weight for e in window.project.graph.edges.values()}
    depth = window.undo_stack.count()
    controller.ask_open_path = lambda caption, flt: weights  # type: ignore[method-assign]
    assert controller.import_weights() and not errors
    assert window.undo_stack.count() == depth + 1
    after = {e.id: e.weight for e in window.project.graph.edges.values()}
    assert after != before
    window.undo_stack.undo()
    assert {e.id: e.weight for e in window.project.graph.edges.values()} == before
    window.undo_stack.redo()
    assert {e.id: e.weight for e in window.project.graph.edges.values()} == after


def test_import_refuses_while_training_and_bad_files(window: MainWindow, tmp_path: Path
                                                    ) -> None:
    controller, errors = controller_for(window, tmp_path / "x")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    controller.ask_open_path = lambda caption, flt: bad  # type: ignore[method-assign]
    depth = window.undo_stack.count()
    assert not controller.import_weights()
    assert len(errors) == 1 and "bad.npz" in errors[0]
    window.session.set_locked(True)                   # as a training run does
    assert not controller.import_action.isEnabled()
    assert not controller.import_weights() and "locked" in errors[-1]
    window.session.set_locked(False)
    assert controller.import_action.isEnabled()
    assert window.undo_stack.count() == depth


def test_a_bagging_ensemble_is_imported_in_the_window_as_one_run(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                  monkeypatch) -> None:
    path = examples_dir() / "bagging.nnstudio"
    win = MainWindow(load_project(path), path, recovery=RecoverySession(tmp_path / "r"))
    win.files.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    qtbot.addWidget(win)
    controller, errors = controller_for(win, tmp_path / "bag")
    assert controller.export_torch_project()
    controller.ask_open_path = lambda c, f: tmp_path / "bag" / "model.npz"  # type: ignore[method-assign]
    depth = win.undo_stack.count()
    assert controller.import_weights() and not errors
    project = win.project
    assert win.undo_stack.count() == depth + 1
    assert len(project.ensemble) == 5 and project.active is not None
    assert "imported from model.npz" in project.active.name
    assert project.active.weights is not None and len(project.active.weights.ensemble) == 5
    win.undo_stack.undo()
    assert project.ensemble == [] and project.runs == [] and project.active_run is None
