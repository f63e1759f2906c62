"""Issue 13, a canvas that does not overlap and wires that say they will not fit (items 3,
6, 7, 9, 11): fixed ports, nodes that move aside, neuron maps inside the free room, the
edge legend, an Input that follows the data, red ports and the Flatten fix, grouped
problems, Fit All and the palette's ranking."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from canvas_helpers import drag, make_canvas, port_pos, vp
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from test_canvas_look import xor_doc
from test_gestures_chocolate import drop_from_palette
from window_helpers import make_window

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import PortRef
from nnstudio.ui.main_window import MainWindow
from nnstudio.ui.training.panel import TrainingPanel


@pytest.fixture
def window(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # type: ignore[no-untyped-def]
    return make_window(qtbot, tmp_path, monkeypatch)


def cards_apart(scene) -> bool:  # type: ignore[no-untyped-def]
    rects = [item.sceneBoundingRect().adjusted(3, 3, -3, -3)
             for item in scene.node_items.values()]
    return not any(a.intersects(b) for a, b in itertools.combinations(rects, 2))


def choose_dataset(panel: TrainingPanel, name: str) -> None:
    index = panel.dataset_combo.findData(name)
    panel.dataset_combo.setCurrentIndex(index)
    panel.dataset_combo.activated.emit(index)


def test_ports_stay_put_when_the_shapes_become_known(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document()
    source = doc.add_node("layer.input", (0, 0), {"kind": "image", "channels": 16,
                                                  "height": 28, "width": 28})
    conv = doc.add_node("layer.conv2d", (300, 0), {"out_channels": 128})
    scene, _view = make_canvas(qtbot, doc)
    item = scene.node_items[conv]
    before = (item.port("in", False).scenePos(), item.port("out", True).scenePos(), item.width)
    doc.connect(source, "out", conv, "in")  # now "N×128×26×26" is known beside the port
    scene.refresh_now()
    assert "N×128×26×26" in scene.node_items[conv].port_shapes.values()
    after = (item.port("in", False).scenePos(), item.port("out", True).scenePos(), item.width)
    assert after == before


def test_a_drop_on_a_node_moves_aside(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    first = drop_from_palette(window, "layer.dense", QPoint(300, 200))
    second = drop_from_palette(window, "layer.dense", QPoint(300, 200))  # the same spot
    assert first != second and cards_apart(window.scene)
    assert window.statusBar().currentMessage().startswith("Moved aside")
    assert window.undo_stack.count() == 2


def test_a_node_dragged_onto_another_moves_aside_in_the_same_step(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document()
    a = doc.add_node("layer.dense", (0, 0))
    b = doc.add_node("layer.dense", (400, 0))
    scene, view = make_canvas(qtbot, doc)
    start = scene.node_items[b].sceneBoundingRect().center()
    target = scene.node_items[a].sceneBoundingRect().center()
    drag(view, start, target)
    assert cards_apart(scene)
    assert doc.nodes[b].position != (400.0, 0.0)  # it moved, beside a
    assert scene.undo_stack.count() == 1
    assert scene.hint.isVisible() and "may not cover" in scene.hint.text


def test_neuron_maps_never_cover_the_next_node(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = xor_doc(weights=True)
    scene, _view = make_canvas(qtbot, doc)
    hidden = [n for n, node in doc.nodes.items() if node.type_id in ("neuron.neuron",
                                                                     "activation")]
    maps = {n: np.linspace(-1, 1, 100 * 100).reshape(100, 100) for n in hidden}
    scene.set_node_thumbnails(maps)
    assert all(scene.node_items[n].thumbnail is not None for n in hidden)
    assert cards_apart(scene)
    # a node with room below grows into it; the crowded column keeps its cards' size
    lone = Document()
    solo = lone.add_node("neuron.neuron", (0, 0))
    scene.set_document(lone)
    scene.set_node_thumbnails({solo: maps[hidden[0]]})
    item = scene.node_items[solo]
    assert not item.thumb_beside and item.thumb_size == 44 and item.height > 90


def test_an_edge_legend_explains_colours_and_widths(qtbot) -> None:  # type: ignore[no-untyped-def]
    scene, view = make_canvas(qtbot, xor_doc(weights=True))
    legend = view.legend
    assert legend.isVisible() and "positive weight" in legend.text() \
        and "thicker" in legend.text()
    assert view.viewport().geometry().contains(legend.geometry())
    edge = next(iter(scene.edge_items))
    scene.set_edge_overlay("gradients", {edge: 0.64})
    assert "gradient" in legend.text()
    layers = Document()
    a = layers.add_node("layer.input")
    b = layers.add_node("layer.dense", (300, 0))
    layers.connect(a, "out", b, "in")
    scene.set_edge_overlay("weights", None)
    scene.set_document(layers)
    assert not legend.isVisible()  # plain shapes need no key


def test_an_input_follows_the_chosen_data(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = window.training_ui.panel
    choose_dataset(panel, "digits")
    qtbot.waitUntil(lambda: window.session.data_signature is not None)
    node = drop_from_palette(window, "layer.input", QPoint(200, 200))
    params = window.project.graph.nodes[node].params
    assert (params["kind"], params["channels"], params["height"], params["width"]) == \
        ("image", 1, 8, 8)
    editors = window.inspector.editors
    assert not editors["features"].isEnabled() and editors["channels"].isEnabled()
    assert "vector" in editors["features"].toolTip()
    steps = window.undo_stack.count()
    choose_dataset(panel, "xor")  # re-attached: the same step refits the Input
    assert window.undo_stack.count() == steps + 1
    params = window.project.graph.nodes[node].params
    assert (params["kind"], params["features"]) == ("vector", 2)
    qtbot.waitUntil(lambda: editors["features"].isEnabled())
    assert not editors["channels"].isEnabled()
    window.session.undo()
    assert window.project.graph.nodes[node].params["kind"] == "image"


def test_a_map_dragged_onto_dense_turns_red_and_offers_flatten(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document()
    inp = doc.add_node("layer.input", (0, 0), {"kind": "image", "channels": 1, "height": 8,
                                               "width": 8})
    conv = doc.add_node("layer.conv2d", (240, 0), {"out_channels": 4})
    pool = doc.add_node("layer.maxpool2d", (480, 0))
    dense = doc.add_node("layer.dense", (720, 0), {"units": 10})
    doc.connect(inp, "out", conv, "in")
    doc.connect(conv, "out", pool, "in")
    scene, view = make_canvas(qtbot, doc)
    view.fit_all()
    start, end = port_pos(scene, pool, "out", True), port_pos(scene, dense, "in", False)
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     vp(view, start))
    QTest.mouseMove(viewport, vp(view, (start + end) / 2))
    QTest.mouseMove(viewport, vp(view, end))
    target = scene.node_items[dense].port("in", False)
    assert target.state == "mismatch"  # red before the drop
    assert "N×4×3×3" in scene.hint.text and "Flatten" in scene.hint.text
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       vp(view, end))
    assert not doc.incoming(dense)  # not wired as it was
    menu = scene.fix_menu
    assert menu is not None
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[:2] == ["Insert Flatten and connect", "Connect anyway"]
    menu.actions()[0].trigger()
    menu.close()
    assert [n.type_id for n in doc.nodes.values()].count("layer.flatten") == 1
    assert not [p for p in validate(doc) if p.node_id == dense and p.severity == "error"
                and p.code != "unreachable"]
    assert scene.undo_stack.count() == 1
    assert scene.undo_stack.undoText() == "Insert Flatten and connect"
    flatten = next(n for n in doc.nodes.values() if n.type_id == "layer.flatten")
    assert doc.incoming(dense)[0].source == PortRef(flatten.id, "out")


def test_one_missing_wire_is_one_problem_with_its_follow_ons(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = window.project.graph
    chain = [doc.add_node("layer.input", (0, 0)), doc.add_node("layer.dense", (240, 0)),
             doc.add_node("activation", (480, 0)), doc.add_node("layer.dense", (720, 0)),
             doc.add_node("layer.output", (960, 0))]
    for a, b in itertools.pairwise(chain[:4]):
        doc.connect(a, "out", b, "in")
    problems = window.problems
    qtbot.waitUntil(lambda: len(problems.problems) == 5)
    assert len(problems.rows()) == 1  # one missing wire: one row …
    assert len(problems.follow_ons(0)) == 4  # … its four consequences folded below
    assert "follow-on" in problems.rows()[0]


def test_fit_all_fits_a_long_row(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = Document()
    ids = [doc.add_node("layer.dense", (220.0 * i, 0.0)) for i in range(9)]
    for a, b in itertools.pairwise(ids):
        doc.connect(a, "out", b, "in")
    scene, view = make_canvas(qtbot, doc)
    view.fit_all()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(seen.contains(scene.node_items[n].sceneBoundingRect()) for n in ids)


def test_palette_search_lists_names_first(window: MainWindow) -> None:
    palette = window.node_palette
    palette.set_filter("input")
    shown = palette.visible_type_ids()
    assert shown[:2] == ["layer.input", "neuron.input_feature"]
    assert set(shown[2:]) >= {"neuron.bias", "layer.dense"}  # descriptions after names
    palette.set_filter("drop")
    assert palette.visible_type_ids()[0] == "layer.dropout"
    palette.set_filter("")
    assert len(palette.visible_type_ids()) == len(palette.type_items())
