"""The network document: nodes and edges that the canvas edits (plain Python, no Qt).

Every change goes through ``Document.apply(edit)``, which checks the edit first (a refused
edit changes nothing and raises GraphError), performs it, notifies subscribers and returns
the exact inverse edit for the undo stack. Node and edge ids are "n1", "n2"... / "e1"...
from counters kept in the document, so an id is never handed out twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import events as ev
from nnstudio.graph.model.apply_edits import HANDLERS, clean_position
from nnstudio.graph.model.connect_rules import connection_problem
from nnstudio.graph.model.document_types import Edge, Node, PortRef
from nnstudio.graph.model.edits import (
    AddEdge,
    AddNode,
    Compound,
    Edit,
    MoveNode,
    RemoveEdge,
    RemoveNode,
    SetEdgeWeight,
    SetParam,
    SetTitle,
    SetValues,
)
from nnstudio.graph.model.registry import node_type

__all__ = ["Document", "Edge", "Node", "PortRef"]

_ID_RE = re.compile(r"^([ne])(\d+)$")


class Document:
    """A network: ``nodes`` and ``edges`` in insertion order (edge order = stacking order).

    Read ``nodes``/``edges`` freely but change them only through ``apply`` or the
    convenience methods, which all build an Edit and apply it.
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self._next_node = 1
        self._next_edge = 1
        self._subscribers: list[Callable[[ev.Event], None]] = []

    # --- notifications -------------------------------------------------------------------

    def subscribe(self, callback: Callable[[ev.Event], None]) -> Callable[[], None]:
        """Call ``callback(event)`` after every change; returns a function that unsubscribes."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _notify(self, event: ev.Event) -> None:
        for callback in list(self._subscribers):
            callback(event)

    # --- ids -----------------------------------------------------------------------------

    def new_node_id(self) -> str:
        """A node id never used in this document ("n1", "n2", ...)."""
        while f"n{self._next_node}" in self.nodes:
            self._next_node += 1
        self._next_node += 1
        return f"n{self._next_node - 1}"

    def new_edge_id(self) -> str:
        """An edge id never used in this document ("e1", "e2", ...)."""
        while f"e{self._next_edge}" in self.edges:
            self._next_edge += 1
        self._next_edge += 1
        return f"e{self._next_edge - 1}"

    @property
    def id_counters(self) -> tuple[int, int]:
        """The next node and edge numbers (for project files, so ids keep not repeating)."""
        return (self._next_node, self._next_edge)

    def restore_id_counters(self, next_node: int, next_edge: int) -> None:
        """Raise the id counters to at least these numbers (they never go down)."""
        self._next_node = max(self._next_node, int(next_node))
        self._next_edge = max(self._next_edge, int(next_edge))

    def _bump_counter(self, item_id: str) -> None:
        match = _ID_RE.match(item_id)
        if match is None:
            return
        number = int(match.group(2)) + 1
        if match.group(1) == "n":
            self._next_node = max(self._next_node, number)
        else:
            self._next_edge = max(self._next_edge, number)

    # --- queries -------------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        """The node ``node_id``; raises GraphError if there is none."""
        try:
            return self.nodes[node_id]
        except (KeyError, TypeError):
            raise GraphError(f"There is no node '{node_id}' in this network.") from None

    def edge(self, edge_id: str) -> Edge:
        """The edge ``edge_id``; raises GraphError if there is none."""
        try:
            return self.edges[edge_id]
        except (KeyError, TypeError):
            raise GraphError(f"There is no connection '{edge_id}' in this network.") from None

    def incoming(self, node_id: str, port: str | None = None) -> list[Edge]:
        """Edges into ``node_id`` (into ``port`` only, if given), in edge order."""
        return [e for e in self.edges.values()
                if e.target.node_id == node_id and (port is None or e.target.port == port)]

    def outgoing(self, node_id: str, port: str | None = None) -> list[Edge]:
        """Edges out of ``node_id`` (out of ``port`` only, if given), in edge order."""
        return [e for e in self.edges.values()
                if e.source.node_id == node_id and (port is None or e.source.port == port)]

    def can_connect(self, src: PortRef, dst: PortRef) -> str | None:
        """None if an edge src -> dst is allowed, else one sentence saying why not."""
        return connection_problem(self, PortRef(*src), PortRef(*dst))

    def copy(self) -> Document:
        """A deep copy with the same ids and id counters, without subscribers."""
        other = Document()
        other.nodes = {k: n.clone() for k, n in self.nodes.items()}
        other.edges = {k: e.clone() for k, e in self.edges.items()}
        other._next_node, other._next_edge = self._next_node, self._next_edge
        return other

    def same_as(self, other: Document) -> bool:
        """Same nodes and edges: ids, order, types, titles, positions, params, arrays, weights.

        The id counters are not compared (undo does not hand ids back).
        """
        if list(self.nodes) != list(other.nodes) or list(self.edges) != list(other.edges):
            return False
        for key, a in self.nodes.items():
            b = other.nodes[key]
            if (a.type_id, a.title, a.position, a.params) != (b.type_id, b.title, b.position,
                                                               b.params):
                return False
            if a.values.keys() != b.values.keys():
                return False
            for name, array in a.values.items():
                theirs = b.values[name]
                if array.dtype != theirs.dtype or not np.array_equal(array, theirs,
                                                                     equal_nan=True):
                    return False
        for key, e in self.edges.items():
            f = other.edges[key]
            if (e.source, e.target, e.weight) != (f.source, f.target, f.weight):
                return False
        return True

    def subgraph(self, node_ids: Iterable[str]) -> Document:
        """A new document with these nodes (same ids) and the edges among them."""
        wanted = set(node_ids)
        part = Document()
        part.nodes = {k: n.clone() for k, n in self.nodes.items() if k in wanted}
        part.edges = {k: e.clone() for k, e in self.edges.items()
                      if e.source.node_id in wanted and e.target.node_id in wanted}
        part._next_node, part._next_edge = self._next_node, self._next_edge
        return part

    def paste_edit(self, fragment: Document,
                   offset: tuple[float, float]) -> tuple[Edit, list[str]]:
        """An edit adding ``fragment``'s nodes and edges under fresh ids, shifted by ``offset``.

        Returns the Compound edit (not applied yet) and the new node ids in fragment order.
        """
        dx, dy = clean_position(offset)
        mapping: dict[str, str] = {}
        edits: list[Edit] = []
        for old_id, node in fragment.nodes.items():
            new = node.clone()
            new.id = mapping[old_id] = self.new_node_id()
            new.position = (node.position[0] + dx, node.position[1] + dy)
            edits.append(AddNode(new))
        for edge in fragment.edges.values():
            if edge.source.node_id in mapping and edge.target.node_id in mapping:
                edits.append(AddEdge(Edge(
                    self.new_edge_id(),
                    PortRef(mapping[edge.source.node_id], edge.source.port),
                    PortRef(mapping[edge.target.node_id], edge.target.port),
                    edge.weight)))
        return Compound(tuple(edits), "Paste"), list(mapping.values())

    # --- applying edits ------------------------------------------------------------------

    def apply(self, edit: Edit) -> Edit:
        """Check and perform ``edit``, notify subscribers, and return its inverse.

        Raises GraphError with a sentence if the edit is not possible; the document is
        then unchanged (a Compound that fails half-way is rolled back).
        """
        if isinstance(edit, Compound):
            done: list[Edit] = []
            try:
                for part in edit.edits:
                    done.append(self.apply(part))
            except GraphError:
                for inverse in reversed(done):
                    self.apply(inverse)
                raise
            return Compound(tuple(reversed(done)), edit.text)
        handler = HANDLERS.get(type(edit))
        if handler is None:
            raise GraphError(f"{type(edit).__name__} is not a change a network knows.")
        return handler(self, edit)

    # --- conveniences --------------------------------------------------------------------

    def default_title(self, type_id: str) -> str:
        """The type's title plus the smallest number not yet used, e.g. "Neuron 3"."""
        base = node_type(type_id).title
        used = {n.title for n in self.nodes.values()}
        number = 1
        while f"{base} {number}" in used:
            number += 1
        return f"{base} {number}"

    def add_node(self, type_id: str, position: tuple[float, float] = (0.0, 0.0),
                 params: Mapping[str, Any] | None = None, title: str | None = None) -> str:
        """Add a node of ``type_id``; returns its new id."""
        kind = node_type(type_id)
        clean = kind.clean_params(params)
        node_id = self.new_node_id()
        self.apply(AddNode(Node(node_id, type_id, title if title is not None
                                else self.default_title(type_id), position, clean, {})))
        return node_id

    def remove_node(self, node_id: str) -> None:
        self.apply(RemoveNode(node_id))

    def move_node(self, node_id: str, position: tuple[float, float]) -> None:
        self.apply(MoveNode(node_id, position))

    def connect(self, src_node: str, src_port: str, dst_node: str, dst_port: str,
                weight: float | None = None) -> str:
        """Connect two ports; returns the new edge id. Raises GraphError if not allowed."""
        problem = self.can_connect(PortRef(src_node, src_port), PortRef(dst_node, dst_port))
        if problem is not None:
            raise GraphError(problem)
        edge_id = self.new_edge_id()
        self.apply(AddEdge(Edge(edge_id, PortRef(src_node, src_port),
                                PortRef(dst_node, dst_port), weight)))
        return edge_id

    def disconnect(self, edge_id: str) -> None:
        self.apply(RemoveEdge(edge_id))

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        self.apply(SetParam(node_id, name, value))

    def set_title(self, node_id: str, title: str) -> None:
        self.apply(SetTitle(node_id, title))

    def set_edge_weight(self, edge_id: str, weight: float) -> None:
        self.apply(SetEdgeWeight(edge_id, weight))

    def set_values(self, node_id: str, values: Mapping[str, np.ndarray]) -> None:
        self.apply(SetValues(node_id, values))
