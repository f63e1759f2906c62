"""The explaining views in the window: Landscape (worker, progress, cancel, paths on the
plot), Conv explainer (opened from a node, stepping), activation gallery, node actions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QPushButton

from nnstudio.engine.activations import ACTIVATIONS, make_activation
from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.edits import RemoveNode, SetParam, SetTitle
from nnstudio.training.explain_data import node_input_output, training_data
from nnstudio.training.landscape import OPTIMIZER_PATHS
from nnstudio.training.landscape_surfaces import SURFACES_BY_KEY
from nnstudio.ui.canvas.node_actions import NodeAction, NodeActions
from nnstudio.ui.explain.activation_texts import ACTIVATION_TABLE
from tests.ui.window_helpers import make_window

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    return make_window(qtbot, tmp_path, monkeypatch)


def open_example(window, name: str) -> None:  # type: ignore[no-untyped-def]
    assert window.files.open_example(EXAMPLES / f"{name}.nnstudio")


def first(window, type_id: str) -> str:  # type: ignore[no-untyped-def]
    return next(n.id for n in window.project.graph.nodes.values() if n.type_id == type_id)


def test_docks_and_help_entries_are_installed(window) -> None:  # type: ignore[no-untyped-def]
    names = [a.text() for a in window.help_menu.actions()]
    for entry in ("Lecture &Tour", "&Activation Functions",
                  "Loss &Landscape and Optimizer Paths"):
        assert entry in names
    for name in ("landscape_dock", "conv_explainer_dock", "tour_dock"):
        dock = window.findChild(QDockWidget, name)
        assert dock is not None and not dock.isVisible() and not dock.isFloating()
        assert dock.toggleViewAction() in window.panels_menu.actions()


def test_landscape_of_linear_regression_in_the_window(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "linear_regression")
    ui = window.explain_ui
    panel = ui.landscape
    assert panel.mode_combo.currentData() == "parameters"  # exactly two parameters
    ui.show_landscape("network")
    assert not ui.landscape_dock.isFloating()
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.busy, timeout=20_000)
    result = panel.result
    assert result.grid.shape == (41, 41) and np.all(np.isfinite(result.grid))
    assert [p.spec.key for p in result.paths] == [s.key for s in OPTIMIZER_PATHS]
    assert result.current == result.start
    assert panel.slider.maximum() == panel.steps_spin.value()
    panel.slider.setValue(10)
    for path in result.paths:
        np.testing.assert_allclose(panel.plot.path_position(path.spec.key), path.points[10])
    assert "batch GD" in panel.legend.text() and panel.step_label.text() == "step 10 / 100"
    assert "80 training samples" in panel.text.text()
    # an edit makes the picture old
    window.scene.push_edit(SetTitle(first(window, "neuron.neuron"), "renamed"))
    qtbot.waitUntil(lambda: "has changed" in panel.text.text(), timeout=2000)


def test_landscape_play_runs_to_the_end(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    ui = window.explain_ui
    ui.show_landscape("saddle")
    panel = ui.landscape
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.busy, timeout=20_000)
    checked = {k for k, box in panel.path_boxes.items() if box.isChecked()}
    assert checked == set(SURFACES_BY_KEY["saddle"].paths)
    assert [p.spec.key for p in panel.result.paths] == [
        s.key for s in OPTIMIZER_PATHS if s.key in checked]
    panel.play_button.setChecked(True)  # at the end: Play starts again from step 0
    assert panel.slider.value() == 0
    panel.play_button.setChecked(False)
    panel.slider.setValue(panel.slider.maximum() - 15)
    panel.play_button.setChecked(True)
    qtbot.waitUntil(lambda: not panel.play_button.isChecked(), timeout=5000)
    assert panel.slider.value() == panel.slider.maximum()


def test_landscape_computation_can_be_cancelled(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "digits_mlp")
    panel = window.explain_ui.landscape
    window.explain_ui.show_landscape()
    panel.resolution_spin.setValue(101)
    panel.steps_spin.setValue(2000)
    cancelled: list[bool] = []
    panel.runner.cancelled.connect(lambda: cancelled.append(True))
    panel.compute()
    assert panel.runner.busy and panel.cancel_button.isEnabled()
    qtbot.wait(100)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(cancelled), timeout=10_000)
    assert panel.result is None and not panel.runner.busy
    assert panel.progress.format() == "Cancelled"


def test_landscape_shows_a_sentence_without_dataset(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "xor")
    window.project.dataset = {}
    panel = window.explain_ui.landscape
    window.explain_ui.show_landscape("network")
    qtbot.waitUntil(lambda: "no dataset" in panel.text.text(), timeout=10_000)
    assert panel.result is None


def test_clicking_the_map_starts_the_paths_there(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    ui = window.explain_ui
    ui.show_landscape("valley")
    panel = ui.landscape
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.busy, timeout=20_000)
    qtbot.wait(50)
    view = panel.plot.plot_item.getViewBox()
    scene_point = view.mapViewToScene(QPointF(5.0, -2.0))
    widget_point = panel.plot.mapFromScene(scene_point)
    qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=widget_point)
    qtbot.waitUntil(lambda: panel.result is not None and not panel.runner.busy
                    and panel.start_point is not None, timeout=20_000)
    np.testing.assert_allclose(panel.result.start, (5.0, -2.0), atol=0.3)


def test_conv_explainer_from_the_node_menu_and_the_inspector(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "digits_cnn")
    ui = window.explain_ui
    conv = first(window, "layer.conv2d")
    menu = window.scene.node_menu(conv)
    names = [a.objectName() for a in menu.actions()]
    assert names == ["explain_conv"]
    menu.actions()[0].trigger()
    assert ui.conv_dock.isVisible() and ui.conv.node_id == conv
    exp = ui.conv.explanation
    assert exp is not None and exp.kind == "conv" and ui.conv.position == 1
    # the inspector offers the same action for the selected pooling node
    pool = first(window, "layer.maxpool2d")
    window.scene.select_nodes([pool])
    button = window.inspector.findChild(QPushButton, "explain_pool")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert ui.conv.node_id == pool and ui.conv.explanation.kind == "max"
    assert "max(" in ui.conv.equation.text()
    dense_menu = window.scene.node_menu(first(window, "layer.dense"))
    assert dense_menu.actions() == []


def test_conv_explainer_steps_and_matches_the_engine(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "digits_cnn")
    ui = window.explain_ui
    second = [n.id for n in window.project.graph.nodes.values()
              if n.type_id == "layer.conv2d"][1]
    assert ui.explain_node(second)
    panel = ui.conv
    panel.sample_spin.setValue(5)
    panel.filter_spin.setValue(3)
    panel.channel_spin.setValue(2)
    exp = panel.explanation
    assert (exp.out_channel, exp.channel, exp.in_channels) == (2, 1, 8)
    data = training_data(load_project(EXAMPLES / "digits_cnn.nnstudio"))
    _, out = node_input_output(data.plan, window.project.graph, second, data.x[4])
    np.testing.assert_allclose(exp.output, out[2], rtol=1e-5, atol=1e-5)
    assert "4 × 4" not in panel.arithmetic.text()
    assert "(4 − 3 + 2·1) / 1 + 1 = 3 + 1 = 4" in panel.arithmetic.text()
    panel.go_to(0)
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    assert panel.position == 2
    assert panel.output_grid.filled.sum() == 2 and panel.output_grid.mark == (0, 1)
    assert panel.input_grid.kernel_window == (0, 1, 3, 3)
    assert "out[1, 2]" in panel.equation.text() and "other 7 channels" in panel.equation.text()
    panel.speed_slider.setValue(30)
    panel.play_button.setChecked(True)
    qtbot.waitUntil(lambda: panel.position == panel.cell_count(), timeout=5000)
    assert not panel.play_button.isChecked() and panel.output_grid.filled.all()
    panel.go_to_cell(2, 3)
    assert panel.position == 2 * 4 + 3 + 1


def test_conv_explainer_follows_edits_of_the_node(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "digits_cnn")
    ui = window.explain_ui
    conv = first(window, "layer.conv2d")
    ui.explain_node(conv)
    window.scene.push_edit(SetParam(conv, "stride", 2))
    qtbot.waitUntil(lambda: ui.conv.explanation is not None
                    and ui.conv.explanation.output.shape == (4, 4), timeout=3000)
    assert "⌊(8 − 3 + 2·1) / 2⌋ + 1 = ⌊3.5⌋ + 1 = 4" in ui.conv.arithmetic.text()
    window.scene.push_edit(RemoveNode(conv))
    qtbot.waitUntil(lambda: ui.conv.explanation is None, timeout=3000)
    assert "no longer" in ui.conv.header.text()


def test_activation_gallery_draws_the_engine_values(window) -> None:  # type: ignore[no-untyped-def]
    gallery = window.explain_ui.show_activations("relu")
    assert set(gallery.cards) == set(ACTIVATIONS) == {a.key for a in ACTIVATION_TABLE}
    assert [k for k, c in gallery.cards.items() if c.highlighted] == ["relu"]
    for key, card in gallery.cards.items():
        x, y = card.f_curve.getData()
        if key == "softmax":
            np.testing.assert_allclose(y, 1 / (1 + np.exp(-x)), rtol=1e-9)  # softmax(x, 0)₁
            continue
        slope = {"negative_slope": 0.1} if key == "leaky_relu" else {}
        layer = make_activation(key, **slope)
        np.testing.assert_allclose(y, layer.forward(x.reshape(-1, 1), training=False)[:, 0])
        _, dy = card.df_curve.getData()
        h = 1e-6
        smooth = key not in ("relu", "leaky_relu")
        if smooth:
            f = make_activation(key)
            numeric = (f.forward(x + h, training=False) - f.forward(x - h, training=False)) / (
                2 * h)
            np.testing.assert_allclose(dy, numeric, atol=1e-5)


@pytest.mark.parametrize("key, low", [("swish", -0.28), ("gelu", -0.17), ("sigmoid", 0.0),
                                      ("tanh", -1.0), ("relu", 0.0)])
def test_stated_ranges_match_the_engine(key: str, low: float) -> None:
    info = next(a for a in ACTIVATION_TABLE if a.key == key)
    x = np.linspace(-30, 30, 60001).reshape(-1, 1)
    y = make_activation(key).forward(x, training=False)
    assert abs(float(y.min()) - low) < 0.005
    assert info.range.startswith(("[", "(")) and f"{abs(low):g}".lstrip("0") in info.range


def test_activation_node_opens_the_gallery_on_its_function(window) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "xor")
    node = first(window, "activation")
    menu = window.scene.node_menu(node)
    actions = menu.actions()
    assert [a.objectName() for a in actions] == ["activation_gallery"]
    actions[0].trigger()
    gallery = window.explain_ui.gallery
    assert gallery is not None and gallery.isVisible()
    assert [k for k, c in gallery.cards.items() if c.highlighted] == ["tanh"]
    gallery.close()


def test_right_click_on_a_node_selects_it_and_offers_its_actions(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    open_example(window, "digits_cnn")
    conv = first(window, "layer.conv2d")
    shown: list[list[str]] = []

    def read_and_close_menu() -> None:
        menu = QApplication.activePopupWidget()
        if menu is not None:
            shown.append([a.objectName() for a in menu.actions()])
            menu.close()

    QTimer.singleShot(200, read_and_close_menu)
    item = window.scene.node_items[conv]
    view = window.view
    point = view.mapFromScene(item.sceneBoundingRect().center())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                              view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)  # returns when the menu closes
    assert shown == [["explain_conv"]]
    assert window.scene.selected_node_ids() == [conv]


def test_node_actions_can_be_withdrawn() -> None:
    doc = Document()
    node = doc.nodes[doc.add_node("layer.conv2d", (0, 0))]
    actions = NodeActions()
    remove = actions.add(NodeAction("a", "A", lambda n: True, lambda i: None))
    actions.add(NodeAction("b", "B", lambda n: n.type_id == "layer.dense", lambda i: None))
    assert [a.name for a in actions.for_node(node)] == ["a"]
    remove()
    assert actions.for_node(node) == []


def test_no_widget_leaves_the_window(window, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The landscape and the explainer fit the bottom area beside Problems at 1440×900."""
    ui = window.explain_ui
    ui.show_landscape()
    assert not ui.explain_node("missing")
    assert "no longer in the network" in ui.conv.header.text()
    qtbot.wait(50)
    assert window.width() == 1440
    for panel in (ui.landscape, ui.conv):
        assert panel.minimumSizeHint().width() <= 640


def test_a_hidden_landscape_does_not_compile_the_network_on_open_or_edit(
        window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Listing the parameters compiles the network (all its weights): for a big network
    that took seconds of the GUI thread and its size in memory at every Open and edit."""
    import nnstudio.ui.explain.landscape_panel as module

    compiled: list[int] = []
    real = module.compile_graph
    monkeypatch.setattr(module, "compile_graph",
                        lambda *a, **k: compiled.append(1) or real(*a, **k))
    ui = window.explain_ui
    open_example(window, "digits_mlp")
    window.scene.push_edit(SetTitle(first(window, "layer.dense"), "renamed"))
    qtbot.wait(600)  # past the explain views' edit delay
    assert compiled == [] and not ui.landscape.isVisible()
    ui.show_landscape()
    qtbot.waitUntil(lambda: ui.landscape.isVisible())
    assert compiled and ui.landscape.u_combo.count() > 2
    assert any("renamed" in ui.landscape.u_combo.itemText(i)
               for i in range(ui.landscape.u_combo.count()))
