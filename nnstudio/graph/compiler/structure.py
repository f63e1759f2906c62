"""Reading a document's structure: incoming edges, port kinds, topological depth, input shape."""

from __future__ import annotations

from collections import defaultdict, deque

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, PortRef
from nnstudio.graph.model.registry import node_type
from nnstudio.graph.model.signature import DataSignature


class Structure:
    """Indexes of one document, computed once per compile.

    ``order``: node ids in topological order (ties in insertion order);
    ``depth[n]``: 0 for nodes without inputs, else 1 + the largest depth of its sources;
    ``kinds[port]``: "scalar" or "tensor" for every output port.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.incoming: dict[str, list[Edge]] = defaultdict(list)
        for edge in doc.edges.values():
            self.incoming[edge.target.node_id].append(edge)
        self.order = self._topological_order()
        self.depth: dict[str, int] = {}
        self.kinds: dict[PortRef, str] = {}
        for node_id in self.order:
            sources = [e.source.node_id for e in self.incoming[node_id]]
            self.depth[node_id] = 1 + max((self.depth[s] for s in sources), default=-1)
            self._set_kinds(node_id)

    def _topological_order(self) -> list[str]:
        remaining = {n: len(self.incoming[n]) for n in self.doc.nodes}
        outgoing: dict[str, list[str]] = defaultdict(list)
        for edge in self.doc.edges.values():
            outgoing[edge.source.node_id].append(edge.target.node_id)
        ready = deque(n for n in self.doc.nodes if remaining[n] == 0)
        order: list[str] = []
        while ready:
            node_id = ready.popleft()
            order.append(node_id)
            for target in outgoing[node_id]:
                remaining[target] -= 1
                if remaining[target] == 0:
                    ready.append(target)
        if len(order) != len(self.doc.nodes):
            raise GraphError("The network contains a cycle, so it cannot be computed.")
        return order

    def _set_kinds(self, node_id: str) -> None:
        node = self.doc.nodes[node_id]
        for port in node_type(node.type_id).output_ports(node.params):
            kind: str = port.kind
            if kind == "any":
                feeding = self.incoming[node_id]
                kind = self.kinds.get(feeding[0].source, "tensor") if feeding else "tensor"
            self.kinds[PortRef(node_id, port.name)] = kind

    def edges_into(self, node_id: str, port: str) -> list[Edge]:
        """Edges into one input port, in edge order."""
        return [e for e in self.incoming[node_id] if e.target.port == port]

    def input_shape(self, data: DataSignature | None) -> tuple[int, ...]:
        """The shape of one sample without batch: from the data, the Input node or columns."""
        if data is not None:
            return tuple(int(s) for s in data.input_shape)
        for node in self.doc.nodes.values():
            if node.type_id == "layer.input":
                p = node.params
                if p["kind"] == "image":
                    return (int(p["channels"]), int(p["height"]), int(p["width"]))
                return (int(p["features"]),)
        columns = [int(n.params["column"]) for n in self.doc.nodes.values()
                   if n.type_id == "neuron.input_feature"]
        return (max(columns, default=0) + 1,)
