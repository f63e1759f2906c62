"""Every change to a Document is an Edit; ``Document.apply`` performs it and returns its inverse.

Edits are immutable values, so an undo stack can keep them. ``AddNode``/``AddEdge`` carry an
optional ``index`` (position in ``doc.nodes`` / ``doc.edges``) so that undoing a removal puts
things back exactly where they were; None appends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from nnstudio.graph.model.document_types import Edge, Node


@dataclass(frozen=True, eq=False)
class AddNode:
    node: Node
    index: int | None = None

    @property
    def description(self) -> str:
        return f"Add {self.node.title}"


@dataclass(frozen=True)
class RemoveNode:
    """Removes a node and, first, all its edges."""

    node_id: str

    @property
    def description(self) -> str:
        return "Delete node"


@dataclass(frozen=True)
class MoveNode:
    node_id: str
    position: tuple[float, float]

    @property
    def description(self) -> str:
        return "Move node"


@dataclass(frozen=True, eq=False)
class AddEdge:
    edge: Edge
    index: int | None = None

    @property
    def description(self) -> str:
        return "Connect"


@dataclass(frozen=True)
class RemoveEdge:
    edge_id: str

    @property
    def description(self) -> str:
        return "Disconnect"


@dataclass(frozen=True, eq=False)
class SetParam:
    node_id: str
    name: str
    value: object

    @property
    def description(self) -> str:
        return f"Change {self.name.replace('_', ' ')}"


@dataclass(frozen=True)
class SetTitle:
    node_id: str
    title: str

    @property
    def description(self) -> str:
        return "Rename node"


@dataclass(frozen=True)
class SetEdgeWeight:
    edge_id: str
    weight: float | None

    @property
    def description(self) -> str:
        return "Change weight"


@dataclass(frozen=True, eq=False)
class SetValues:
    """Replaces all learned arrays of a node."""

    node_id: str
    values: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def description(self) -> str:
        return "Set learned values"


@dataclass(frozen=True, eq=False)
class Compound:
    """Several edits as one step: applied in order; its inverse undoes them in reverse."""

    edits: tuple[Edit, ...]
    text: str = ""

    @property
    def description(self) -> str:
        if self.text:
            return self.text
        if len(self.edits) == 1:
            return self.edits[0].description
        return "Several changes"


Edit = (
    AddNode | RemoveNode | MoveNode | AddEdge | RemoveEdge | SetParam | SetTitle | SetEdgeWeight
    | SetValues | Compound
)
