"""In-place editing on double-click, one meaning for every node: its name (its settings
are in the inspector, which the same click shows); an edge's weight. Each commit is one
undo step; a refused value says why below the editor until the editor closes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QGraphicsView, QLineEdit, QWidget

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.edits import Edit, SetEdgeWeight, SetTitle
from nnstudio.ui.canvas.edge_item import EdgeItem
from nnstudio.ui.canvas.node_item import NodeItem
from nnstudio.ui.canvas.protocols import SceneLike


class InlineLineEdit(QLineEdit):
    """Enter commits (a refused value keeps the editor open), Escape or focus loss cancels."""

    def __init__(self, text: str, commit: Callable[[str], bool], parent: QWidget,
                 on_finish: Callable[[], None] | None = None) -> None:
        super().__init__(text, parent)
        self._commit = commit
        self._on_finish = on_finish
        self._finished = False
        self.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._commit(self.text()):
                self.finish()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.finish()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.finish()

    def finish(self) -> None:
        if not self._finished:
            self._finished = True
            self.hide()
            self.deleteLater()
            if self._on_finish is not None:
                self._on_finish()  # e.g. the refusal's hint goes with the editor


def _view(scene: SceneLike) -> QGraphicsView | None:
    views = scene.views()
    return views[0] if views else None


def _place(view: QGraphicsView, widget: QWidget, rect: QRectF) -> None:
    top_left = view.mapFromScene(rect.topLeft())
    bottom_right = view.mapFromScene(rect.bottomRight())
    widget.setGeometry(top_left.x(), top_left.y(), max(bottom_right.x() - top_left.x(), 70),
                       max(bottom_right.y() - top_left.y(), 22))
    widget.show()
    widget.setFocus()


def _committer(scene: SceneLike, make_edit: Callable[[str], Edit],
               at: QPointF) -> Callable[[str], bool]:
    def commit(text: str) -> bool:
        try:
            scene.push_edit(make_edit(text))
        except GraphError as error:
            scene.show_hint(str(error), at)
            return False
        scene.clear_hint()
        return True

    return commit


def edit_node(scene: SceneLike, node: NodeItem) -> QWidget | None:
    """Open the editor of the node's name in its header; returns the editor."""
    view = _view(scene)
    if view is None:
        return None
    doc_node = scene.document.nodes[node.node_id]
    top = node.header_height
    rect = QRectF(node.pos() + QPointF(6, 1), node.pos() + QPointF(node.width - 6, top - 1))
    at = rect.bottomLeft()
    node_id = node.node_id
    editor = InlineLineEdit(doc_node.title, _committer(
        scene, lambda text: SetTitle(node_id, text.strip() or doc_node.title), at),
        view.viewport(), scene.clear_hint)
    editor.setToolTip("Rename (Enter), cancel (Escape); the node's settings are in the "
                      "Inspector")
    scene.inline_editor = editor
    _place(view, editor, rect)
    return editor


def _weight(text: str) -> float | None:
    """Typed weight text -> a number (empty = not initialised); refuses words clearly."""
    if not text.strip():
        return None
    try:
        return float(text.strip())
    except ValueError:
        raise GraphError(f"A weight must be a number; got {text.strip()!r}.") from None


def edit_edge(scene: SceneLike, edge: EdgeItem) -> QWidget | None:
    """Open the weight editor of a connection into a Neuron; other edges show why not."""
    view = _view(scene)
    doc_edge = scene.document.edges[edge.edge_id]
    at = edge.midpoint()
    if scene.document.nodes[doc_edge.target.node_id].type_id != "neuron.neuron":
        scene.show_hint("Only connections into a Neuron carry a weight of their own.", at)
        return None
    if view is None:
        return None
    text = "" if doc_edge.weight is None else f"{doc_edge.weight:.6g}"
    edge_id = edge.edge_id
    editor = InlineLineEdit(text, _committer(
        scene, lambda value: SetEdgeWeight(edge_id, _weight(value)), at), view.viewport(),
        scene.clear_hint)
    editor.setPlaceholderText("weight")
    scene.inline_editor = editor
    _place(view, editor, QRectF(at - QPointF(40, 11), at + QPointF(40, 11)))
    return editor
