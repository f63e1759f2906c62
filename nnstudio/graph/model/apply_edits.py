"""How each primitive edit changes a Document, after checking it, and what undoes it.

``Document.apply`` dispatches here; each function raises GraphError before changing
anything, notifies the subscribers after the change, and returns the inverse edit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import events as ev
from nnstudio.graph.model.document_types import Edge, GraphView, Node, PortRef
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
from nnstudio.graph.model.fields import FLOAT32_MAX, MAX_COORDINATE, MAX_TITLE_CHARS, short
from nnstudio.graph.model.naming import label_start
from nnstudio.graph.model.registry import node_type


class EditableGraph(GraphView, Protocol):
    """What the edit handlers change (a ``Document``): its node and edge dicts, its id
    counters and its subscribers."""

    nodes: dict[str, Node]
    edges: dict[str, Edge]

    def edge(self, edge_id: str) -> Edge: ...

    def can_connect(self, src: PortRef, dst: PortRef) -> str | None: ...

    def _bump_counter(self, item_id: str) -> None: ...

    def _notify(self, event: ev.Event) -> None: ...


def clean_position(position: Any) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in position)
    except (TypeError, ValueError):
        raise GraphError(f"A position must be two numbers (x, y); got {position!r}.") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise GraphError(f"A position must be two finite numbers; got {position!r}.")
    if max(abs(x), abs(y)) > MAX_COORDINATE:
        raise GraphError(f"A position must lie within ±{MAX_COORDINATE:g}; got {position!r}.")
    return (x, y)


def _clean_weight(weight: Any) -> float | None:
    if weight is None:
        return None
    if isinstance(weight, bool):
        raise GraphError(f"A weight must be a number; got {weight!r}.")
    try:
        value = float(weight)
    except (TypeError, ValueError):
        raise GraphError(f"A weight must be a number; got {weight!r}.") from None
    if not math.isfinite(value):
        raise GraphError(f"A weight must be a finite number; got {weight!r}.")
    if abs(value) > FLOAT32_MAX:
        raise GraphError(f"A weight must lie within float32's range (±{FLOAT32_MAX:.3g}); "
                         f"got {short(value)}.")
    return value


def _clean_title(title: Any) -> str:
    if not isinstance(title, str):
        raise GraphError(f"A node title must be text; got {short(title)}.")
    if len(title) > MAX_TITLE_CHARS:
        raise GraphError(f"A node title must be at most {MAX_TITLE_CHARS} characters long; "
                         f"this one has {len(title):,}.")
    return title


def _clean_values(values: Mapping[str, Any]) -> dict[str, np.ndarray]:
    clean: dict[str, np.ndarray] = {}
    for name, array in values.items():
        if not isinstance(name, str):
            raise GraphError(f"Learned values need text names; got {name!r}.")
        clean[name] = np.array(array, copy=True)
    return clean


def _insert(mapping: dict[str, Any], key: str, value: Any, index: int | None) -> dict[str, Any]:
    """``mapping`` with ``key`` inserted at ``index`` (None or past the end: appended)."""
    if index is None or index >= len(mapping):
        mapping[key] = value
        return mapping
    items = list(mapping.items())
    items.insert(max(index, 0), (key, value))
    return dict(items)



def _add_node(doc: EditableGraph, edit: AddNode) -> Edit:
    node = edit.node
    if not isinstance(node, Node):
        raise GraphError("AddNode needs a Node.")
    if not isinstance(node.id, str) or not node.id:
        raise GraphError(f"A node id must be non-empty text; got {node.id!r}.")
    if node.id in doc.nodes:
        raise GraphError(f"There is already a node '{node.id}' in this network.")
    kind = node_type(node.type_id)
    clean = Node(node.id, node.type_id, _clean_title(node.title), clean_position(node.position),
                 kind.clean_params(node.params), _clean_values(node.values))
    doc.nodes = _insert(doc.nodes, clean.id, clean, edit.index)
    doc._bump_counter(clean.id)
    doc._notify(ev.NodeAdded(clean.id))
    return RemoveNode(clean.id)

def _remove_node(doc: EditableGraph, edit: RemoveNode) -> Edit:
    node = doc.node(edit.node_id)
    node_index = list(doc.nodes).index(node.id)
    restore: list[Edit] = [AddNode(node.clone(), node_index)]
    for index, edge in enumerate(list(doc.edges.values())):
        if node.id in (edge.source.node_id, edge.target.node_id):
            restore.append(AddEdge(edge.clone(), index))
    for add_edge in reversed(restore[1:]):
        assert isinstance(add_edge, AddEdge)
        remove_edge(doc, add_edge.edge.id)
    del doc.nodes[node.id]
    doc._notify(ev.NodeRemoved(node.id))
    return Compound(tuple(restore), f"Restore {node.title}")

def _move_node(doc: EditableGraph, edit: MoveNode) -> Edit:
    node = doc.node(edit.node_id)
    position = clean_position(edit.position)
    old = node.position
    node.position = position
    doc._notify(ev.NodeMoved(node.id, position))
    return MoveNode(node.id, old)

def _add_edge(doc: EditableGraph, edit: AddEdge) -> Edit:
    edge = edit.edge
    if not isinstance(edge, Edge):
        raise GraphError("AddEdge needs an Edge.")
    if not isinstance(edge.id, str) or not edge.id:
        raise GraphError(f"A connection id must be non-empty text; got {edge.id!r}.")
    if edge.id in doc.edges:
        raise GraphError(f"There is already a connection '{edge.id}' in this network.")
    src, dst = PortRef(*edge.source), PortRef(*edge.target)
    problem = doc.can_connect(src, dst)
    if problem is not None:
        raise GraphError(problem)
    weighted = doc.nodes[dst.node_id].type_id == "neuron.neuron"
    weight = _clean_weight(edge.weight) if weighted else None
    clean = Edge(edge.id, src, dst, weight)
    doc.edges = _insert(doc.edges, clean.id, clean, edit.index)
    doc._bump_counter(clean.id)
    doc._notify(ev.EdgeAdded(clean.id))
    return RemoveEdge(clean.id)

def remove_edge(doc: EditableGraph, edge_id: str) -> AddEdge:
    edge = doc.edge(edge_id)
    index = list(doc.edges).index(edge_id)
    del doc.edges[edge_id]
    doc._notify(ev.EdgeRemoved(edge_id, edge.source, edge.target))
    return AddEdge(edge.clone(), index)

def _remove_edge(doc: EditableGraph, edit: RemoveEdge) -> Edit:
    return remove_edge(doc, edit.edge_id)

def _set_param(doc: EditableGraph, edit: SetParam) -> Edit:
    node = doc.node(edit.node_id)
    kind = node_type(node.type_id)
    value = kind.param(edit.name).coerce(edit.value)
    if kind.split_param == edit.name:
        kept = {p.name for p in kind.output_ports({**node.params, edit.name: value})}
        cut = sorted({e.source.port for e in doc.outgoing(node.id)} - kept)
        if cut:
            raise GraphError(
                f"{label_start(node)} still has connections on {', '.join(cut)}; "
                f"remove them before setting {kind.param(edit.name).label.lower()} "
                f"to {value}.")
    old = node.params[edit.name]
    node.params[edit.name] = value
    doc._notify(ev.ParamChanged(node.id, edit.name, value))
    return SetParam(node.id, edit.name, old)

def _set_title(doc: EditableGraph, edit: SetTitle) -> Edit:
    node = doc.node(edit.node_id)
    title = _clean_title(edit.title)
    old = node.title
    node.title = title
    doc._notify(ev.TitleChanged(node.id, title))
    return SetTitle(node.id, old)

def _set_edge_weight(doc: EditableGraph, edit: SetEdgeWeight) -> Edit:
    edge = doc.edge(edit.edge_id)
    if doc.nodes[edge.target.node_id].type_id != "neuron.neuron":
        raise GraphError("Only connections into a Neuron carry a weight of their own.")
    weight = _clean_weight(edit.weight)
    old = edge.weight
    edge.weight = weight
    doc._notify(ev.EdgeWeightChanged(edge.id, weight))
    return SetEdgeWeight(edge.id, old)

def _set_values(doc: EditableGraph, edit: SetValues) -> Edit:
    node = doc.node(edit.node_id)
    values = _clean_values(edit.values)
    old = node.values
    node.values = values
    doc._notify(ev.ValuesChanged(node.id))
    return SetValues(node.id, old)


HANDLERS: dict[type, Callable[[EditableGraph, Any], Edit]] = {
    AddNode: _add_node,
    RemoveNode: _remove_node,
    MoveNode: _move_node,
    AddEdge: _add_edge,
    RemoveEdge: _remove_edge,
    SetParam: _set_param,
    SetTitle: _set_title,
    SetEdgeWeight: _set_edge_weight,
    SetValues: _set_values,
}
