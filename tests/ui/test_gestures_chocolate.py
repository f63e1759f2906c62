"""Acceptance: build chocolate → happiness from an empty canvas by gestures alone, save, reopen.

Nodes come from palette drags (the palette's own drag data dropped on the canvas viewport)
and wires from mouse press/move/release between port positions; nothing touches the
document directly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication
from window_helpers import make_window

from nnstudio.graph.files.project_file import load_project
from nnstudio.ui.main_window import MainWindow

NO_MOD = Qt.KeyboardModifier.NoModifier
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch) -> MainWindow:
    return make_window(qtbot, tmp_path, monkeypatch)


def drop_from_palette(window: MainWindow, type_id: str, at: QPoint) -> str:
    """Drag ``type_id`` out of the palette and drop it at viewport position ``at``."""
    item = window.node_palette.item_for_type(type_id)
    assert item is not None
    mime = window.node_palette.tree.mimeData([item])
    viewport = window.view.viewport()
    before = set(window.project.graph.nodes)
    copy = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(at, copy, mime, LEFT, NO_MOD)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(at, copy, mime, LEFT, NO_MOD)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(QPointF(at), copy, mime, LEFT, NO_MOD))
    added = [n for n in window.project.graph.nodes if n not in before]
    assert len(added) == 1, f"dropping {type_id} added {added}"
    return added[0]


def _mouse(viewport, kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> None:  # type: ignore[no-untyped-def]
    button = LEFT if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, pos, viewport.mapToGlobal(pos), button, buttons, NO_MOD)
    QApplication.sendEvent(viewport, event)


def port_point(window: MainWindow, node_id: str, port: str, is_output: bool) -> QPointF:
    item = window.scene.node_items[node_id].port(port, is_output)
    assert item is not None
    return QPointF(window.view.mapFromScene(item.anchor()))


def wire(window: MainWindow, src: str, dst: str) -> None:
    """Press on ``src``'s output port, move in steps, release on ``dst``'s input port."""
    viewport = window.view.viewport()
    start = port_point(window, src, "out", True)
    end = port_point(window, dst, "in", False)
    _mouse(viewport, QEvent.Type.MouseButtonPress, start, LEFT)
    for t in (0.25, 0.5, 0.75, 1.0):
        _mouse(viewport, QEvent.Type.MouseMove, start + (end - start) * t, LEFT)
    _mouse(viewport, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)


def test_build_chocolate_happiness_by_gestures_save_and_reopen(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = window.project.graph
    assert not doc.nodes and not doc.edges  # an empty canvas
    x = drop_from_palette(window, "neuron.input_feature", QPoint(120, 200))
    b1 = drop_from_palette(window, "neuron.bias", QPoint(120, 360))
    h = drop_from_palette(window, "neuron.neuron", QPoint(330, 260))
    b2 = drop_from_palette(window, "neuron.bias", QPoint(330, 440))
    g = drop_from_palette(window, "neuron.neuron", QPoint(540, 300))
    y = drop_from_palette(window, "neuron.output", QPoint(750, 300))
    qtbot.wait(1)
    for src, dst in ((x, h), (b1, h), (h, g), (b2, g), (g, y)):
        wire(window, src, dst)

    assert [n.type_id for n in doc.nodes.values()] == [
        "neuron.input_feature", "neuron.bias", "neuron.neuron", "neuron.bias",
        "neuron.neuron", "neuron.output"]
    assert [(e.source, e.target) for e in doc.edges.values()] == [
        ((x, "out"), (h, "in")), ((b1, "out"), (h, "in")), ((h, "out"), (g, "in")),
        ((b2, "out"), (g, "in")), ((g, "out"), (y, "in"))]
    assert doc.nodes[y].params["loss"] == "mse"
    assert window.undo_stack.count() == 11  # six drops + five wires, one step each
    qtbot.waitUntil(lambda: window.problems.problems == [])
    assert len(window.scene.edge_items) == 5

    target = tmp_path / "chocolate.nnstudio"
    window.files.ask_save_path = lambda: target  # type: ignore[method-assign]
    window.save_action.trigger()
    assert target.exists() and not window.isWindowModified()

    reopened = make_window(qtbot, tmp_path / "second", monkeypatch)
    assert reopened.files.open_path(target)
    assert reopened.project.graph.same_as(doc)
    assert load_project(target).graph.same_as(doc)
    assert set(reopened.scene.node_items) == set(doc.nodes)
