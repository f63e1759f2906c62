"""Real mouse/keyboard gestures on the canvas; assert on the document and undo stack first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import PortRef
from nnstudio.ui.canvas import NODE_TYPE_MIME
from nnstudio.ui.canvas.edge_item import EdgeItem
from nnstudio.ui.canvas.style import GRID
from tests.ui.canvas_helpers import drag, make_canvas, port_pos, vp


def two_dense() -> tuple[Document, str, str]:
    doc = Document()
    a = doc.add_node("layer.dense", (100, 100))
    b = doc.add_node("layer.dense", (500, 140))
    return doc, a, b


def test_drop_from_palette_adds_one_node(qtbot):
    scene, view = make_canvas(qtbot)
    mime = QMimeData()
    mime.setData(NODE_TYPE_MIME, b"layer.conv2d")
    where = vp(view, QPointF(300, 200))
    enter = QDragEnterEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(where), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    nodes = list(scene.document.nodes.values())
    assert [n.type_id for n in nodes] == ["layer.conv2d"]
    assert scene.undo_stack.count() == 1
    x, y = nodes[0].position
    assert x % GRID == 0 and y % GRID == 0
    assert abs(x + 90 - 300) <= GRID and abs(y - 200) <= GRID  # centred under the drop point
    assert set(scene.node_items) == {nodes[0].id}
    assert scene.selected_node_ids() == [nodes[0].id]


def test_unknown_mime_is_refused(qtbot):
    _, view = make_canvas(qtbot)
    mime = QMimeData()
    mime.setData(NODE_TYPE_MIME, b"layer.nonsense")
    enter = QDragEnterEvent(vp(view, QPointF(0, 0)), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert not enter.isAccepted()


def test_wire_two_ports_then_undo_redo(qtbot):
    doc, a, b = two_dense()
    source = doc.add_node("layer.input", (-200, 100))
    doc.connect(source, "out", a, "in")
    scene, view = make_canvas(qtbot, doc)
    before = doc.copy()
    drag(view, port_pos(scene, a, "out", True), port_pos(scene, b, "in", False))
    edges = list(doc.edges.values())[1:]
    assert len(edges) == 1
    assert (edges[0].source, edges[0].target) == (PortRef(a, "out"), PortRef(b, "in"))
    assert scene.undo_stack.count() == 1
    assert scene.undo_stack.undoText() == "Connect Dense 1 → Dense 2"
    assert set(scene.edge_items) == set(doc.edges)
    label = scene.edge_items[edges[0].id].label
    assert label == "N×8"  # the shape of a Dense 8 output
    scene.undo_stack.undo()
    assert doc.same_as(before) and set(scene.edge_items) == set(before.edges)
    scene.undo_stack.redo()
    assert len(doc.edges) == 2 and len(scene.edge_items) == 2


def test_dragging_a_wire_highlights_and_explains(qtbot):
    doc, a, b = two_dense()
    doc.add_node("layer.input", (100, 400))
    scene, view = make_canvas(qtbot, doc)
    viewport = view.viewport()
    start = port_pos(scene, a, "out", True)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     vp(view, start))
    QTest.mouseMove(viewport, vp(view, start + QPointF(60, 40)))
    assert scene.node_items[b].inputs["in"].state == "allowed"
    assert scene.node_items[a].inputs["in"].state == "forbidden"  # same node
    own_input = port_pos(scene, a, "in", False)
    QTest.mouseMove(viewport, vp(view, own_input))
    reason = doc.can_connect(PortRef(a, "out"), PortRef(a, "in"))
    assert reason
    assert scene.hint.isVisible() and scene.hint.text == reason
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       vp(view, own_input))
    assert not doc.edges and scene.undo_stack.count() == 0
    assert scene.node_items[b].inputs["in"].state == "normal"


def test_wire_dropped_on_empty_canvas_adds_a_connected_node(qtbot):
    doc, a, _ = two_dense()
    scene, view = make_canvas(qtbot, doc)
    drag(view, port_pos(scene, a, "out", True), QPointF(380, 420))
    box = scene.add_box
    assert box is not None and box.isVisible()
    listed = box.visible_type_ids()
    assert "layer.dropout" in listed and "neuron.neuron" not in listed  # tensor -> scalar no
    assert "layer.input" not in listed  # no input port at all
    QTest.keyClicks(box.line_edit, "dropout")
    assert box.visible_type_ids() == ["layer.dropout"]
    QTest.keyClick(box.line_edit, Qt.Key.Key_Return)
    new = [n for n in doc.nodes.values() if n.type_id == "layer.dropout"]
    assert len(new) == 1
    (edge,) = doc.edges.values()
    assert edge.source == PortRef(a, "out") and edge.target == PortRef(new[0].id, "in")
    assert scene.undo_stack.count() == 1  # add + connect is one step
    scene.undo_stack.undo()
    assert len(doc.nodes) == 2 and not doc.edges


def test_rubber_band_selects_and_ctrl_click_toggles(qtbot):
    doc, a, b = two_dense()
    c = doc.add_node("activation", (100, 400))
    scene, view = make_canvas(qtbot, doc)
    selections: list[list[str]] = []
    scene.selection_ids_changed.connect(selections.append)
    drag(view, QPointF(60, 60), QPointF(700, 260), steps=8)
    assert scene.selected_node_ids() == [a, b]
    assert selections and selections[-1] == [a, b]
    node_c = scene.node_items[c].sceneBoundingRect().center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, vp(view, node_c))
    assert scene.selected_node_ids() == [a, b, c]
    node_a = scene.node_items[a].sceneBoundingRect().center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, vp(view, node_a))
    assert scene.selected_node_ids() == [b, c]
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, vp(view, QPointF(900, 600)))
    assert scene.selected_node_ids() == []
    assert doc.nodes and scene.undo_stack.count() == 0


def test_delete_key_removes_selection_in_one_step(qtbot):
    doc, a, b = two_dense()
    doc.connect(a, "out", b, "in")
    c = doc.add_node("activation", (100, 400))
    scene, view = make_canvas(qtbot, doc)
    before = doc.copy()
    scene.select_nodes([a, c])
    QTest.keyClick(view.viewport(), Qt.Key.Key_Delete)
    assert list(doc.nodes) == [b] and not doc.edges
    assert scene.undo_stack.count() == 1
    assert set(scene.node_items) == {b} and not scene.edge_items
    scene.undo_stack.undo()
    assert doc.same_as(before)
    assert set(scene.node_items) == {a, b, c} and len(scene.edge_items) == 1


def test_delete_a_selected_edge(qtbot):
    doc, a, b = two_dense()
    edge_id = doc.connect(a, "out", b, "in")
    scene, view = make_canvas(qtbot, doc)
    middle = scene.edge_items[edge_id].midpoint()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, vp(view, middle))
    assert scene.selected_edge_ids() == [edge_id]
    QTest.keyClick(view.viewport(), Qt.Key.Key_Delete)
    assert not doc.edges and len(doc.nodes) == 2
    assert scene.undo_stack.undoText() == "Disconnect Dense 1 → Dense 2"


def test_copy_paste_with_keyboard_goes_through_the_clipboard(qtbot):
    doc, a, b = two_dense()
    doc.connect(a, "out", b, "in")
    scene, view = make_canvas(qtbot, doc)
    scene.select_nodes([a, b])
    QTest.keyClick(view.viewport(), Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    mime = QApplication.clipboard().mimeData()
    assert mime.hasFormat("application/x-nnstudio-fragment") and "layer.dense" in mime.text()
    QTest.keyClick(view.viewport(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.nodes) == 4 and len(doc.edges) == 2
    assert scene.undo_stack.count() == 1 and scene.undo_stack.undoText() == "Paste"
    new = scene.selected_node_ids()
    assert len(new) == 2 and not set(new) & {a, b}
    shifted = doc.nodes[new[0]].position
    assert shifted[0] == doc.nodes[a].position[0] + 2 * GRID  # shifted, and moved aside
    assert (shifted[1] - doc.nodes[a].position[1]) % GRID == 0  # so nothing is covered
    cards = {n: scene.node_items[n].sceneBoundingRect() for n in doc.nodes}
    assert not any(cards[n].intersects(cards[m]) for n in new for m in (a, b))
    # a second scene (another window) pastes the same clipboard
    other, _ = make_canvas(qtbot)
    other.paste(QPointF(0, 0))
    assert len(other.document.nodes) == 2 and len(other.document.edges) == 1
    scene.undo_stack.undo()
    assert list(doc.nodes) == [a, b]


def test_cut_and_duplicate_are_one_step_each(qtbot):
    doc, a, b = two_dense()
    doc.connect(a, "out", b, "in")
    scene, view = make_canvas(qtbot, doc)
    scene.select_nodes([a, b])
    scene.duplicate_selection()
    assert len(doc.nodes) == 4 and len(doc.edges) == 2 and scene.undo_stack.count() == 1
    scene.select_nodes([a])
    QTest.keyClick(view.viewport(), Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert a not in doc.nodes and len(doc.edges) == 1
    assert scene.undo_stack.count() == 2 and scene.undo_stack.undoText().startswith("Cut")
    scene.paste(QPointF(0, 0))
    assert [n.position for n in doc.nodes.values()][-1] == (0.0, 0.0)


def test_tab_opens_search_to_add(qtbot):
    scene, view = make_canvas(qtbot)
    target = vp(view, QPointF(300, 300))
    QTest.mouseMove(view.viewport(), target)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    box = scene.add_box
    assert box is not None and box.isVisible()
    QTest.keyClicks(box.line_edit, "conv")
    QTest.keyClick(box.line_edit, Qt.Key.Key_Return)
    (node,) = doc_nodes = list(scene.document.nodes.values())
    assert node.type_id == "layer.conv2d" and len(doc_nodes) == 1
    assert abs(node.position[0] + 90 - 300) <= GRID and abs(node.position[1] - 300) <= GRID
    assert scene.undo_stack.count() == 1


def test_double_click_on_empty_canvas_opens_add_box(qtbot):
    scene, view = make_canvas(qtbot)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, vp(view, QPointF(200, 200)))
    assert scene.add_box is not None and scene.add_box.isVisible()
    QTest.keyClick(scene.add_box.line_edit, Qt.Key.Key_Escape)
    assert not scene.document.nodes


def test_drag_moves_with_grid_snap_as_one_step(qtbot):
    doc, a, b = two_dense()
    scene, view = make_canvas(qtbot, doc)
    scene.select_nodes([a, b])
    grab = scene.node_items[a].pos() + QPointF(60, 10)
    drag(view, grab, grab + QPointF(33, 47), steps=10)
    xa, ya = doc.nodes[a].position
    assert (xa, ya) == (140.0, 140.0)  # 100+33 -> 140, 100+47 -> 140 (grid 20)
    assert doc.nodes[b].position == (540.0, 180.0)  # moved by the same snapped amount
    assert scene.undo_stack.count() == 1 and scene.undo_stack.undoText() == "Move 2 nodes"
    assert scene.node_items[a].pos() == QPointF(140, 140)
    scene.undo_stack.undo()
    assert doc.nodes[a].position == (100.0, 100.0) and scene.node_items[a].pos() == QPointF(
        100, 100)


@pytest.mark.parametrize("type_id", ["layer.dense", "neuron.neuron",
                                     "neuron.input_feature", "activation"])
def test_double_click_renames_every_kind_of_node(qtbot, type_id):
    """Issue 13, item 8: double-click means one thing on every node (its name); the
    settings, e.g. an Input feature's column, are in the inspector."""
    doc = Document()
    node = doc.add_node(type_id, (0, 0), title="before")
    params = dict(doc.nodes[node].params)
    scene, view = make_canvas(qtbot, doc)
    centre = scene.node_items[node].sceneBoundingRect().center()
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, vp(view, centre))
    editor = scene.inline_editor
    assert editor is not None and editor.text() == "before"
    editor.setText("after")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert doc.nodes[node].title == "after" and doc.nodes[node].params == params
    assert scene.undo_stack.undoText() == "Rename before to after"


def test_a_refused_weight_says_why_until_escape(qtbot):
    doc = Document()
    x = doc.add_node("neuron.input_feature", (0, 0))
    n = doc.add_node("neuron.neuron", (400, 100))
    edge_id = doc.connect(x, "out", n, "in", weight=0.5)
    scene, view = make_canvas(qtbot, doc)
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier,
                      vp(view, scene.edge_items[edge_id].midpoint()))
    editor = scene.inline_editor
    editor.setText("a lot")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert scene.hint.isVisible() and "must be a number" in scene.hint.text
    hint = scene.hint.mapRectToScene(scene.hint.boundingRect())
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert seen.contains(hint.topLeft()) and hint.right() <= seen.right() + 1
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert not scene.hint.isVisible() and doc.edges[edge_id].weight == 0.5


def test_double_click_edits_an_edge_weight(qtbot):
    doc = Document()
    x = doc.add_node("neuron.input_feature", (0, 0))
    n = doc.add_node("neuron.neuron", (400, 100))
    edge_id = doc.connect(x, "out", n, "in", weight=0.5)
    scene, view = make_canvas(qtbot, doc)
    item: EdgeItem = scene.edge_items[edge_id]
    assert item.label == "+0.50" and item.colour == item.colour  # blue for positive
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, vp(view, item.midpoint()))
    editor = scene.inline_editor
    assert editor.text() == "0.5"
    editor.setText("-1.25")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert doc.edges[edge_id].weight == -1.25
    assert scene.undo_stack.count() == 1 and item.label == "-1.25"
    scene.undo_stack.undo()
    assert doc.edges[edge_id].weight == 0.5 and item.label == "+0.50"
