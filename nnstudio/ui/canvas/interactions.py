"""One small class per mouse gesture on the canvas; the scene forwards mouse events to the
active one. A gesture changes the document only by pushing one Edit when it ends."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSceneMouseEvent, QMenu

from nnstudio.graph.checks.fixes import WireCheck, wire_check
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, PortRef
from nnstudio.graph.model.edits import AddEdge, Edit, MoveNode
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.ui.canvas import add_box, inline_edit, placement, style
from nnstudio.ui.canvas.edge_item import EdgeItem, wire_path
from nnstudio.ui.canvas.node_item import NodeItem
from nnstudio.ui.canvas.port_item import PortItem, PortState
from nnstudio.ui.canvas.protocols import SceneLike

_DRAG_START = 3.0  # scene pixels the mouse must travel before a press becomes a drag
_MULTI = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class Interaction:
    """A gesture in progress: gets the moves and the release of one mouse press."""

    def __init__(self, scene: SceneLike) -> None:
        self.scene = scene

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> None:
        """The mouse moved with the button still down."""

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> None:
        """The button was released: finish (the scene has already forgotten this gesture)."""

    def cancel(self) -> None:
        """Abandon the gesture and undo its visual effects (Escape, document replaced)."""


def start(scene: SceneLike, event: QGraphicsSceneMouseEvent) -> Interaction | None:
    """The gesture a left press starts, or None to let the view rubber-band select."""
    scene.clear_hint()
    if event.button() != Qt.MouseButton.LeftButton:
        return None
    pos = event.scenePos()
    port = scene.item_at(pos, PortItem)
    if port is not None and port not in port.parentItem().ghosts.values():
        return NewWire(scene, port)
    node = scene.item_at(pos, NodeItem)
    if node is not None:
        select_on_press(node, event.modifiers())
        return MoveNodes(scene, node, pos, event.modifiers())
    edge = scene.item_at(pos, EdgeItem)
    if edge is not None:
        select_on_press(edge, event.modifiers())
        return Interaction(scene)  # a click on an edge only selects it
    return None


def select_on_press(item: NodeItem | EdgeItem, modifiers: Qt.KeyboardModifier) -> None:
    """Ctrl toggles, Shift adds, a plain click on an unselected item selects only it."""
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        item.setSelected(not item.isSelected())
    elif modifiers & Qt.KeyboardModifier.ShiftModifier:
        item.setSelected(True)
    elif not item.isSelected():
        scene = item.scene()
        for other in scene.selectedItems():
            other.setSelected(False)
        item.setSelected(True)


class MoveNodes(Interaction):
    """Drag the selected nodes; the pressed one snaps to the grid, the others keep their
    offsets. One MoveNode per moved node, pushed as ONE undo step on release."""

    def __init__(self, scene: SceneLike, anchor: NodeItem, pos: QPointF,
                 modifiers: Qt.KeyboardModifier) -> None:
        super().__init__(scene)
        self.anchor = anchor
        self.press = pos
        self.plain_click = not (modifiers & _MULTI)
        self.items = [scene.node_items[i] for i in scene.selected_node_ids()] \
            if anchor.isSelected() else []
        self.origins = {item.node_id: item.pos() for item in self.items}
        self.moved = False

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> None:
        if not self.items:
            return
        delta = event.scenePos() - self.press
        if not self.moved and delta.manhattanLength() < _DRAG_START:
            return
        self.moved = True
        origin = self.origins[self.anchor.node_id]
        target = origin + delta
        shift = QPointF(style.snap(target.x()), style.snap(target.y())) - origin
        for item in self.items:
            item.setPos(self.origins[item.node_id] + shift)

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.moved and self.items:
            moving = {item.node_id for item in self.items}
            shift = placement.free_offset([item.sceneBoundingRect() for item in self.items],
                                          self.scene.node_rects(moving))
            if shift is None:  # no room there: everything goes back
                self.cancel()
                self.scene.show_hint(placement.NO_ROOM, event.scenePos())
                return
            if not shift.isNull():
                for item in self.items:
                    item.setPos(item.pos() + shift)
                self.scene.show_hint(placement.HINT, event.scenePos())
        edits: list[Edit] = [MoveNode(item.node_id, (item.pos().x(), item.pos().y()))
                             for item in self.items if item.pos() != self.origins[item.node_id]]
        if edits:
            count = len(edits)
            self.scene.push_edits(edits, None if count == 1 else f"Move {count} nodes")
        elif not self.moved and self.plain_click:
            self.scene.select_nodes([self.anchor.node_id])

    def cancel(self) -> None:
        for item in self.items:
            item.setPos(self.origins[item.node_id])


class NewWire(Interaction):
    """Drag a wire out of a port. Ports it may connect to light up green; ports the rules
    refuse grey; ports where the wire would not fit the shapes red (hovering says why,
    releasing there offers the fixes, e.g. "Insert Flatten and connect"). Releasing on
    empty canvas offers compatible new nodes."""

    def __init__(self, scene: SceneLike, port: PortItem) -> None:
        super().__init__(scene)
        self.port = port
        self.checks: dict[PortItem, WireCheck] = {}
        self.wire = QGraphicsPathItem()
        pen = QPen(style.WIRE, 2.0, Qt.PenStyle.DashLine)
        self.wire.setPen(pen)
        self.wire.setZValue(50)
        scene.addItem(self.wire)
        self._light_up(self._visible_rect())

    def _visible_rect(self) -> QRectF | None:
        views = self.scene.views()
        if not views:
            return None
        view = views[0]
        return view.mapToScene(view.viewport().rect()).boundingRect()

    def _light_up(self, rect: QRectF | None) -> None:
        items = self.scene.node_items.values() if rect is None else [
            i for i in self.scene.items(rect) if isinstance(i, NodeItem)]
        for node in items:
            for other in node.all_ports():
                other.set_state(self.state_of(other))

    def check(self, other: PortItem) -> WireCheck:
        """Whether a wire from the dragged port to ``other`` fits (cached)."""
        if other not in self.checks:
            if other is self.port:
                self.checks[other] = WireCheck("A port cannot connect to itself.")
            elif other.is_output == self.port.is_output:
                src, dst = self._ends(other)
                self.checks[other] = WireCheck(self.scene.document.can_connect(src, dst))
            else:
                src, dst = self._ends(other)
                self.checks[other] = wire_check(self.scene.document, src, dst)
        return self.checks[other]

    def verdict(self, other: PortItem) -> str | None:
        """None if a wire from the dragged port to ``other`` fits, else why not."""
        return self.check(other).problem

    def state_of(self, other: PortItem) -> PortState:
        found = self.check(other)
        if found.problem is None:
            return "allowed"
        if found.fixes or self._allowed(other):
            return "mismatch"
        return "forbidden"

    def _allowed(self, other: PortItem) -> bool:
        """The connection rules allow the wire (it may still not fit the shapes)."""
        if other is self.port or other.is_output == self.port.is_output:
            return False
        src, dst = self._ends(other)
        return self.scene.document.can_connect(src, dst) is None

    def _ends(self, other: PortItem) -> tuple[PortRef, PortRef]:
        if self.port.is_output:
            return self.port.port_ref, other.port_ref
        return other.port_ref, self.port.port_ref

    def target_at(self, pos: QPointF) -> PortItem | None:
        """The port under ``pos``; over a node's body, its first port that fits (else
        its first port a fix can make fit, else its first port)."""
        port = self.scene.item_at(pos, PortItem)
        if port is not None:
            return port
        node = self.scene.item_at(pos, NodeItem)
        if node is None or node.node_id == self.port.node_id:
            return None
        side = list((node.inputs if self.port.is_output else node.outputs).values())
        for wanted in ("allowed", "mismatch"):
            for candidate in side:
                if self.state_of(candidate) == wanted:
                    return candidate
        return side[0] if side else None

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        target = self.target_at(pos)
        state = self.state_of(target) if target is not None else None
        end = target.anchor() if target is not None and state != "forbidden" else pos
        start = self.port.anchor()
        self.wire.setPath(wire_path(start, end) if self.port.is_output else wire_path(end, start))
        self.wire.setPen(QPen(style.PORT_MISMATCH if state == "mismatch" else style.WIRE, 2.0,
                              Qt.PenStyle.DashLine))
        reason = self.verdict(target) if target is not None and target is not self.port else None
        if reason is not None:
            if state == "mismatch":
                reason += "  Release here for a fix."
            self.scene.show_hint(reason, pos)
        else:
            self.scene.clear_hint()

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> None:
        self.cancel()
        pos = event.scenePos()
        target = self.target_at(pos)
        if target is not None:
            if target is self.port:
                return
            found = self.check(target)
            src, dst = self._ends(target) if target.is_output != self.port.is_output \
                else (None, None)
            if found.problem is not None:
                self.scene.show_hint(found.problem, pos)
                if src is not None and dst is not None and (
                        found.fixes or self._allowed(target)):
                    open_fix_menu(self.scene, pos, found, src, dst, self._allowed(target))
                return
            assert src is not None and dst is not None
            edge = Edge(self.scene.document.new_edge_id(), src, dst, None)
            self.scene.try_edit(AddEdge(edge), None, pos)
            return
        if self.scene.item_at(pos, NodeItem) is not None or self.scene.item_at(
                pos, EdgeItem) is not None:
            return
        choices = compatible_types(self.scene.document, self.port.port_ref, self.port.is_output)
        port_ref, is_output = self.port.port_ref, self.port.is_output

        def chosen(type_id: str) -> None:
            new_port = dict(choices)[type_id]
            self.scene.add_connected_node(type_id, pos, port_ref, is_output, new_port)

        add_box.open_add_box(self.scene, pos, [t for t, _ in choices], chosen)

    def cancel(self) -> None:
        if self.wire.scene() is not None:
            self.scene.removeItem(self.wire)
        for node in self.scene.node_items.values():
            for other in node.all_ports():
                other.set_state("normal")
        self.scene.clear_hint()


def open_fix_menu(scene: SceneLike, pos: QPointF, found: WireCheck, src: PortRef,
                  dst: PortRef, connect_anyway: bool) -> QMenu | None:
    """A menu at ``pos`` with the fixes for a wire that does not fit ("Insert Flatten and
    connect") and, where the rules allow it, "Connect anyway"; kept as ``scene.fix_menu``."""
    views = scene.views()
    if not views:
        return None
    view = views[0]
    menu = QMenu(view.viewport())
    menu.setObjectName("wire_fix_menu")
    menu.setToolTipsVisible(True)
    for fix in found.fixes:
        action = menu.addAction(fix.text)
        action.setToolTip(found.problem or "")
        action.triggered.connect(
            lambda _=False, f=fix: scene.try_edit(f.build(scene.document), f.text, pos))
    if connect_anyway:
        anyway = menu.addAction("Connect anyway")
        anyway.setToolTip("Make the wire; the Problems list keeps the mismatch")
        anyway.triggered.connect(lambda _=False: scene.try_edit(
            AddEdge(Edge(scene.document.new_edge_id(), src, dst, None)), None, pos))
    menu.addSeparator()
    menu.addAction("Cancel")
    scene.fix_menu = menu
    menu.popup(view.viewport().mapToGlobal(view.mapFromScene(pos)))
    return menu


def compatible_types(document: Document, port: PortRef, is_output: bool) -> list[tuple[str, str]]:
    """(type id, its port) for every node type a new node of which could be wired to
    ``port``, in palette order; decided by ``can_connect`` on a scratch copy."""
    trial = document.copy()
    found: list[tuple[str, str]] = []
    for type_id, kind in NODE_TYPES.items():
        params = kind.default_params()
        ports = kind.input_ports(params) if is_output else kind.output_ports(params)
        if not ports:
            continue
        node_id = trial.add_node(type_id)
        for spec in ports:
            ref = PortRef(node_id, spec.name)
            reason = trial.can_connect(port, ref) if is_output else trial.can_connect(ref, port)
            if reason is None:
                found.append((type_id, spec.name))
                break
        trial.remove_node(node_id)
    return found


def double_click(scene: SceneLike, event: QGraphicsSceneMouseEvent) -> None:
    """Edit a node's main value or an edge's weight in place; on empty canvas, add a node."""
    if event.button() != Qt.MouseButton.LeftButton:
        return
    pos = event.scenePos()
    node = scene.item_at(pos, NodeItem)
    if node is not None:
        inline_edit.edit_node(scene, node)
        return
    edge = scene.item_at(pos, EdgeItem)
    if edge is not None:
        inline_edit.edit_edge(scene, edge)
        return
    add_box.open_add_box(scene, pos, None, lambda type_id: scene.add_node_at(type_id, pos))
