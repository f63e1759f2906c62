"""The scene API the main window uses, and the undo commands behind it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, PortRef
from nnstudio.graph.model.edits import AddEdge, SetParam
from nnstudio.ui.canvas import style
from nnstudio.ui.commands import EditCommand
from tests.ui.canvas_helpers import make_canvas, vp


def neuron_doc() -> tuple[Document, str, str, str]:
    doc = Document()
    x = doc.add_node("neuron.input_feature", (0, 0))
    n = doc.add_node("neuron.neuron", (300, 0))
    e = doc.connect(x, "out", n, "in", weight=-2.0)
    return doc, x, n, e


def test_edit_command_undo_redo_and_merge():
    doc = Document()
    node = doc.add_node("layer.dense")
    stack = QUndoStack()
    for units in (9, 10, 11):
        stack.push(EditCommand(doc, SetParam(node, "units", units), merge_key=f"p:{node}"))
    assert stack.count() == 1 and stack.undoText() == "Change units"
    assert doc.nodes[node].params["units"] == 11
    stack.undo()
    assert doc.nodes[node].params["units"] == 8
    stack.redo()
    assert doc.nodes[node].params["units"] == 11


def test_refused_edit_raises_and_leaves_the_stack_alone(qtbot):
    doc, _, n, _ = neuron_doc()
    scene, _ = make_canvas(qtbot, doc)
    before = doc.copy()
    with pytest.raises(GraphError):
        scene.push_edit(AddEdge(Edge("e99", PortRef(n, "out"), PortRef(n, "in"))))
    assert scene.undo_stack.count() == 0 and doc.same_as(before)


def test_add_node_at_and_set_document(qtbot):
    scene, _ = make_canvas(qtbot)
    node_id = scene.add_node_at("layer.dense", QPointF(200, 100))
    assert scene.undo_stack.count() == 1 and node_id in scene.document.nodes
    assert scene.selected_node_ids() == [node_id]
    other, x, n, e = neuron_doc()
    scene.set_document(other)
    assert set(scene.node_items) == {x, n} and set(scene.edge_items) == {e}
    assert scene.undo_stack.count() == 1  # the stack itself is the caller's business
    other.set_param(n, "penalty", "l2")  # a change made outside the stack still shows
    assert scene.node_items[n].summary == "Σ w·x · L2"


def test_weight_overlay_colours_by_sign_and_width_by_size(qtbot):
    doc, _, _, e = neuron_doc()
    scene, _ = make_canvas(qtbot, doc)
    item = scene.edge_items[e]
    assert item.colour == style.WEIGHT_NEGATIVE and item.label == "-2.00"
    wide = item.width
    doc.set_edge_weight(e, 0.1)
    assert item.colour == style.WEIGHT_POSITIVE and item.width < wide
    assert "0.1" in item.toolTip()
    scene.set_edge_overlay("gradients", {e: 1e-3})
    assert "∇ 0.001" in item.label
    scene.set_edge_overlay("weights", None)
    assert item.label == "+0.10"
    with pytest.raises(ValueError):
        scene.set_edge_overlay("colours", None)


def test_problems_badges_and_thumbnails(qtbot):
    doc, x, n, _ = neuron_doc()
    doc.add_node("neuron.output", (600, 0))  # nothing connected: an error on it
    scene, _ = make_canvas(qtbot, doc)
    problems = validate(doc)
    scene.set_problems(problems)
    flagged = {p.node_id for p in problems if p.node_id is not None}
    assert flagged  # nothing leads to an output
    target = sorted(flagged)[0]
    badge = scene.node_items[target].badge
    assert badge.isVisible()
    assert all(p.message in badge.toolTip() for p in problems if p.node_id == target)
    assert all(not scene.node_items[i].badge.isVisible() for i in {x, n} - flagged)
    scene.set_problems([])
    assert not badge.isVisible()
    height = scene.node_items[n].height
    scene.set_node_thumbnails({n: np.linspace(-1, 1, 64).reshape(8, 8)})
    assert scene.node_items[n].thumbnail is not None and scene.node_items[n].height > height
    pixel = scene.node_items[n].thumbnail.pixelColor(7, 7)
    assert pixel.blue() > pixel.red()  # +1 is blue
    scene.set_node_thumbnails(None)
    assert scene.node_items[n].thumbnail is None


def test_wheel_zooms_around_the_cursor_and_fit_all(qtbot):
    doc, x, n, _ = neuron_doc()
    scene, view = make_canvas(qtbot, doc)
    anchor = QPoint(300, 200)
    before = view.mapToScene(anchor)
    QTest.mouseMove(view.viewport(), anchor)
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication
    wheel = QWheelEvent(QPointF(anchor), QPointF(view.viewport().mapToGlobal(anchor)),
                        QPoint(0, 0), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() == pytest.approx(1.15 ** 2)
    after = view.mapToScene(anchor)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2
    view.fit_all()
    assert view.zoom() <= 1.0
    for node_id in (x, n):
        rect = scene.node_items[node_id].sceneBoundingRect()
        assert view.viewport().rect().contains(vp(view, rect.center()))


def test_middle_drag_pans_without_editing(qtbot):
    doc = neuron_doc()[0]
    scene, view = make_canvas(qtbot, doc)
    centre = view.viewport().rect().center()
    before = view.mapToScene(centre)
    QTest.mousePress(view.viewport(), Qt.MouseButton.MiddleButton,
                     Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseMove(view.viewport(), centre + QPoint(100, 50))
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.MiddleButton,
                       Qt.KeyboardModifier.NoModifier, centre + QPoint(100, 50))
    after = view.mapToScene(centre)
    assert after.x() == pytest.approx(before.x() - 100, abs=1)
    assert after.y() == pytest.approx(before.y() - 50, abs=1)
    assert scene.undo_stack.count() == 0


def test_live_weights_colour_neuron_edges_before_the_document_has_them(qtbot):  # type: ignore[no-untyped-def]
    from nnstudio.graph.model.document import Document

    doc = Document()
    x = doc.add_node("neuron.input_feature")
    h = doc.add_node("neuron.neuron", position=(200.0, 0.0))
    edge = doc.connect(x, "out", h, "in")
    scene, _ = make_canvas(qtbot, doc)
    item = scene.edge_items[edge]
    assert doc.edges[edge].weight is None
    assert item.label == ""  # not initialised: no number to show yet
    scene.set_edge_overlay("weights", {edge: -0.75})
    assert "0.75" in item.label
    assert "-0.75" in item.toolTip() or "−0.75" in item.toolTip()
