"""The records a Document holds: nodes, edges and port references."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np


class PortRef(NamedTuple):
    """One port of one node, e.g. ``PortRef("n3", "out")``."""

    node_id: str
    port: str


@dataclass
class Node:
    """A node on the canvas.

    params: the settings of its type (see the registry); values: learned arrays such as
    ``"weight"`` (out, in) and ``"bias"`` (out,), empty until a trained plan writes them back.
    """

    id: str
    type_id: str
    title: str
    position: tuple[float, float]
    params: dict[str, Any]
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def clone(self) -> Node:
        """A deep copy (arrays copied too)."""
        return Node(self.id, self.type_id, self.title, self.position, dict(self.params),
                    {k: np.array(v, copy=True) for k, v in self.values.items()})


@dataclass
class Edge:
    """A connection from an output port to an input port.

    weight: the trainable weight of a connection into a Neuron (None = not initialised yet);
    always None for other connections.
    """

    id: str
    source: PortRef
    target: PortRef
    weight: float | None = None

    def clone(self) -> Edge:
        return Edge(self.id, PortRef(*self.source), PortRef(*self.target), self.weight)


class GraphView(Protocol):
    """What shape inference, connection rules and checks read of a network: its nodes and
    edges (a ``Document`` is one; they take this instead of importing it)."""

    @property
    def nodes(self) -> Mapping[str, Node]: ...

    @property
    def edges(self) -> Mapping[str, Edge]: ...

    def node(self, node_id: str) -> Node: ...

    def incoming(self, node_id: str, port: str | None = None) -> list[Edge]: ...

    def outgoing(self, node_id: str, port: str | None = None) -> list[Edge]: ...
