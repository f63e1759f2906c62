"""Property tests: random edit sequences undone by their inverses give the original back."""

from __future__ import annotations

import contextlib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document, Edge, Node, PortRef
from nnstudio.graph.model.edits import (
    AddEdge,
    AddNode,
    Compound,
    Edit,
    MoveNode,
    RemoveEdge,
    RemoveNode,
    SetEdgeWeight,
    SetParam,
    SetTitle,
    SetValues,
)
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.graph.model.shapes import infer_shapes

TYPE_IDS = sorted(NODE_TYPES)
OPS = ("add", "remove", "connect", "disconnect", "move", "param", "title", "weight", "values",
       "compound")


def _param_value(draw: st.DrawFn, type_id: str) -> tuple[str, object] | None:
    specs = NODE_TYPES[type_id].params
    if not specs:
        return None
    spec = draw(st.sampled_from(specs))
    if spec.kind == "int":
        value: object = draw(st.integers(-1, 12))
    elif spec.kind == "float":
        value = draw(st.floats(-0.5, 1.5, allow_nan=False))
    elif spec.kind == "bool":
        value = draw(st.booleans())
    elif spec.kind == "choice":
        value = draw(st.sampled_from((*spec.choices, "bogus")))
    else:
        value = draw(st.text(max_size=5))
    return spec.name, value


def _random_edit(draw: st.DrawFn, doc: Document) -> Edit:
    op = draw(st.sampled_from(OPS))
    node_ids = list(doc.nodes) or ["n999"]
    edge_ids = list(doc.edges) or ["e999"]
    node_id = draw(st.sampled_from(node_ids))
    if op == "add":
        type_id = draw(st.sampled_from(TYPE_IDS))
        node = Node(doc.new_node_id(), type_id, draw(st.text(max_size=4)),
                    (draw(st.floats(-100, 100)), 0.0), {}, {})
        return AddNode(node, draw(st.none() | st.integers(0, 8)))
    if op == "remove":
        return RemoveNode(node_id)
    if op == "connect":
        sources = [n for n, v in doc.nodes.items()
                   if NODE_TYPES[v.type_id].output_ports(v.params)] or node_ids
        targets = [n for n, v in doc.nodes.items()
                   if NODE_TYPES[v.type_id].input_ports(v.params)] or node_ids
        src = draw(st.sampled_from(sources))
        node_id = draw(st.sampled_from(targets))
        node = doc.nodes.get(src)
        outs = [p.name for p in NODE_TYPES[node.type_id].output_ports(node.params)] if node else []
        dst = doc.nodes.get(node_id)
        ins = [p.name for p in NODE_TYPES[dst.type_id].input_ports(dst.params)] if dst else []
        edge = Edge(doc.new_edge_id(), PortRef(src, draw(st.sampled_from(outs or ["out"]))),
                    PortRef(node_id, draw(st.sampled_from(ins or ["in"]))),
                    draw(st.none() | st.floats(-2, 2)))
        return AddEdge(edge, draw(st.none() | st.integers(0, 8)))
    if op == "disconnect":
        return RemoveEdge(draw(st.sampled_from(edge_ids)))
    if op == "move":
        return MoveNode(node_id, (draw(st.floats(-1e3, 1e3)), draw(st.floats(-1e3, 1e3))))
    if op == "param":
        node = doc.nodes.get(node_id)
        choice = _param_value(draw, node.type_id) if node else None
        return SetParam(node_id, *(choice or ("units", 3)))
    if op == "title":
        return SetTitle(node_id, draw(st.text(max_size=6)))
    if op == "weight":
        weighted = [e for e, v in doc.edges.items()
                    if doc.nodes[v.target.node_id].type_id == "neuron.neuron"]
        edge_id = draw(st.sampled_from(weighted or edge_ids) | st.sampled_from(edge_ids))
        return SetEdgeWeight(edge_id, draw(st.none() | st.floats(-3, 3)))
    if op == "values":
        size = draw(st.integers(0, 3))
        return SetValues(node_id, {"weight": np.arange(size, dtype=np.float32)})
    return Compound((MoveNode(node_id, (1.0, 2.0)), RemoveNode(node_id)), "Move and delete")


@st.composite
def start_documents(draw: st.DrawFn) -> Document:
    return draw(st.sampled_from((Document(), build_chocolate(), build_mlp()[0]))).copy()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start_documents(), st.data())
def test_random_edits_then_inverses_restore_the_document(doc: Document,
                                                         data: st.DataObject) -> None:
    original = doc.copy()
    inverses: list[Edit] = []
    states: list[Document] = []
    for _ in range(data.draw(st.integers(1, 25))):
        edit = _random_edit(data.draw, doc)
        before = doc.copy()
        try:
            inverse = doc.apply(edit)
        except GraphError as error:
            assert str(error).endswith(".")
            assert doc.same_as(before), "a refused edit must change nothing"
            continue
        states.append(before)
        inverses.append(inverse)
    redo: list[Edit] = []
    for inverse, state in zip(reversed(inverses), reversed(states), strict=True):
        redo.append(doc.apply(inverse))
        assert doc.same_as(state)
    assert doc.same_as(original)
    for edit in reversed(redo):  # redoing everything works too
        doc.apply(edit)
    ids = [*doc.nodes, *doc.edges]
    assert len(ids) == len(set(ids))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start_documents(), st.data())
def test_validate_and_infer_shapes_never_raise(doc: Document, data: st.DataObject) -> None:
    from nnstudio.graph.model.signature import DataSignature

    for _ in range(data.draw(st.integers(0, 30))):
        with contextlib.suppress(GraphError):
            doc.apply(_random_edit(data.draw, doc))
    # also break the rules behind the document's back, as a corrupt file might
    if doc.nodes and data.draw(st.booleans()):
        a = data.draw(st.sampled_from(list(doc.nodes)))
        b = data.draw(st.sampled_from(list(doc.nodes)))
        doc.edges["e_raw"] = Edge("e_raw", PortRef(a, "out"), PortRef(b, "in"))
    signature = data.draw(st.sampled_from((
        None, DataSignature((4,), "classification", 3), DataSignature((1, 8, 8), "regression", 2),
        DataSignature((1,), "binary", 1), DataSignature((3,), "multilabel", 2))))
    shapes = infer_shapes(doc)
    assert all(isinstance(s, tuple) for s in shapes.values())
    problems = validate(doc, signature)
    for problem in problems:
        assert problem.message.endswith(".") and "\n" not in problem.message
        assert "could not be checked" not in problem.message
