"""The main window: docks, menus, palette, inspector and problems list."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox
from window_helpers import build_small_network, isolate_settings, make_window

from nnstudio.engine.activations import sigmoid
from nnstudio.graph.model.edits import SetParam
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.ui import app as app_module
from nnstudio.ui.canvas import NODE_TYPE_MIME
from nnstudio.ui.inspector import activation_curves
from nnstudio.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch) -> MainWindow:
    return make_window(qtbot, tmp_path, monkeypatch)


def test_window_opens_with_docks_menus_and_welcome(window: MainWindow) -> None:
    assert window.centralWidget() is window.view
    for dock in (window.palette_dock, window.inspector_dock, window.problems_dock):
        assert dock.isVisible()
    assert window.dockWidgetArea(window.palette_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert window.dockWidgetArea(window.inspector_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.dockWidgetArea(window.problems_dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert window.windowTitle() == "Untitled[*] — NN Studio"
    assert not window.isWindowModified()
    assert window.welcome.isVisible()
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Training", "&Help"]
    assert window.save_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert window.duplicate_action.shortcut() == QKeySequence("Ctrl+D")
    assert QKeySequence("F") in window.fit_action.shortcuts()


def test_palette_lists_every_type_and_search_filters(window: MainWindow) -> None:
    palette = window.node_palette
    assert palette.visible_type_ids() == list(NODE_TYPES)
    palette.search.setText("pool")
    assert palette.visible_type_ids() == ["layer.maxpool2d", "layer.avgpool2d"]
    assert palette.categories["Neurons & biases"].isHidden()
    palette.search.setText("BIAS constant")
    assert palette.visible_type_ids() == ["neuron.bias"]
    palette.search.setText("no such node")
    assert palette.visible_type_ids() == []
    palette.search.clear()
    assert palette.visible_type_ids() == list(NODE_TYPES)


def test_palette_drag_data_and_double_click_adds_one_undo_step(qtbot, window: MainWindow
                                                               ) -> None:
    item = window.node_palette.item_for_type("layer.dense")
    assert item is not None
    data = window.node_palette.tree.mimeData([item])
    assert bytes(data.data(NODE_TYPE_MIME).data()).decode() == "layer.dense"

    tree = window.node_palette.tree
    rect = tree.visualItemRect(item)
    # A real double-click: press/release, then the double-click event.
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    doc = window.project.graph
    assert [n.type_id for n in doc.nodes.values()] == ["layer.dense"]
    assert window.undo_stack.count() == 1
    node = next(iter(doc.nodes.values()))
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert window.scene.node_items[node.id].sceneBoundingRect().contains(centre)
    assert window.scene.selected_node_ids() == [node.id]
    qtbot.waitUntil(lambda: not window.welcome.isVisible())
    window.undo_stack.undo()
    assert not doc.nodes


def _select(qtbot, window: MainWindow, node_id: str) -> None:
    window.scene.select_nodes([node_id])
    qtbot.waitUntil(lambda: window.inspector.node_id == node_id)


def test_inspector_edits_are_exact_and_undoable(qtbot, window: MainWindow) -> None:
    doc = window.project.graph
    dense = window.add_node_at_center("layer.dense")
    _select(qtbot, window, dense)
    editors = window.inspector.editors
    assert isinstance(editors["units"], QSpinBox) and editors["units"].minimum() == 1
    assert isinstance(editors["use_bias"], QCheckBox)
    assert isinstance(editors["initializer"], QComboBox)
    assert isinstance(editors["l2"], QDoubleSpinBox) and editors["l2"].minimum() == 0.0
    steps = window.undo_stack.count()

    editors["units"].setValue(32)
    editors["use_bias"].setChecked(False)
    editors["initializer"].setCurrentText("xavier_normal")
    editors["l2"].setValue(0.125)
    node = doc.nodes[dense]
    assert node.params["units"] == 32 and type(node.params["units"]) is int
    assert node.params["use_bias"] is False
    assert node.params["initializer"] == "xavier_normal"
    assert node.params["l2"] == 0.125
    assert window.undo_stack.count() == steps + 4

    window.inspector.title_edit.setText("Hidden layer")  # type: ignore[union-attr]
    window.inspector.title_edit.editingFinished.emit()  # type: ignore[union-attr]
    assert doc.nodes[dense].title == "Hidden layer"
    assert window.undo_stack.count() == steps + 5

    window.undo_stack.undo()
    window.undo_stack.undo()
    qtbot.wait(1)
    assert doc.nodes[dense].params["l2"] == 0.0
    assert doc.nodes[dense].title != "Hidden layer"
    assert editors["l2"].value() == 0.0
    assert window.inspector.title_edit.text() == doc.nodes[dense].title  # type: ignore[union-attr]
    window.undo_stack.redo()
    qtbot.wait(1)
    assert editors["l2"].value() == 0.125


def test_inspector_follows_edits_made_elsewhere(qtbot, window: MainWindow) -> None:
    dense = window.add_node_at_center("layer.dense")
    _select(qtbot, window, dense)
    window.push_edit(SetParam(dense, "units", 5))
    qtbot.waitUntil(lambda: window.inspector.editors["units"].value() == 5)  # type: ignore[attr-defined]


def test_activation_plot_shows_f_and_derivative(qtbot, window: MainWindow) -> None:
    act = window.add_node_at_center("activation")
    _select(qtbot, window, act)
    plot = window.inspector.plot
    assert plot is not None
    x, y = plot.f_curve.getData()
    assert np.allclose(y, np.maximum(x, 0.0))
    window.inspector.editors["function"].setCurrentText("sigmoid")  # type: ignore[attr-defined]
    qtbot.wait(1)
    x, y = plot.f_curve.getData()
    _, dy = plot.df_curve.getData()
    assert np.allclose(y, sigmoid(x))
    assert np.allclose(dy, sigmoid(x) * (1 - sigmoid(x)))
    xs, ys, dys = activation_curves("leaky_relu", negative_slope=0.2)
    assert np.allclose(ys[xs < 0], 0.2 * xs[xs < 0]) and np.allclose(dys[xs < 0], 0.2)


def test_problems_update_on_edits_and_click_reveals_node(qtbot, window: MainWindow) -> None:
    doc = window.project.graph
    ids = build_small_network(doc)
    qtbot.waitUntil(lambda: window.problems.problems == [])
    assert window.problems.topLevelItemCount() == 1  # the "no problems" row

    window.project.graph.disconnect(doc.incoming(ids["y"])[0].id)
    qtbot.waitUntil(lambda: len(window.problems.problems) > 0)
    rows = [window.problems.topLevelItem(i)
            for i in range(window.problems.topLevelItemCount())]
    node_rows = [r for r in rows if r.data(0, Qt.ItemDataRole.UserRole + 1)]
    assert node_rows, "a problem names the node that lost its input"
    target = str(node_rows[0].data(0, Qt.ItemDataRole.UserRole + 1))
    window.view.centerOn(5000, 5000)
    rect = window.problems.visualItemRect(node_rows[0])
    qtbot.mouseClick(window.problems.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.scene.selected_node_ids() == [target]
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    pos = doc.nodes[target].position
    assert abs(centre.x() - pos[0]) < 200 and abs(centre.y() - pos[1]) < 200


def test_docks_can_be_hidden_restored_and_layout_is_remembered(qtbot, tmp_path, monkeypatch
                                                               ) -> None:
    first = make_window(qtbot, tmp_path, monkeypatch)
    toggle = first.problems_dock.toggleViewAction()
    assert toggle in first.panels_menu.actions()
    toggle.trigger()
    assert not first.problems_dock.isVisible()
    first.close()
    second = MainWindow(recovery=first.files.recovery)
    qtbot.addWidget(second)
    second.show()
    assert not second.problems_dock.isVisible()
    assert second.palette_dock.isVisible()
    second.reset_layout_action.trigger()
    assert second.problems_dock.isVisible()


def test_run_app_quits_by_itself_and_opens_a_file(qtbot, tmp_path, monkeypatch) -> None:
    isolate_settings(tmp_path, monkeypatch)
    monkeypatch.setenv(app_module.QUIT_ENV, "150")
    monkeypatch.setattr(app_module, "examples_dir", lambda: tmp_path / "no-examples")
    assert app_module.run_app([]) == 0
    assert app_module.quit_after_ms() == 150
    broken = tmp_path / "broken.nnstudio"
    broken.write_bytes(b"not a project")
    assert app_module.run_app([str(broken)]) == 0  # the error dialog does not keep it open
    monkeypatch.setenv(app_module.QUIT_ENV, "soon")
    assert app_module.quit_after_ms() is None


def test_view_menu_zoom_actions_scale_the_view(window: MainWindow) -> None:
    before = window.view.transform().m11()
    window.zoom_in_action.trigger()
    assert window.view.transform().m11() > before
    window.zoom_out_action.trigger()
    window.zoom_out_action.trigger()
    assert window.view.transform().m11() < before


def test_edge_inspector_edits_the_weight_undoably(qtbot, window: MainWindow) -> None:
    doc = window.project.graph
    ids = build_small_network(doc)
    edge_id = doc.incoming(ids["h"])[0].id
    qtbot.wait(1)
    window.scene.edge_items[edge_id].setSelected(True)
    qtbot.waitUntil(lambda: window.inspector.edge_id == edge_id)
    spin = window.inspector.weight_spin
    assert spin is not None and spin.value() == 0.5
    spin.setValue(-1.25)
    assert doc.edges[edge_id].weight == -1.25
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    qtbot.wait(1)
    assert doc.edges[edge_id].weight == 0.5 and spin.value() == 0.5
    output_edge = doc.incoming(ids["y"])[0].id  # into an Output: no weight of its own
    window.scene.select_nodes([])
    window.scene.edge_items[output_edge].setSelected(True)
    qtbot.waitUntil(lambda: window.inspector.edge_id == output_edge)
    assert window.inspector.weight_spin is None


def test_leaky_slope_is_editable_only_for_leaky_relu(qtbot, window: MainWindow) -> None:
    act = window.add_node_at_center("activation")
    _select(qtbot, window, act)
    slope = window.inspector.editors["negative_slope"]
    assert not slope.isEnabled()
    window.inspector.editors["function"].setCurrentText("leaky_relu")  # type: ignore[attr-defined]
    qtbot.waitUntil(slope.isEnabled)


def test_selecting_a_node_raises_the_inspector_over_tabbed_docks(qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, tmp_path, monkeypatch)
    node = window.scene.add_node_at("layer.dense", QPointF(0, 0))
    tabbed = window.tabifiedDockWidgets(window.inspector_dock)
    assert tabbed, "the training panel shares the inspector's place"
    tabbed[0].raise_()
    qtbot.waitUntil(lambda: window.inspector_dock.visibleRegion().isEmpty())
    window.scene.select_nodes([node])
    qtbot.waitUntil(lambda: not window.inspector_dock.visibleRegion().isEmpty())


def test_penalty_strength_editor_takes_six_decimals(qtbot):  # type: ignore[no-untyped-def]
    from nnstudio.graph.model.registry import node_type
    from nnstudio.ui.inspector import make_param_editor

    spec = node_type("layer.dense").param("l2")
    committed: list[float] = []
    editor = make_param_editor(spec, 0.0, committed.append)
    qtbot.addWidget(editor)
    assert isinstance(editor, QDoubleSpinBox)
    assert editor.decimals() == 6 and editor.singleStep() == pytest.approx(0.0001)
    editor.setValue(0.00005)
    assert committed == [pytest.approx(0.00005)]


def test_the_first_window_fits_a_small_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a 1280×720 screen (a laptop, a class projector) the first window is cut to the
    screen's free area instead of reaching past its right and bottom edges."""
    from PySide6.QtCore import QRect, QSize

    import nnstudio.ui.main_window as module

    class Screen:
        def availableGeometry(self) -> QRect:
            return QRect(0, 0, 1280, 690)

    class Gui:
        @staticmethod
        def platformName() -> str:
            return "xcb"

        @staticmethod
        def primaryScreen() -> Screen:
            return Screen()

    monkeypatch.setattr(module, "QGuiApplication", Gui)
    assert module.fitting_size(QSize(1440, 900)) == QSize(1280, 690)
    assert module.fitting_size(QSize(1024, 600)) == QSize(1024, 600)


def test_no_problems_row_uses_the_whole_width_of_a_narrow_panel(qtbot) -> None:  # type: ignore[no-untyped-def]
    """At 1280×720 the Problems panel is ~290 px wide; the empty fix column took 26 px of
    it and the sentence read 'No problems: the network is …'."""
    from nnstudio.graph.model.document import Document
    from nnstudio.ui.problems import NO_PROBLEMS, ProblemsWidget

    widget = ProblemsWidget()
    qtbot.addWidget(widget)
    widget.resize(250, 120)
    widget.show()
    doc = Document()
    build_small_network(doc)
    widget.set_problems(doc, [])
    item = widget.topLevelItem(0)
    assert item.text(0) == NO_PROBLEMS and item.isFirstColumnSpanned()
    assert widget.visualItemRect(item).width() >= widget.viewport().width() - 2
