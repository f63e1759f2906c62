"""Shared fixtures' helpers for the canvas tests: a scene+view on a document, and gestures."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.ui.canvas import CanvasScene, CanvasView
from nnstudio.ui.session import Session


def make_canvas(qtbot, document: Document | None = None) -> tuple[CanvasScene, CanvasView]:
    """A scene and view on ``document``, editing it through a session of its own."""
    session = Session(Project(graph=document if document is not None else Document()))
    scene = CanvasScene(session.project.graph, session)
    view = CanvasView(scene)
    view.resize(1000, 700)
    qtbot.addWidget(view, before_close_func=lambda _view: session.close())
    view.show()
    qtbot.waitExposed(view)
    view.centerOn(400, 250)
    scene._test_session = session  # keep the session alive as long as the scene
    return scene, view


def vp(view: CanvasView, scene_pos: QPointF) -> QPoint:
    """Viewport pixel of a scene position."""
    return view.mapFromScene(scene_pos)


def drag(view: CanvasView, start: QPointF, end: QPointF, steps: int = 6,
         modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    viewport = view.viewport()
    a, b = vp(view, start), vp(view, end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(viewport, QPoint(round(p.x()), round(p.y())))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, b)


def port_pos(scene: CanvasScene, node_id: str, port: str, is_output: bool) -> QPointF:
    return scene.node_items[node_id].port(port, is_output).anchor()
