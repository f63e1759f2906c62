"""Edit values: undo texts and the shape of the inverses Document.apply returns."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from test_document_builders import build_chocolate

from nnstudio.graph.model.document import Edge, Node, PortRef
from nnstudio.graph.model.edits import (
    AddEdge,
    AddNode,
    Compound,
    MoveNode,
    RemoveEdge,
    RemoveNode,
    SetEdgeWeight,
    SetParam,
    SetTitle,
    SetValues,
)


def test_descriptions_are_short_undo_texts() -> None:
    node = Node("n1", "layer.dense", "Hidden", (0, 0), {}, {})
    assert AddNode(node).description == "Add Hidden"
    assert RemoveNode("n1").description == "Delete node"
    assert MoveNode("n1", (1, 2)).description == "Move node"
    assert AddEdge(Edge("e1", PortRef("a", "out"), PortRef("b", "in"))).description == "Connect"
    assert RemoveEdge("e1").description == "Disconnect"
    assert SetParam("n1", "out_channels", 3).description == "Change out channels"
    assert SetTitle("n1", "x").description == "Rename node"
    assert SetEdgeWeight("e1", 1.0).description == "Change weight"
    assert SetValues("n1", {}).description == "Set learned values"
    assert Compound((RemoveEdge("e1"),)).description == "Disconnect"
    assert Compound((RemoveEdge("e1"), RemoveEdge("e2"))).description == "Several changes"
    assert Compound((), "Paste").description == "Paste"


def test_inverses_carry_the_old_values() -> None:
    doc = build_chocolate()
    assert doc.apply(MoveNode("n1", (5, 5))) == MoveNode("n1", (0.0, 0.0))
    assert doc.apply(SetTitle("n3", "hidden")) == SetTitle("n3", "h")
    assert doc.apply(SetEdgeWeight("e1", 2.0)) == SetEdgeWeight("e1", 0.5)
    inverse = doc.apply(SetParam("n6", "loss", "bce_with_logits"))
    assert isinstance(inverse, SetParam) and (inverse.name, inverse.value) == ("loss", "mse")
    doc.set_values("n3", {"weight": np.array([1.0])})
    values_inverse = doc.apply(SetValues("n3", {}))
    assert isinstance(values_inverse, SetValues)
    assert list(values_inverse.values) == ["weight"]
    assert isinstance(doc.apply(RemoveEdge("e2")), AddEdge)
    removed = doc.apply(RemoveNode("n3"))
    assert isinstance(removed, Compound)
    kinds = [type(e).__name__ for e in removed.edits]
    assert kinds == ["AddNode", "AddEdge", "AddEdge"]  # the node first, then its edges by index
    indexes = [e.index for e in removed.edits if isinstance(e, AddEdge)]
    assert indexes == sorted(indexes)


def test_edits_are_immutable_values() -> None:
    edit = MoveNode("n1", (1.0, 2.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        edit.node_id = "n2"  # type: ignore[misc]
    assert edit.node_id == "n1"
