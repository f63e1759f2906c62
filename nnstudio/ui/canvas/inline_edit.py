"""In-place editing on double-click: a node's main setting (units, kernel size, function...)
or, without one, its title; an edge's weight. Each commit is one undo step."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QComboBox, QGraphicsView, QLineEdit, QWidget

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.edits import Edit, SetEdgeWeight, SetParam, SetTitle
from nnstudio.ui.canvas import style
from nnstudio.ui.canvas.edge_item import EdgeItem
from nnstudio.ui.canvas.node_item import NodeItem
from nnstudio.ui.canvas.protocols import SceneLike


class InlineLineEdit(QLineEdit):
    """Enter commits (a refused value keeps the editor open), Escape or focus loss cancels."""

    def __init__(self, text: str, commit: Callable[[str], bool], parent: QWidget) -> None:
        super().__init__(text, parent)
        self._commit = commit
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
    """Open the editor for the node's main setting (or its title); returns the editor."""
    view = _view(scene)
    doc_node = scene.document.nodes[node.node_id]
    name = node.kind.main_param
    top = node.header_height
    rect = QRectF(node.pos() + QPointF(6, top),
                  node.pos() + QPointF(node.width - 6, top + style.LINE_HEIGHT + 4))
    if name is None:  # neurons and biases: rename instead
        rect = QRectF(node.pos() + QPointF(6, 1), node.pos() + QPointF(node.width - 6, top - 1))
    at = rect.bottomLeft()
    if view is None:
        return None
    node_id = node.node_id
    if name is None:
        editor: QWidget = InlineLineEdit(doc_node.title, _committer(
            scene, lambda text: SetTitle(node_id, text.strip() or doc_node.title), at),
            view.viewport())
    else:
        spec = node.kind.param(name)
        if spec.kind == "bool":
            scene.try_edit(SetParam(node_id, name, not doc_node.params[name]), None, at)
            return None
        if spec.kind == "choice":
            editor = _choice_editor(scene, node_id, name, list(spec.choices),
                                    str(doc_node.params[name]), view, at)
        else:
            editor = InlineLineEdit(str(doc_node.params[name]), _committer(
                scene, lambda text: SetParam(node_id, name, text), at), view.viewport())
            editor.setToolTip(f"{spec.label}: {spec.help}")
    scene.inline_editor = editor
    _place(view, editor, rect)
    if isinstance(editor, QComboBox):
        editor.showPopup()
    return editor


def _choice_editor(scene: SceneLike, node_id: str, name: str, choices: list[str],
                   current: str, view: QGraphicsView, at: QPointF) -> QComboBox:
    combo = QComboBox(view.viewport())
    combo.addItems(choices)
    combo.setCurrentText(current)

    def chosen(index: int) -> None:
        value = choices[index]
        combo.hide()
        combo.deleteLater()
        if value != current:
            scene.try_edit(SetParam(node_id, name, value), None, at)

    combo.activated.connect(chosen)
    return combo


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
        scene, lambda value: SetEdgeWeight(edge_id, _weight(value)), at), view.viewport())
    editor.setPlaceholderText("weight")
    scene.inline_editor = editor
    _place(view, editor, QRectF(at - QPointF(40, 11), at + QPointF(40, 11)))
    return editor
