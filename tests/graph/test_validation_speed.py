"""validate() is fast enough to run after every edit of a few hundred nodes."""

from __future__ import annotations

import time

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.shapes import infer_shapes
from nnstudio.graph.model.signature import DataSignature


def build_big_network() -> Document:
    """10 input features, a bias, 14 layers of 20 neurons (2 inputs each + a bias), 9 outputs."""
    doc = Document()
    previous = [doc.add_node("neuron.input_feature", params={"column": i}) for i in range(10)]
    bias = doc.add_node("neuron.bias")
    for _ in range(14):
        layer = [doc.add_node("neuron.neuron") for _ in range(20)]
        for k, neuron in enumerate(layer):
            doc.connect(previous[k % len(previous)], "out", neuron, "in", weight=0.1)
            doc.connect(bias, "out", neuron, "in", weight=0.0)
        previous = layer
    for k in range(9):
        doc.connect(previous[k], "out", doc.add_node("neuron.output",
                                                     params={"target_column": k}), "in")
    return doc


def test_300_nodes_600_edges_validate_quickly() -> None:
    doc = build_big_network()
    assert len(doc.nodes) == 300 and len(doc.edges) == 569
    # top up to 600 edges with extra inputs into the last layer
    neurons = [n for n, node in doc.nodes.items() if node.type_id == "neuron.neuron"]
    for k in range(31):
        doc.connect(neurons[-(k + 40)], "out", neurons[-(k % 20) - 1], "in")
    assert len(doc.edges) == 600
    data = DataSignature((10,), "regression", 9)
    validate(doc, data)  # warm up
    start = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        problems = validate(doc, data)
        infer_shapes(doc)
    elapsed = (time.perf_counter() - start) / rounds
    print(f"validate + infer_shapes, 300 nodes / 600 edges: {elapsed * 1000:.1f} ms")
    assert [p for p in problems if p.severity == "error"] == []
    assert elapsed < 0.5
