"""Undo texts that name what an edit touches: "Change units of Dense 64", "Connect x → h".

An edit is a value without its document, so its own ``description`` can only say what kind
of change it is ("Change units"). ``describe_edit`` reads the node titles and setting
labels from the document the edit is about to be applied to (call it BEFORE applying: a
deleted node has no title afterwards).
"""

from __future__ import annotations

from typing import Any

from nnstudio.graph.model.document_types import GraphView
from nnstudio.graph.model.edits import (
    AddEdge,
    AddNode,
    Compound,
    MoveNode,
    RemoveEdge,
    RemoveNode,
    SetEdgeWeight,
    SetParam,
    SetTitle,
    SetValues,
)
from nnstudio.graph.model.registry import NODE_TYPES

MAX_TITLE = 32
"""Longer titles are shortened with "…" in undo texts (they end up in a menu)."""


def _title(doc: GraphView, node_id: str) -> str:
    node = doc.nodes.get(node_id)
    title = " ".join(node.title.split()) if node is not None else node_id
    return title if len(title) <= MAX_TITLE else title[:MAX_TITLE - 1] + "…"


def _edge(doc: GraphView, edge_id: str) -> str:
    edge = doc.edges.get(edge_id)
    if edge is None:
        return "connection"
    return f"{_title(doc, edge.source.node_id)} → {_title(doc, edge.target.node_id)}"


def param_label(type_id: str, name: str) -> str:
    """The setting's label as the inspector shows it, in lower case ("drop probability")."""
    kind = NODE_TYPES.get(type_id)
    spec = next((s for s in kind.params if s.name == name), None) if kind else None
    label = spec.label if spec is not None else name.replace("_", " ")
    first = label.split(" ")[0]
    if len(first) > 1 and (first[1].isupper() or first[1].isdigit()):
        return label  # "L1 strength" keeps its capital
    return label[:1].lower() + label[1:]


def describe_edit(edit: Any, doc: GraphView) -> str:
    """The undo text of ``edit`` on ``doc`` (a project edit keeps its own description)."""
    if isinstance(edit, AddNode):
        return f"Add {' '.join(edit.node.title.split())}"
    if isinstance(edit, RemoveNode):
        return f"Delete {_title(doc, edit.node_id)}"
    if isinstance(edit, MoveNode):
        return f"Move {_title(doc, edit.node_id)}"
    if isinstance(edit, AddEdge):
        return (f"Connect {_title(doc, edit.edge.source.node_id)} → "
                f"{_title(doc, edit.edge.target.node_id)}")
    if isinstance(edit, RemoveEdge):
        return f"Disconnect {_edge(doc, edit.edge_id)}"
    if isinstance(edit, SetParam):
        node = doc.nodes.get(edit.node_id)
        label = param_label(node.type_id, edit.name) if node is not None else edit.name
        return f"Change {label} of {_title(doc, edit.node_id)}"
    if isinstance(edit, SetTitle):
        return f"Rename {_title(doc, edit.node_id)} to {' '.join(edit.title.split())}"
    if isinstance(edit, SetEdgeWeight):
        return f"Change weight {_edge(doc, edit.edge_id)}"
    if isinstance(edit, SetValues):
        return f"Set learned values of {_title(doc, edit.node_id)}"
    if isinstance(edit, Compound) and not edit.text and len(edit.edits) == 1:
        return describe_edit(edit.edits[0], doc)
    edits = getattr(edit, "edits", None)
    if edits is not None and not getattr(edit, "text", "") and len(edits) == 1:
        return describe_edit(edits[0], doc)
    return str(edit.description)
