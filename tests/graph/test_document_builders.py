"""Builders of small networks shared by the graph tests (no tests of its own).

A module with a unique name, so ``from test_document_builders import ...`` never picks up
another folder's conftest."""

from __future__ import annotations

import itertools

from nnstudio.graph.model.document import Document


def build_chocolate() -> Document:
    """The lecture's chocolate -> happiness network: x -> h = w1·x + b1 -> g = w2·h + b2."""
    doc = Document()
    x = doc.add_node("neuron.input_feature", (0, 0), title="chocolate")
    b1 = doc.add_node("neuron.bias", (0, 80), title="b1")
    h = doc.add_node("neuron.neuron", (120, 0), title="h")
    b2 = doc.add_node("neuron.bias", (120, 80), title="b2")
    g = doc.add_node("neuron.neuron", (240, 0), title="g")
    y = doc.add_node("neuron.output", (360, 0), title="happiness")
    doc.connect(x, "out", h, "in", weight=0.5)
    doc.connect(b1, "out", h, "in", weight=0.1)
    doc.connect(h, "out", g, "in", weight=-1.5)
    doc.connect(b2, "out", g, "in")
    doc.connect(g, "out", y, "in")
    return doc


def build_mlp(features: int = 4, hidden: int = 16,
              classes: int = 3) -> tuple[Document, dict[str, str]]:
    """Input -> Dense 'Hidden' -> ReLU -> Dense 'Logits' -> Output (cross-entropy)."""
    doc = Document()
    ids = {
        "input": doc.add_node("layer.input", params={"features": features}, title="x"),
        "hidden": doc.add_node("layer.dense", params={"units": hidden}, title="Hidden"),
        "relu": doc.add_node("activation", title="act"),
        "logits": doc.add_node("layer.dense", params={"units": classes}, title="Logits"),
        "output": doc.add_node("layer.output", title="out"),
    }
    chain = ["input", "hidden", "relu", "logits", "output"]
    for a, b in itertools.pairwise(chain):
        doc.connect(ids[a], "out", ids[b], "in")
    return doc, ids
