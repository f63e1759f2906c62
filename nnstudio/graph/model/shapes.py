"""Shape inference: the shape of every port, without the batch dimension (scalar = ``()``).

A vector is ``(features,)``, an image ``(channels, height, width)`` (NCHW without the N).
Ports whose shape cannot be known (missing input, wrong shape upstream, cycle) are absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nnstudio.graph.model.document_types import Edge, GraphView, Node, PortRef
from nnstudio.graph.model.registry import NODE_TYPES

Shape = tuple[int, ...]

__all__ = ["GraphLayout", "Shape", "conv_output_size", "format_shape", "infer_shapes", "layout"]


def format_shape(shape: Shape) -> str:
    """``(64,)`` -> "N×64", ``(8, 28, 28)`` -> "N×8×28×28", ``()`` -> "N" (a scalar)."""
    return "×".join(["N", *(str(d) for d in shape)])


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int | None:
    """Output size ``floor((W−K+2P)/S)+1`` of a convolution or pool; None if it is below 1."""
    if stride < 1:
        return None
    out = (size - kernel + 2 * padding) // stride + 1
    return out if out >= 1 else None


def pool_stride(params: Mapping[str, Any]) -> int:
    """A pool's effective stride: its ``stride`` setting, or the kernel size when that is 0."""
    stride = int(params.get("stride", 0))
    return stride if stride > 0 else int(params.get("kernel_size", 2))


@dataclass
class GraphLayout:
    """Edges indexed by node and port, a topological order, and the nodes left in cycles."""

    incoming: dict[str, dict[str, list[Edge]]]
    outgoing: dict[str, list[Edge]]
    order: list[str]
    in_cycles: set[str]


def layout(doc: GraphView) -> GraphLayout:
    """Index the edges and sort the nodes so every node comes after the nodes feeding it."""
    incoming: dict[str, dict[str, list[Edge]]] = {node_id: {} for node_id in doc.nodes}
    outgoing: dict[str, list[Edge]] = {node_id: [] for node_id in doc.nodes}
    indegree = dict.fromkeys(doc.nodes, 0)
    for edge in doc.edges.values():
        src, dst = edge.source.node_id, edge.target.node_id
        if src not in doc.nodes or dst not in doc.nodes:
            continue
        incoming[dst].setdefault(edge.target.port, []).append(edge)
        outgoing[src].append(edge)
        indegree[dst] += 1
    ready = [node_id for node_id, count in indegree.items() if count == 0]
    order: list[str] = []
    while ready:
        node_id = ready.pop()
        order.append(node_id)
        for edge in outgoing[node_id]:
            target = edge.target.node_id
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    in_cycles = {node_id for node_id, count in indegree.items() if count > 0}
    return GraphLayout(incoming, outgoing, order, in_cycles)


def port_input_shape(kind: str, multiple: bool, shapes: Sequence[Shape | None]) -> Shape | None:
    """The shape an input port sees from the shapes of its edges' sources.

    A single tensor port fed by k scalars sees ``(k,)`` (automatic stacking).
    """
    if not shapes or any(s is None for s in shapes):
        return None
    known = [s for s in shapes if s is not None]
    if kind == "scalar":
        return () if all(s == () for s in known) else None
    if len(known) == 1 and (kind == "any" or known[0] != ()):
        return known[0]
    if kind == "tensor" and all(s == () for s in known):
        return (len(known),)
    if multiple and all(s == known[0] for s in known):
        return known[0]
    return None


def _same(shape: Shape | None) -> Shape | None:
    return shape if shape is not None and len(shape) >= 1 else None


def _spatial(shape: Shape | None, out_channels: int | None, kernel: int, stride: int,
             padding: int) -> Shape | None:
    if shape is None or len(shape) != 3:
        return None
    height = conv_output_size(shape[1], kernel, stride, padding)
    width = conv_output_size(shape[2], kernel, stride, padding)
    if height is None or width is None:
        return None
    return (shape[0] if out_channels is None else out_channels, height, width)


def _concat(shapes: Sequence[Shape | None]) -> Shape | None:
    if not shapes or any(s is None or len(s) == 0 for s in shapes):
        return None
    known = [s for s in shapes if s is not None]
    first = known[0]
    if any(len(s) != len(first) or s[1:] != first[1:] for s in known):
        return None
    return (sum(s[0] for s in known), *first[1:])


def output_shape(node: Node, in_shape: Shape | None,
                 in_shapes: Sequence[Shape | None]) -> Shape | None:
    """The shape of a node's tensor/any output from what its input port sees."""
    p = node.params
    t = node.type_id
    if t == "layer.input":
        if p.get("kind") == "image":
            return (int(p["channels"]), int(p["height"]), int(p["width"]))
        return (int(p["features"]),)
    if t == "layer.dense":
        return (int(p["units"]),) if in_shape is not None and len(in_shape) == 1 else None
    if t == "layer.conv2d":
        return _spatial(in_shape, int(p["out_channels"]), int(p["kernel_size"]),
                        int(p["stride"]), int(p["padding"]))
    if t in ("layer.maxpool2d", "layer.avgpool2d"):
        if 2 * int(p["padding"]) > int(p["kernel_size"]):
            return None
        return _spatial(in_shape, None, int(p["kernel_size"]), pool_stride(p), int(p["padding"]))
    if t == "layer.flatten":
        return (math.prod(in_shape),) if in_shape is not None and len(in_shape) >= 1 else None
    if t in ("layer.dropout", "layer.softmax"):
        return _same(in_shape)
    if t == "layer.batchnorm":
        return in_shape if in_shape is not None and len(in_shape) in (1, 3) else None
    if t == "layer.add":
        known = [s for s in in_shapes if s is not None]
        if known and len(known) == len(in_shapes) and all(s == known[0] for s in known):
            return _same(known[0])
        return None
    if t == "layer.concatenate":
        return _concat(in_shapes)
    if t == "layer.stack":
        return (len(in_shapes),) if in_shapes and all(s == () for s in in_shapes) else None
    if t == "activation":
        return in_shape
    return None


def infer_shapes(doc: GraphView, graph: GraphLayout | None = None) -> dict[PortRef, Shape]:
    """Shape per output port (and per input port where one shape applies); batch excluded."""
    graph = graph or layout(doc)
    shapes: dict[PortRef, Shape] = {}
    for node_id in graph.order:
        node = doc.nodes[node_id]
        kind = NODE_TYPES.get(node.type_id)
        if kind is None:
            continue
        in_shape: Shape | None = None
        in_shapes: list[Shape | None] = []
        for spec in kind.input_ports(node.params):
            edges = graph.incoming[node_id].get(spec.name, [])
            in_shapes = [shapes.get(e.source) for e in edges]
            in_shape = port_input_shape(spec.kind, spec.multiple, in_shapes)
            if in_shape is not None:
                shapes[PortRef(node_id, spec.name)] = in_shape
        for spec in kind.output_ports(node.params):
            if spec.kind == "scalar":
                shapes[PortRef(node_id, spec.name)] = ()
                continue
            out = output_shape(node, in_shape, in_shapes)
            if out is not None:
                shapes[PortRef(node_id, spec.name)] = out
    return shapes


def learned_shapes(node: Node, in_shape: Shape | None) -> dict[str, Shape]:
    """The learned arrays a layer node holds for input ``in_shape`` (PyTorch's layouts):
    Dense ``weight (units, in)``, ``bias (units,)``; Conv2D ``weight (out, in, k, k)``,
    ``bias (out,)``; BatchNorm ``weight``, ``bias``, ``running_mean``, ``running_var``
    ``(C,)``. Empty for other nodes or an unknown input (Neurons keep theirs on edges)."""
    p = node.params
    t = node.type_id
    if in_shape is None or not in_shape:
        return {}
    if t == "layer.dense" and len(in_shape) == 1:
        units = int(p["units"])
        shapes: dict[str, Shape] = {"weight": (units, in_shape[0])}
        if p.get("use_bias", True):
            shapes["bias"] = (units,)
        return shapes
    if t == "layer.conv2d" and len(in_shape) == 3:
        out, k = int(p["out_channels"]), int(p["kernel_size"])
        shapes = {"weight": (out, in_shape[0], k, k)}
        if p.get("use_bias", True):
            shapes["bias"] = (out,)
        return shapes
    if t == "layer.batchnorm" and len(in_shape) in (1, 3):
        channels = (in_shape[0],)
        return {name: channels for name in ("weight", "bias", "running_mean", "running_var")}
    return {}
