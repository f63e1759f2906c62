"""Change notifications of a Document (plain Python, no Qt).

A view subscribes with ``Document.subscribe`` and may read ``doc.nodes`` / ``doc.edges``
when it receives an event: the document is already changed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnstudio.graph.model.document_types import PortRef


@dataclass(frozen=True)
class NodeAdded:
    node_id: str


@dataclass(frozen=True)
class NodeRemoved:
    node_id: str


@dataclass(frozen=True)
class NodeMoved:
    node_id: str
    position: tuple[float, float]


@dataclass(frozen=True)
class EdgeAdded:
    edge_id: str


@dataclass(frozen=True)
class EdgeRemoved:
    edge_id: str
    source: PortRef
    target: PortRef


@dataclass(frozen=True)
class ParamChanged:
    node_id: str
    name: str
    value: Any


@dataclass(frozen=True)
class TitleChanged:
    node_id: str
    title: str


@dataclass(frozen=True)
class EdgeWeightChanged:
    edge_id: str
    weight: float | None


@dataclass(frozen=True)
class ValuesChanged:
    node_id: str


Event = (
    NodeAdded | NodeRemoved | NodeMoved | EdgeAdded | EdgeRemoved | ParamChanged | TitleChanged
    | EdgeWeightChanged | ValuesChanged
)
