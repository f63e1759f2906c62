"""Which connections are allowed, with one sentence for each refusal (``Document.can_connect``).

The rules keep the document consistent at every step (and so every undo possible):
an output feeds only matching inputs, a single input takes one tensor or several scalars,
no cycles, no duplicates. An Activation passes on the kind of its input, so connecting into
one is checked against everything it already feeds.
"""

from __future__ import annotations

from nnstudio.graph.model.document_types import GraphView, PortRef
from nnstudio.graph.model.naming import label_start, node_label
from nnstudio.graph.model.registry import NODE_TYPES, PortSpec
from nnstudio.graph.model.shapes import format_shape, infer_shapes


def input_spec(doc: GraphView, ref: PortRef) -> PortSpec | None:
    node = doc.nodes.get(ref.node_id)
    kind = NODE_TYPES.get(node.type_id) if node is not None else None
    if node is None or kind is None:
        return None
    return next((p for p in kind.input_ports(node.params) if p.name == ref.port), None)


def output_spec(doc: GraphView, ref: PortRef) -> PortSpec | None:
    node = doc.nodes.get(ref.node_id)
    kind = NODE_TYPES.get(node.type_id) if node is not None else None
    if node is None or kind is None:
        return None
    return next((p for p in kind.output_ports(node.params) if p.name == ref.port), None)


def source_kind(doc: GraphView, ref: PortRef) -> str | None:
    """"scalar" or "tensor" for an output port; None while an Activation has no input."""
    seen: set[str] = set()
    while True:
        spec = output_spec(doc, ref)
        if spec is None or ref.node_id in seen:
            return None
        if spec.kind != "any":
            return spec.kind
        seen.add(ref.node_id)
        feeding = doc.incoming(ref.node_id)
        if not feeding:
            return None
        ref = feeding[0].source


def _tensor_text(doc: GraphView, src: PortRef) -> str:

    shape = infer_shapes(doc).get(src)
    return f"a tensor ({format_shape(shape)})" if shape else "a tensor"


def _port_problem(doc: GraphView, src: PortRef, kind: str | None, dst: PortRef,
                  ignore: frozenset[str], depth: int = 0) -> str | None:
    """Why a value of ``kind`` from ``src`` cannot go into ``dst`` (ignoring edges ``ignore``)."""
    spec = input_spec(doc, dst)
    node = doc.nodes[dst.node_id]
    if spec is None:
        return f"{label_start(node)} has no input '{dst.port}'."
    existing = [e for e in doc.incoming(dst.node_id, dst.port) if e.id not in ignore]
    if spec.kind == "scalar":
        if kind == "tensor":
            return (f"A scalar port cannot take {_tensor_text(doc, src)}; put a Split node "
                    f"in between (the input of {node_label(node)} takes single numbers).")
        if existing and not spec.multiple:
            return (f"{label_start(node)} already has an input; it takes exactly one "
                    "scalar connection.")
    elif spec.kind == "tensor" and spec.multiple:
        if kind == "scalar":
            return (f"{label_start(node)} joins tensors, not single scalars; put a Stack node "
                    "in between.")
    elif spec.kind == "tensor":
        kinds = [source_kind(doc, e.source) for e in existing]
        if existing and (kind == "tensor" or "tensor" in kinds):
            title = NODE_TYPES[node.type_id].title
            article = "an" if title[0] in "AEIOU" else "a"
            return (f"{label_start(node)} already has an input; {article} {title} layer takes "
                    "one input tensor (or several scalars to stack).")
    else:  # "any": an Activation, which passes the kind on
        if existing:
            return (f"{label_start(node)} already has an input; an activation takes one input "
                    "(a scalar or a tensor).")
        if kind is not None and depth < 1000:
            for edge in doc.outgoing(dst.node_id):
                problem = _port_problem(doc, src, kind, edge.target,
                                        ignore | {edge.id}, depth + 1)
                if problem is not None:
                    if problem.startswith("A "):
                        problem = "a " + problem[2:]
                    return (f"{label_start(node)} would pass {kind_name(kind)} on, which its "
                            f"connection into {node_label(doc.nodes[edge.target.node_id])} "
                            f"cannot take: {problem}")
    return None


def kind_name(kind: str) -> str:
    return "a tensor" if kind == "tensor" else "a scalar"


def _reaches(doc: GraphView, start: str, goal: str) -> bool:
    """True if following edges forward from node ``start`` arrives at node ``goal``."""
    children: dict[str, list[str]] = {}
    for edge in doc.edges.values():
        children.setdefault(edge.source.node_id, []).append(edge.target.node_id)
    stack, seen = [start], {start}
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        for child in children.get(current, ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return False


def connection_problem(doc: GraphView, src: PortRef, dst: PortRef) -> str | None:
    """None if an edge ``src -> dst`` is allowed, else one sentence why not."""
    for ref in (src, dst):
        if ref.node_id not in doc.nodes:
            return f"There is no node '{ref.node_id}' in this network."
    src_node, dst_node = doc.nodes[src.node_id], doc.nodes[dst.node_id]
    if src.node_id == dst.node_id:
        return f"{label_start(src_node)} cannot connect to itself."
    if output_spec(doc, src) is None:
        if input_spec(doc, src) is not None:
            return (f"'{src.port}' is an input of {node_label(src_node)}; a connection starts "
                    "at an output port.")
        return f"{label_start(src_node)} has no output '{src.port}'."
    if input_spec(doc, dst) is None:
        if output_spec(doc, dst) is not None:
            return (f"Cannot connect an output to an output: '{dst.port}' of "
                    f"{node_label(dst_node)} is an output port.")
        return f"{label_start(dst_node)} has no input '{dst.port}'."
    for edge in doc.edges.values():
        if edge.source == src and edge.target == dst:
            return (f"{label_start(src_node)} is already connected to {node_label(dst_node)} "
                    "there.")
    if _reaches(doc, dst.node_id, src.node_id):
        return (f"That connection would make a cycle: {node_label(dst_node)} already feeds "
                f"{node_label(src_node)}.")
    return _port_problem(doc, src, source_kind(doc, src), dst, frozenset())
