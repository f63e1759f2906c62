"""nnstudio.graph: the network document (nodes, edges, edits, validation, shapes), no Qt."""

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, Node, PortRef
from nnstudio.graph.model.registry import (
    CATEGORIES,
    NODE_TYPES,
    NodeType,
    ParamSpec,
    PortSpec,
    node_type,
)
from nnstudio.graph.model.signature import DataSignature

__all__ = [
    "CATEGORIES",
    "NODE_TYPES",
    "DataSignature",
    "Document",
    "Edge",
    "GraphError",
    "Node",
    "NodeType",
    "ParamSpec",
    "PortRef",
    "PortSpec",
    "node_type",
]
