"""CanvasScene: mirrors a Document (one item per node and edge) and changes it only by
pushing undoable Edits. Gestures live in ``interactions``; clipboard text in ``clipboard``.

Items are built and dropped from the document's events. Port shapes and edge labels come
from ``infer_shapes`` and are recomputed once after a batch of events (after every undo
stack step, or on the next event-loop turn for changes made outside the stack), never while
painting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QMenu,
    QWidget,
)

from nnstudio.graph.checks.validation import Problem
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import events as ev
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, Node, PortRef
from nnstudio.graph.model.edits import AddEdge, AddNode, Compound, Edit, RemoveEdge, RemoveNode
from nnstudio.graph.model.registry import node_type
from nnstudio.graph.model.shapes import format_shape, infer_shapes
from nnstudio.ui.canvas import clipboard, interactions, label_layout, overlay, placement, style
from nnstudio.ui.canvas.edge_item import EdgeItem, EdgeLabelItem
from nnstudio.ui.canvas.editing import EditTarget
from nnstudio.ui.canvas.hint_item import HintItem
from nnstudio.ui.canvas.node_actions import NodeActions
from nnstudio.ui.canvas.node_item import NodeItem, heat_map_image
from nnstudio.ui.canvas.port_item import PortItem
from nnstudio.ui.weak import weak_method

_EXTENT = 100_000.0


class CanvasScene(QGraphicsScene):
    """The canvas of one document. ``push_edit`` (through the ``editor``, the session) is
    the only way it changes the document."""

    selection_ids_changed = Signal(list)
    """Selected node ids (list[str], document order) after every selection change."""
    hint_changed = Signal(str)
    """A sentence for the status bar while a gesture explains itself ("" clears)."""
    legend_changed = Signal(str)
    """What edge colours and widths mean now: "weights", "gradients" or "" (plain)."""

    def __init__(self, document: Document, editor: EditTarget,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSceneRect(-_EXTENT / 2, -_EXTENT / 2, _EXTENT, _EXTENT)
        self.setBackgroundBrush(style.BACKGROUND)
        self.editor = editor
        self.document = document
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[str, EdgeItem] = {}
        self.interaction: interactions.Interaction | None = None
        self.add_box: Any = None
        self.fix_menu: Any = None
        """The menu of fixes a wire that did not fit opened last (tests)."""
        self.inline_editor: Any = None
        self.paste_count = 0
        self._problems: dict[str, list[Problem]] = {}
        self._overlay_mode = "weights"
        self.legend_mode = ""
        self._overlay_values: dict[str, float] = {}
        self._thumbnails: dict[str, Any] = {}
        self._shapes: dict[PortRef, tuple[int, ...]] = {}
        self._dirty = False
        self._unsubscribe: Callable[[], None] | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh_now)
        self._labels_timer = QTimer(self)
        self._labels_timer.setSingleShot(True)
        self._labels_timer.setInterval(0)
        self._labels_timer.timeout.connect(self.place_labels_now)
        self.hint = HintItem()
        self.addItem(self.hint)
        self.node_actions = NodeActions()
        """What a node's context menu offers; features add to it."""
        self.node_defaults: Callable[[str], Mapping[str, Any]] | None = None
        """Settings a new node of a type takes beyond its type's defaults (the data's
        shape for an Input, the network-wide penalty for a Dense…); set by the window."""
        # Weak connections: the stack and the document may outlive the scene, and a scene
        # being destroyed emits selectionChanged while its Python side is already gone.
        self.selectionChanged.connect(weak_method(self._emit_selection))
        editor.undo_stack.indexChanged.connect(weak_method(self.refresh_now))
        self.set_document(document)

    @property
    def undo_stack(self) -> QUndoStack:
        """The editor's undo stack (the session's)."""
        return self.editor.undo_stack

    # --- document mirror -------------------------------------------------------------

    def set_document(self, document: Document) -> None:
        """Show ``document`` instead (New/Open): drops all items and builds new ones."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.cancel_interaction()
        self.blockSignals(True)
        for item in [*self.edge_items.values(), *self.node_items.values()]:
            self.removeItem(item)
        self.blockSignals(False)
        self.node_items.clear()
        self.edge_items.clear()
        self._problems.clear()
        self._thumbnails.clear()
        self.document = document
        for node_id in document.nodes:
            self._add_node_item(node_id)
        for edge_id in document.edges:
            self._add_edge_item(edge_id)
        self._unsubscribe = document.subscribe(weak_method(self._on_event, 1))
        self._dirty = True
        self.refresh_now()
        self.selection_ids_changed.emit([])

    def _on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.NodeAdded):
            self._add_node_item(event.node_id)
        elif isinstance(event, ev.NodeRemoved):
            item = self.node_items.pop(event.node_id, None)
            if item is not None:
                for edge in list(item.edges):
                    self._remove_edge_item(edge.edge_id)
                self.removeItem(item)
        elif isinstance(event, ev.NodeMoved):
            item = self.node_items.get(event.node_id)
            if item is not None:
                item.setPos(QPointF(*event.position))
            self.schedule_label_layout()
            return
        elif isinstance(event, ev.EdgeAdded):
            self._add_edge_item(event.edge_id)
        elif isinstance(event, ev.EdgeRemoved):
            self._remove_edge_item(event.edge_id)
        elif isinstance(event, ev.ParamChanged | ev.TitleChanged):
            self._update_node_item(event.node_id)
            if isinstance(event, ev.TitleChanged):
                return
        elif isinstance(event, ev.EdgeWeightChanged):
            self._restyle_edge(event.edge_id)
            self._update_legend()
            return
        elif isinstance(event, ev.ValuesChanged):
            return
        self._mark_dirty()

    def _add_node_item(self, node_id: str) -> None:
        item = NodeItem(self.document.nodes[node_id])
        self.node_items[node_id] = item
        item.set_problems(self._problems.get(node_id, []))
        self.addItem(item)

    def _update_node_item(self, node_id: str) -> None:
        item = self.node_items.get(node_id)
        if item is None:
            return
        item.update_from(self.document.nodes[node_id])
        for edge_item in list(item.edges):  # ports may have changed (e.g. Split size)
            self._attach_edge(edge_item, self.document.edges[edge_item.edge_id])

    def _add_edge_item(self, edge_id: str) -> None:
        edge = self.document.edges[edge_id]
        source = self._port_for(edge.source, True)
        target = self._port_for(edge.target, False)
        item = EdgeItem(edge_id, source, target)
        self.edge_items[edge_id] = item
        self.node_items[edge.source.node_id].edges.add(item)
        self.node_items[edge.target.node_id].edges.add(item)
        self.addItem(item)
        self._restyle_edge(edge_id)

    def _attach_edge(self, item: EdgeItem, edge: Edge) -> None:
        item.source = self._port_for(edge.source, True)
        item.target = self._port_for(edge.target, False)
        item.update_path()

    def _port_for(self, ref: PortRef, is_output: bool) -> PortItem:
        return self.node_items[ref.node_id].port_for(ref.port, is_output)

    def _remove_edge_item(self, edge_id: str) -> None:
        item = self.edge_items.pop(edge_id, None)
        if item is None:
            return
        for node_id in (item.source.node_id, item.target.node_id):
            node_item = self.node_items.get(node_id)
            if node_item is not None:
                node_item.edges.discard(item)
        self.removeItem(item)

    # --- derived looks (shapes, overlays) -------------------------------------------

    def _mark_dirty(self) -> None:
        self._dirty = True
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def refresh_now(self) -> None:
        """Recompute shapes and edge labels if the document changed since the last time."""
        if not self._dirty:
            return
        self._dirty = False
        self._refresh_timer.stop()
        try:
            self._shapes = infer_shapes(self.document)
        except Exception:  # shapes are a display aid; a bad graph must not break the canvas
            self._shapes = {}
        for node_id, item in self.node_items.items():
            texts: dict[tuple[bool, str], str] = {}
            for port in item.all_ports():
                shape = self._shapes.get(PortRef(node_id, port.spec.name))
                texts[(port.is_output, port.spec.name)] = (
                    "?" if shape is None else format_shape(shape))
            item.set_port_shapes(texts)
        for edge_id in self.edge_items:
            self._restyle_edge(edge_id)
        self._update_legend()
        self.place_labels_now()

    def _update_legend(self) -> None:
        values = self._overlay_values
        if self._overlay_mode == "gradients" and values:
            mode = "gradients"
        elif values or any(e.weight is not None for e in self.document.edges.values()):
            mode = "weights"
        else:
            mode = ""
        if mode != self.legend_mode:
            self.legend_mode = mode
            self.legend_changed.emit(mode)

    def schedule_label_layout(self) -> None:
        """Re-place the edge labels on the next event-loop turn (once for many changes)."""
        if not self._labels_timer.isActive():
            self._labels_timer.start()

    def place_labels_now(self) -> None:
        """Slide every edge label along its wire to a spot free of nodes and other labels."""
        self._labels_timer.stop()
        try:
            selected = self.selected_node_ids()
        except RuntimeError:  # the scene is being destroyed
            return
        label_layout.place_edge_labels(self.edge_items.values(), self.node_items.values(),
                                       selected)

    def shape_text(self, ref: PortRef) -> str:
        """The shape of an edge's source as an edge label; "" for scalars and unknowns."""
        shape = self._shapes.get(ref)
        return "" if not shape else format_shape(shape)

    def _restyle_edge(self, edge_id: str) -> None:
        item = self.edge_items.get(edge_id)
        edge = self.document.edges.get(edge_id)
        if item is None or edge is None:
            return
        shape = self.shape_text(edge.source)
        target_type = self.document.nodes[edge.target.node_id].type_id
        weighted = target_type == "neuron.neuron"
        item.weighted = weighted
        values = self._overlay_values
        # live neuron-edge weights from a run win over the document's stored weight
        weight = values.get(edge_id, edge.weight) if self._overlay_mode == "weights" \
            else edge.weight
        if self._overlay_mode == "gradients":
            value = values.get(edge_id, values.get(edge.source.node_id))
            look = overlay.GradientScale(values).look(value, "" if weighted else shape) \
                if values else overlay.plain_look(shape)
        elif weighted:
            look = overlay.weight_look(weight, shape)
        elif edge.source.node_id in values:
            scale = max((abs(v) for v in values.values()), default=1.0)
            look = overlay.layer_weight_look(values[edge.source.node_id], scale, shape)
        else:
            look = overlay.plain_look(shape)
        item.set_look(look.colour, look.width, look.dashed)
        # weights sit near their neuron (the target), shapes halfway
        old = (item.label, item.label_colour)
        item.set_label(look.label, look.label_colour, 0.76 if weighted else 0.5)
        if (item.label, item.label_colour) != old:
            self.schedule_label_layout()
        tip = shape or ("N (one number per sample)" if edge.source in self._shapes
                        else "shape unknown")
        if weighted:
            tip += ("; weight not initialised yet" if weight is None
                    else f"; weight {weight:.6g}")
        item.setToolTip(tip)

    def set_edge_overlay(self, mode: str, values: Mapping[str, float] | None) -> None:
        """mode "weights" (neuron edges by their weight) or "gradients" (values: edge id or
        source node id -> gradient magnitude). In weights mode, values keyed by edge id are
        live neuron-edge weights (they win over Edge.weight) and values keyed by source node
        id (e.g. mean |w| of a layer) colour layer-level edges."""
        if mode not in ("weights", "gradients"):
            raise ValueError(f"unknown edge overlay {mode!r}; use 'weights' or 'gradients'")
        self._overlay_mode = mode
        self._overlay_values = {k: float(v) for k, v in (values or {}).items()
                                if v is not None and math.isfinite(float(v))}
        for edge_id in self.edge_items:
            self._restyle_edge(edge_id)
        self._update_legend()
        self.schedule_label_layout()

    def set_node_thumbnails(self, images: Mapping[str, np.ndarray] | None) -> None:
        """Small heat maps (H, W) in [-1, 1] drawn inside nodes; None clears them all."""
        images = images or {}
        for node_id, item in self.node_items.items():
            array = images.get(node_id)
            room = self.room_below(node_id) if array is not None else 1e9
            item.set_thumbnail(None if array is None else heat_map_image(array), room)
        self.schedule_label_layout()

    def room_below(self, node_id: str) -> float:
        """Free height (scene px) under a card before the next card in its column."""
        item = self.node_items[node_id]
        x, y = item.pos().x(), item.pos().y()
        width, bottom = item.width, y + item.height - (
            item.thumb_size + 6 if item.thumbnail is not None and not item.thumb_beside
            else 0)
        tops = [other.pos().y() for other_id, other in self.node_items.items()
                if other_id != node_id and other.pos().y() > y
                and other.pos().x() < x + width + placement.GAP
                and x < other.pos().x() + other.width + placement.GAP]
        return (min(tops) - bottom - placement.GAP) if tops else 1e9

    def set_problems(self, problems: list[Problem]) -> None:
        """Show an error badge (problems in its tooltip) on every node with a problem."""
        self._problems = {}
        for problem in problems:
            if problem.node_id is not None:
                self._problems.setdefault(problem.node_id, []).append(problem)
        for node_id, item in self.node_items.items():
            item.set_problems(self._problems.get(node_id, []))

    # --- editing -----------------------------------------------------------------------

    def push_edit(self, edit: Edit, text: str | None = None,
                  merge_key: str | None = None) -> None:
        """Push ``edit`` as one undo step. Raises GraphError (nothing changes) if refused
        (also while a run locks the network)."""
        self.editor.push(edit, text, merge_key)
        self.refresh_now()

    def push_edits(self, edits: list[Edit], text: str | None) -> bool:
        """Several edits as one undo step (nothing is pushed for an empty list); a refused
        step (e.g. while training runs) shows its sentence as a hint. True if pushed. A
        single edit is named by the session ("Delete Dense 1") unless ``text`` says else."""
        if not edits:
            return True
        if len(edits) == 1:
            return self.try_edit(edits[0], text)
        return self.try_edit(Compound(tuple(edits), text or ""), text)

    def try_edit(self, edit: Edit, text: str | None = None, at: QPointF | None = None) -> bool:
        """``push_edit`` for gestures: a refused edit shows its sentence as a hint."""
        try:
            self.push_edit(edit, text)
        except GraphError as error:
            self.show_hint(str(error), at)
            return False
        return True

    def new_node(self, type_id: str, pos: QPointF) -> Node:
        """A node of ``type_id`` (default settings, fresh id) centred under ``pos``."""
        kind = node_type(type_id)
        width = style.LAYER_WIDTH if kind.level == "layer" else style.NEURON_WIDTH
        position = (style.snap(pos.x() - width / 2), style.snap(pos.y() - style.HEADER_HEIGHT / 2))
        params = kind.default_params()
        if self.node_defaults is not None:
            params.update(kind.clean_params({**params, **self.node_defaults(type_id)}))
        return Node(self.document.new_node_id(), type_id, self.document.default_title(type_id),
                    position, params, {})

    def node_rects(self, ignore: set[str] | frozenset[str] = frozenset()) -> list[QRectF]:
        """The cards on the canvas (scene coordinates), except those in ``ignore``."""
        return [item.sceneBoundingRect() for node_id, item in self.node_items.items()
                if node_id not in ignore]

    def _clear_spot(self, node: Node, pos: QPointF) -> bool:
        """Move the new ``node`` aside if it would cover another; False (and a hint) when
        there is no room near ``pos``."""
        x, y = node.position
        width, height = estimated_size(node.type_id)
        shift = placement.free_offset([QRectF(x, y, width, height)], self.node_rects())
        if shift is None:
            self.show_hint(placement.NO_ROOM, pos)
            return False
        if not shift.isNull():
            node.position = (x + shift.x(), y + shift.y())
            self.hint_changed.emit(placement.HINT)
        return True

    def add_node_at(self, type_id: str, pos: QPointF) -> str:
        """Add a node of ``type_id`` at ``pos`` (moved aside if it would cover another) as
        one undo step; returns its id ("" when the edit was refused: its sentence shows as
        a hint)."""
        node = self.new_node(type_id, pos)
        if not self._clear_spot(node, pos) or not self.try_edit(AddNode(node), None, pos):
            return ""
        self.select_nodes([node.id])
        return node.id

    def add_connected_node(self, type_id: str, pos: QPointF, port: PortRef, port_is_output: bool,
                           new_port: str) -> str:
        """Add a node and wire ``port`` to its ``new_port`` in one undo step; returns its id."""
        node = self.new_node(type_id, pos)
        if port_is_output:
            source, target = port, PortRef(node.id, new_port)
        else:
            source, target = PortRef(node.id, new_port), port
            node.position = (node.position[0] - node_width(type_id), node.position[1])
        if not self._clear_spot(node, pos):
            return ""
        edge = Edge(self.document.new_edge_id(), source, target, None)
        if not self.try_edit(Compound((AddNode(node), AddEdge(edge)),
                                      f"Add {node.title} and connect"), None, pos):
            return ""
        self.select_nodes([node.id])
        return node.id

    def delete_selection(self) -> None:
        """Delete the selected nodes (with their edges) and selected edges: one undo step."""
        self._delete(self.selected_node_ids(), self.selected_edge_ids(), "Delete")

    def _delete(self, node_ids: list[str], edge_ids: list[str], verb: str) -> None:
        doomed = set(node_ids)
        edits: list[Edit] = [RemoveEdge(e) for e in edge_ids
                             if self.document.edges[e].source.node_id not in doomed
                             and self.document.edges[e].target.node_id not in doomed]
        edits += [RemoveNode(n) for n in node_ids]
        count = len(edits)
        what = "node" if not edge_ids else "item"
        text = None if count == 1 and verb == "Delete" else (
            f"{verb} {count} {what}{'s' if count != 1 else ''}")
        self.push_edits(edits, text)

    def select_all(self) -> None:
        for item in [*self.node_items.values(), *self.edge_items.values()]:
            item.setSelected(True)

    def copy_selection(self) -> None:
        ids = self.selected_node_ids()
        if ids:
            clipboard.put_fragment(self.document.subgraph(ids))
            self.paste_count = 0

    def cut_selection(self) -> None:
        ids = self.selected_node_ids()
        if ids:
            clipboard.put_fragment(self.document.subgraph(ids))
            self.paste_count = 0
            self._delete(ids, [], "Cut")

    def paste(self, at: QPointF | None = None) -> None:
        """Paste the clipboard's nodes (at ``at``, or shifted from where they were copied)."""
        try:
            fragment = clipboard.get_fragment()
        except GraphError as error:
            self.show_hint(str(error), at)
            return
        if fragment is None or not fragment.nodes:
            return
        self.paste_count += 1
        self._paste_fragment(fragment, at, self.paste_count, "Paste")

    def duplicate_selection(self) -> None:
        ids = self.selected_node_ids()
        if ids:
            self._paste_fragment(self.document.subgraph(ids), None, 1, "Duplicate")

    def _paste_fragment(self, fragment: Document, at: QPointF | None, step: int,
                        text: str) -> None:
        if at is None:
            offset = (2 * style.GRID * step, 2 * style.GRID * step)
        else:
            left = min(n.position[0] for n in fragment.nodes.values())
            top = min(n.position[1] for n in fragment.nodes.values())
            offset = (style.snap(at.x()) - left, style.snap(at.y()) - top)
        rects = [QRectF(n.position[0] + offset[0], n.position[1] + offset[1],
                        *estimated_size(n.type_id)) for n in fragment.nodes.values()]
        shift = placement.free_offset(rects, self.node_rects())
        if shift is None:
            self.show_hint(placement.NO_ROOM, at)
            return
        offset = (offset[0] + shift.x(), offset[1] + shift.y())
        edit, new_ids = self.document.paste_edit(fragment, offset)
        assert isinstance(edit, Compound)
        if self.try_edit(Compound(edit.edits, text), None, at):
            self.select_nodes(new_ids)

    # --- selection ---------------------------------------------------------------------

    def selected_node_ids(self) -> list[str]:
        return [n for n, item in self.node_items.items() if item.isSelected()]

    def selected_edge_ids(self) -> list[str]:
        return [e for e, item in self.edge_items.items() if item.isSelected()]

    def select_nodes(self, ids: list[str]) -> None:
        wanted = set(ids)
        self.blockSignals(True)
        for item in self.selectedItems():
            item.setSelected(False)
        for node_id in wanted:
            if node_id in self.node_items:
                self.node_items[node_id].setSelected(True)
        self.blockSignals(False)
        self._emit_selection()

    def _emit_selection(self) -> None:
        try:
            ids = self.selected_node_ids()
        except RuntimeError:  # the C++ scene is being destroyed and deletes its items
            return
        self.schedule_label_layout()  # a selected node's weights show
        self.selection_ids_changed.emit(ids)

    # --- hints, popups -----------------------------------------------------------------

    def show_hint(self, text: str, at: QPointF | None = None) -> None:
        """Show ``text`` near ``at`` (scene coordinates), inside the visible canvas, and on
        ``hint_changed``."""
        self.hint.show_text(text, at)
        views = self.views()
        if views and at is not None:  # a long sentence must not run off the canvas
            view = views[0]
            box = self.hint.boundingRect()
            corner = view.mapFromScene(at)
            room = view.viewport().rect()
            dx = min(room.right() - (corner.x() + box.right()) - 4, 0)
            dy = min(room.bottom() - (corner.y() + box.bottom()) - 4, 0)
            dx = max(dx, -(corner.x() + box.left()) + 4) if dx else 0
            if dx or dy:
                self.hint.setPos(view.mapToScene(corner + QPoint(int(dx), int(dy))))
        self.hint_changed.emit(text)

    def clear_hint(self) -> None:
        if self.hint.isVisible():
            self.hint.hide()
            self.hint_changed.emit("")

    def cancel_interaction(self) -> None:
        if self.interaction is not None:
            self.interaction.cancel()
            self.interaction = None
        self.clear_hint()

    # --- mouse: dispatch to one gesture object at a time -------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.interaction is None:
            self.interaction = interactions.start(self, event)
        if self.interaction is not None:
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.interaction is not None:
            self.interaction.mouse_move(event)
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.interaction is not None:
            gesture, self.interaction = self.interaction, None
            gesture.mouse_release(event)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        interactions.double_click(self, event)
        event.accept()

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        node = self.item_at(event.scenePos(), NodeItem)
        if node is None or self.interaction is not None:
            super().contextMenuEvent(event)
            return
        if not node.isSelected():
            self.select_nodes([node.node_id])
        menu = self.node_menu(node.node_id)
        if menu.actions():
            menu.exec(event.screenPos())
        event.accept()

    def node_menu(self, node_id: str) -> QMenu:
        """The context menu of a node: the node actions that fit it."""
        menu = QMenu()
        node = self.document.nodes.get(node_id)
        for action in self.node_actions.for_node(node) if node is not None else []:
            entry = menu.addAction(action.text)
            entry.setObjectName(action.name)
            entry.setStatusTip(action.tip)
            entry.triggered.connect(lambda _=False, a=action: a.run(node_id))
        return menu

    def item_at(self, pos: QPointF, kind: type[QGraphicsItem]) -> Any:
        """The topmost item of class ``kind`` under ``pos`` (a node for its labels, an edge for
        its label box), or None."""
        for item in self.items(pos):
            if isinstance(item, EdgeLabelItem):
                item = item.edge
            if isinstance(item, kind):
                return item
            parent = item.parentItem()
            if kind is NodeItem and isinstance(parent, NodeItem):
                return parent
        return None


def node_width(type_id: str) -> float:
    return style.LAYER_WIDTH if node_type(type_id).level == "layer" else style.NEURON_WIDTH


def estimated_size(type_id: str) -> tuple[float, float]:
    """Width and height (scene px) a new card of ``type_id`` takes before it is drawn."""
    kind = node_type(type_id)
    rows = max(len(kind.inputs), len(kind.outputs), 1)
    tensor = any(p.kind != "scalar" for p in (*kind.inputs, *kind.outputs))
    height = (style.HEADER_HEIGHT + style.LINE_HEIGHT + 8 + rows * style.PORT_ROW_HEIGHT
              if tensor or rows > 1 else 52.0)
    return node_width(type_id), height
