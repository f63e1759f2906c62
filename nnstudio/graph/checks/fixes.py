"""One-click fixes for the problems validation knows how to mend, and for wires that do
not fit before they are made.

``problem_fixes(doc, problem, data)`` lists what would fix a Problem (by its ``code``);
``wire_check(doc, src, dst, data)`` says whether a wire the connection rules allow would
still break the network's shapes (e.g. an N×4×3×3 map into a Dense layer) and which
fixes would make it fit ("Insert Flatten and connect"). A ``Fix`` builds its edit on the
document when it is chosen, so its fresh ids are fresh then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nnstudio.graph.checks.problems import Problem
from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import Edge, Node, PortRef
from nnstudio.graph.model.edits import AddEdge, AddNode, Compound, Edit, RemoveEdge, SetParam
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.graph.model.shapes import Shape, infer_shapes
from nnstudio.graph.model.signature import DataSignature

GRID = 20.0
_SUGGESTED_LOSS = {"regression": "mse", "binary": "bce_with_logits",
                   "classification": "cross_entropy", "multilabel": "multilabel"}
WIRE_CODES = ("needs_vector", "needs_image", "split_size", "scalar_gets_tensor",
              "input_shapes")
"""Problems at the target of a new wire that make the wire itself "not fit"."""


@dataclass(frozen=True)
class Fix:
    """``text`` for a button or menu ("Insert Flatten"); ``build(doc)`` the edit (one undo
    step) that performs it on ``doc`` as it is when chosen."""

    text: str
    build: Callable[[Document], Edit]


@dataclass(frozen=True)
class WireCheck:
    """What a wire src → dst would do: ``problem`` (None: it fits) and the ``fixes``."""

    problem: str | None
    fixes: tuple[Fix, ...] = ()


def _snap(value: float) -> float:
    return round(value / GRID) * GRID


def _between(doc: Document, src: str, dst: str) -> tuple[float, float]:
    a, b = doc.nodes[src].position, doc.nodes[dst].position
    return (_snap((a[0] + b[0]) / 2), _snap((a[1] + b[1]) / 2 + 60))


def _insert(type_id: str, src: PortRef, dst: PortRef, replace: str | None,
            params: dict[str, object] | None = None, fan_out: bool = False
            ) -> Callable[[Document], Edit]:
    """An edit putting a new ``type_id`` node between ``src`` and ``dst`` (removing edge
    ``replace`` first). ``fan_out``: every output of the new node (a Split's numbers)
    goes into ``dst``, else its first one."""

    def build(doc: Document) -> Edit:
        kind = NODE_TYPES[type_id]
        clean = kind.clean_params(params)
        node = Node(doc.new_node_id(), type_id, doc.default_title(type_id),
                    _between(doc, src.node_id, dst.node_id), clean, {})
        edits: list[Edit] = [RemoveEdge(replace)] if replace else []
        edits.append(AddNode(node))
        first_in = kind.input_ports(clean)[0].name
        edits.append(AddEdge(Edge(doc.new_edge_id(), src, PortRef(node.id, first_in))))
        outs = kind.output_ports(clean)
        for spec in outs if fan_out else outs[:1]:
            edits.append(AddEdge(Edge(doc.new_edge_id(), PortRef(node.id, spec.name), dst)))
        return Compound(tuple(edits), f"Insert {node.title}")

    return build


def _set(node_id: str, values: dict[str, object], text: str) -> Fix:
    def build(_doc: Document) -> Edit:
        return Compound(tuple(SetParam(node_id, k, v) for k, v in values.items()), text)

    return Fix(text, build)


def _source_of(doc: Document, problem: Problem) -> Edge | None:
    edges = doc.incoming(str(problem.node_id), problem.port or "in")
    return edges[0] if edges else None


def _vector_length(shapes: dict[PortRef, Shape], ref: PortRef) -> int | None:
    shape = shapes.get(ref)
    return shape[0] if shape is not None and len(shape) == 1 else None


def problem_fixes(doc: Document, problem: Problem,
                  data: DataSignature | None = None) -> list[Fix]:
    """The fixes for ``problem`` (empty when none is known)."""
    node = doc.nodes.get(problem.node_id) if problem.node_id else None
    if node is None:
        return []
    code = problem.code
    if code == "needs_vector":
        edge = _source_of(doc, problem)
        if edge is None:
            return []
        return [Fix("Insert Flatten", _insert("layer.flatten", edge.source, edge.target,
                                              edge.id))]
    if code == "scalar_gets_tensor":
        return _split_fixes(doc, node, problem)
    if code == "split_size":
        edge = _source_of(doc, problem)
        size = _vector_length(infer_shapes(doc), edge.source) if edge else None
        return [_set(node.id, {"size": size}, f"Set size to {size}")] if size else []
    if data is None:
        return _penalty_fixes(node, problem)
    shape = tuple(data.input_shape)
    if code == "input_features" or (code == "input_kind" and len(shape) == 1):
        return [_set(node.id, {"kind": "vector", "features": shape[0]},
                     f"Make it a vector of {shape[0]}")]
    if code in ("input_kind", "input_image_shape") and len(shape) == 3:
        c, h, w = shape
        return [_set(node.id, {"kind": "image", "channels": c, "height": h, "width": w},
                     f"Make it an image {c}×{h}×{w}")]
    if code == "loss_kind" and node.type_id == "layer.output":
        loss = _SUGGESTED_LOSS[data.target_kind]
        return [_set(node.id, {"loss": loss}, f"Use {loss}")]
    if code == "output_width":
        edge = _source_of(doc, problem)
        source = doc.nodes.get(edge.source.node_id) if edge else None
        if source is not None and source.type_id == "layer.dense":
            units = data.n_targets
            return [_set(source.id, {"units": units}, f"Set {source.title} to {units} units")]
    return _penalty_fixes(node, problem)


def _split_fixes(doc: Document, node: Node, problem: Problem) -> list[Fix]:
    shapes = infer_shapes(doc)
    spec = NODE_TYPES[node.type_id].input_ports(node.params)[0]
    for edge in doc.incoming(node.id, problem.port or "in"):
        size = _vector_length(shapes, edge.source)
        if size:
            return [Fix("Insert Split", _insert("layer.split", edge.source, edge.target,
                                                edge.id, {"size": size}, spec.multiple))]
    return []


def _penalty_fixes(node: Node, problem: Problem) -> list[Fix]:
    p = node.params
    if problem.code == "penalty_ignored":
        ignored = [n for n in ("l1", "l2") if float(p.get(n, 0.0)) > 0.0]
        choice = "l1_l2" if len(ignored) == 2 else ignored[0] if ignored else None
        if choice is None:
            return []
        return [_set(node.id, {"penalty": choice}, f"Use {choice}"),
                _set(node.id, dict.fromkeys(ignored, 0.0), "Set the strength to 0")]
    if problem.code == "penalty_zero":
        parts = {"l1": ("l1",), "l2": ("l2",), "l1_l2": ("l1", "l2")}.get(
            str(p.get("penalty")), ())
        zero = [n for n in parts if float(p.get(n, 0.0)) <= 0.0]
        return [_set(node.id, dict.fromkeys(zero, 0.001),
                     " and ".join(f"Set {n} to 0.001" for n in zero)),
                _set(node.id, {"penalty": "none"}, "No penalty")] if zero else []
    return []


def _errors_at(doc: Document, node_id: str) -> dict[str, Problem]:
    """Shape errors at ``node_id`` (the data play no part in whether a wire fits)."""
    return {p.message: p for p in validate(doc)
            if p.node_id == node_id and p.severity == "error" and p.code in WIRE_CODES}


def wire_check(doc: Document, src: PortRef, dst: PortRef) -> WireCheck:
    """Whether a wire ``src → dst`` fits. A wire the connection rules refuse gets their
    sentence (and "Insert Split" where a vector meets a neuron); an allowed wire that would
    give ``dst`` a shape error gets that error and its fixes, "… and connect"."""
    reason = doc.can_connect(src, dst)
    if reason is not None:
        size = _vector_length(infer_shapes(doc), src)
        target = doc.nodes.get(dst.node_id)
        if size and target is not None and "Split" in reason:
            spec = NODE_TYPES[target.type_id].input_ports(target.params)[0]
            return WireCheck(reason, (Fix("Insert Split and connect", _insert(
                "layer.split", src, dst, None, {"size": size}, spec.multiple)),))
        return WireCheck(reason)
    trial = doc.copy()
    before = _errors_at(trial, dst.node_id)
    trial.apply(AddEdge(Edge(trial.new_edge_id(), src, dst)))
    after = _errors_at(trial, dst.node_id)
    new = [p for message, p in after.items() if message not in before]
    if not new:
        return WireCheck(None)
    problem = new[0]
    fixes: tuple[Fix, ...] = ()
    if problem.code == "needs_vector":
        fixes = (Fix("Insert Flatten and connect", _insert("layer.flatten", src, dst, None)),)
    return WireCheck(problem.message, fixes)
