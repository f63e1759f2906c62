"""Document.can_connect: which connections are allowed, and the sentence when not."""

from __future__ import annotations

import pytest
from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document, PortRef


def _doc_with(*specs: tuple[str, str, dict]) -> tuple[Document, list[str]]:  # type: ignore[type-arg]
    doc = Document()
    ids = [doc.add_node(t, params=p, title=title) for t, title, p in specs]
    return doc, ids


def test_allowed_connections_return_none() -> None:
    doc, ids = build_mlp()
    n = doc.add_node("neuron.neuron")
    split = doc.add_node("layer.split", params={"size": 3})
    doc.connect(ids["logits"], "out", split, "in")
    assert doc.can_connect(PortRef(split, "out1"), PortRef(n, "in")) is None


def test_several_scalars_stack_into_a_single_tensor_port() -> None:
    doc, (h1, h2, h3, dense) = _doc_with(("neuron.neuron", "h1", {}), ("neuron.neuron", "h2", {}),
                                         ("neuron.neuron", "h3", {}),
                                         ("layer.dense", "Hidden", {}))
    for h in (h1, h2, h3):
        doc.connect(h, "out", dense, "in")
    assert len(doc.incoming(dense, "in")) == 3
    inp = doc.add_node("layer.input")
    assert doc.can_connect(PortRef(inp, "out"), PortRef(dense, "in")) == (
        "Dense 'Hidden' already has an input; a Dense layer takes one input tensor "
        "(or several scalars to stack).")


def test_second_tensor_into_a_dense_is_refused() -> None:
    doc, ids = build_mlp()
    other = doc.add_node("layer.input", title="x2")
    assert doc.can_connect(PortRef(other, "out"), PortRef(ids["hidden"], "in")) == (
        "Dense 'Hidden' already has an input; a Dense layer takes one input tensor "
        "(or several scalars to stack).")
    with pytest.raises(GraphError, match="already has an input"):
        doc.connect(other, "out", ids["hidden"], "in")


def test_cycle_sentence_names_both_neurons() -> None:
    doc, (h, g) = _doc_with(("neuron.neuron", "h", {}), ("neuron.neuron", "g", {}))
    doc.connect(h, "out", g, "in")
    assert doc.can_connect(PortRef(g, "out"), PortRef(h, "in")) == (
        "That connection would make a cycle: Neuron 'h' already feeds Neuron 'g'.")


def test_longer_cycle_is_refused() -> None:
    doc = build_chocolate()
    assert doc.can_connect(PortRef("n5", "out"), PortRef("n3", "in")) == (
        "That connection would make a cycle: Neuron 'h' already feeds Neuron 'g'.")


def test_tensor_into_scalar_port_names_the_shape() -> None:
    doc, ids = build_mlp(hidden=64)
    n = doc.add_node("neuron.neuron", title="single")
    message = doc.can_connect(PortRef(ids["hidden"], "out"), PortRef(n, "in"))
    assert message is not None
    assert message.startswith("A scalar port cannot take a tensor (N×64); put a Split node in "
                              "between")
    assert "Neuron 'single'" in message


def test_self_output_to_output_and_missing_ports() -> None:
    doc = build_chocolate()
    assert doc.can_connect(PortRef("n3", "out"), PortRef("n3", "in")) == (
        "Neuron 'h' cannot connect to itself.")
    assert doc.can_connect(PortRef("n3", "out"), PortRef("n5", "out")) == (
        "Cannot connect an output to an output: 'out' of Neuron 'g' is an output port.")
    assert doc.can_connect(PortRef("n3", "nope"), PortRef("n5", "in")) == (
        "Neuron 'h' has no output 'nope'.")
    assert doc.can_connect(PortRef("n3", "out"), PortRef("n5", "x")) == (
        "Neuron 'g' has no input 'x'.")
    assert doc.can_connect(PortRef("n42", "out"), PortRef("n5", "in")) == (
        "There is no node 'n42' in this network.")


def test_duplicate_edge_and_second_output_source() -> None:
    doc = build_chocolate()
    assert doc.can_connect(PortRef("n1", "out"), PortRef("n3", "in")) == (
        "Input feature 'chocolate' is already connected to Neuron 'h' there.")
    assert doc.can_connect(PortRef("n3", "out"), PortRef("n6", "in")) == (
        "Scalar output 'happiness' already has an input; it takes exactly one scalar "
        "connection.")


def test_scalar_into_add_needs_a_stack() -> None:
    doc, (n, add) = _doc_with(("neuron.neuron", "h", {}), ("layer.add", "sum", {}))
    assert doc.can_connect(PortRef(n, "out"), PortRef(add, "in")) == (
        "Add 'sum' joins tensors, not single scalars; put a Stack node in between.")


def test_activation_passes_its_kind_on() -> None:
    doc, (inp, act, n) = _doc_with(("layer.input", "x", {"features": 5}),
                                   ("activation", "relu", {}), ("neuron.neuron", "h", {}))
    doc.connect(act, "out", n, "in")  # kind unknown yet: allowed
    message = doc.can_connect(PortRef(inp, "out"), PortRef(act, "in"))
    assert message is not None
    assert message.startswith("Activation 'relu' would pass a tensor on, which its connection "
                              "into Neuron 'h' cannot take")
    assert "N×5" in message
    bias = doc.add_node("neuron.bias")
    doc.connect(bias, "out", act, "in")
    assert doc.can_connect(PortRef(inp, "out"), PortRef(act, "in")) == (
        "Activation 'relu' already has an input; an activation takes one input "
        "(a scalar or a tensor).")
    dense = doc.add_node("layer.dense", title="D")
    doc.connect(inp, "out", dense, "in")
    assert doc.can_connect(PortRef(act, "out"), PortRef(dense, "in")) is not None
