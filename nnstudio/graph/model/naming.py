"""How sentences name a node: its type and its title, e.g. ``Dense 'Hidden'``."""

from __future__ import annotations

from nnstudio.graph.model.document_types import Node
from nnstudio.graph.model.registry import NODE_TYPES


def type_title(node: Node) -> str:
    kind = NODE_TYPES.get(node.type_id)
    return kind.title if kind is not None else node.type_id


def node_label(node: Node) -> str:
    """``Dense 'Hidden'``; just ``'Dense 2'`` when the title already starts with the type."""
    base = type_title(node)
    title = node.title.strip()
    if not title:
        return f"{base} '{node.id}'"
    if title.lower().startswith(base.lower()):
        return f"'{title}'"
    return f"{base} '{title}'"


def label_start(node: Node) -> str:
    """Like node_label, but with a capital first letter for the start of a sentence."""
    label = node_label(node)
    return label if not label.startswith("'") else label[0] + label[1:2].upper() + label[2:]
