"""The Document: ids, notifications, inverses, connection rules, copy and paste."""

from __future__ import annotations

import numpy as np
import pytest
from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import events as ev
from nnstudio.graph.model.document import Document, Edge, Node, PortRef
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


def test_ids_are_deterministic_and_never_reused() -> None:
    doc = Document()
    a = doc.add_node("neuron.neuron")
    b = doc.add_node("neuron.bias")
    assert (a, b) == ("n1", "n2")
    e = doc.connect(b, "out", a, "in")
    assert e == "e1"
    inverse = doc.apply(RemoveNode(a))
    assert doc.add_node("neuron.neuron") == "n3"
    doc.remove_node("n3")
    doc.apply(inverse)  # undo brings n1 and e1 back under their ids
    assert set(doc.nodes) == {"n1", "n2"} and list(doc.edges) == ["e1"]
    assert doc.add_node("neuron.neuron") == "n4"
    assert doc.new_edge_id() == "e2"


def test_add_node_with_a_higher_id_moves_the_counter() -> None:
    doc = Document()
    doc.apply(AddNode(Node("n41", "neuron.bias", "b", (0, 0), {}, {})))
    assert doc.new_node_id() == "n42"
    assert doc.id_counters == (43, 1)


def test_default_titles_are_numbered_and_params_filled() -> None:
    doc = Document()
    first = doc.add_node("layer.dense", params={"units": "32"})
    second = doc.add_node("layer.dense")
    assert doc.nodes[first].title == "Dense 1" and doc.nodes[second].title == "Dense 2"
    assert doc.nodes[first].params["units"] == 32
    assert doc.nodes[first].params["use_bias"] is True


def test_subscribers_see_every_change_after_it_happened() -> None:
    doc = Document()
    seen: list[ev.Event] = []
    states: list[int] = []

    def record(event: ev.Event) -> None:
        seen.append(event)
        states.append(len(doc.nodes))

    unsubscribe = doc.subscribe(record)
    n = doc.add_node("neuron.neuron", title="h")
    b = doc.add_node("neuron.bias")
    e = doc.connect(b, "out", n, "in")
    doc.move_node(n, (5, 6))
    doc.set_param(n, "penalty", "l2")
    doc.set_title(n, "hidden")
    doc.set_edge_weight(e, 0.25)
    doc.set_values(n, {"weight": np.ones(2)})
    doc.remove_node(n)
    assert seen == [
        ev.NodeAdded(n), ev.NodeAdded(b), ev.EdgeAdded(e), ev.NodeMoved(n, (5.0, 6.0)),
        ev.ParamChanged(n, "penalty", "l2"), ev.TitleChanged(n, "hidden"),
        ev.EdgeWeightChanged(e, 0.25), ev.ValuesChanged(n),
        ev.EdgeRemoved(e, PortRef(b, "out"), PortRef(n, "in")), ev.NodeRemoved(n),
    ]
    assert states[0] == 1  # the node already exists when NodeAdded arrives
    unsubscribe()
    doc.add_node("neuron.bias")
    assert len(seen) == 10


def test_remove_node_inverse_restores_edges_in_their_places() -> None:
    doc = build_chocolate()
    doc.add_node("neuron.bias", title="extra")
    before = doc.copy()
    h = next(k for k, n in doc.nodes.items() if n.title == "h")
    inverse = doc.apply(RemoveNode(h))
    assert h not in doc.nodes and all(h not in (e.source.node_id, e.target.node_id)
                                      for e in doc.edges.values())
    assert isinstance(inverse, Compound)
    redo = doc.apply(inverse)
    assert doc.same_as(before)
    assert list(doc.edges) == list(before.edges) and list(doc.nodes) == list(before.nodes)
    doc.apply(redo)
    assert h not in doc.nodes


@pytest.mark.parametrize("make_edit", [
    lambda d: MoveNode("n1", (3.0, 4.0)),
    lambda d: SetParam("n1", "column", 2),
    lambda d: SetTitle("n1", "cocoa"),
    lambda d: SetEdgeWeight("e1", 2.0),
    lambda d: SetEdgeWeight("e4", 2.0),
    lambda d: SetValues("n3", {"weight": np.arange(3.0)}),
    lambda d: RemoveEdge("e2"),
    lambda d: RemoveNode("n5"),
    lambda d: AddNode(Node(d.new_node_id(), "layer.dense", "D", (1, 2), {"units": 3}, {})),
    lambda d: AddEdge(Edge(d.new_edge_id(), PortRef("n4", "out"), PortRef("n3", "in"), 1.5)),
])
def test_every_edit_returns_its_exact_inverse(make_edit) -> None:  # type: ignore[no-untyped-def]
    doc = build_chocolate()
    before = doc.copy()
    edit = make_edit(doc)
    inverse = doc.apply(edit)
    assert not doc.same_as(before)
    after = doc.copy()
    again = doc.apply(inverse)
    assert doc.same_as(before)
    doc.apply(again)
    assert doc.same_as(after)


@pytest.mark.parametrize("edit, sentence", [
    (MoveNode("n99", (0, 0)), "There is no node 'n99' in this network."),
    (SetParam("n1", "column", -1), "Column must be at least 0; got -1."),
    (SetParam("n1", "units", 3), "An Input feature node has no setting 'units'."),
    (SetParam("n1", "column", "two"), "Column must be a whole number; got 'two'."),
    (SetEdgeWeight("e5", 1.0), "Only connections into a Neuron carry a weight of their own."),
    (SetEdgeWeight("e1", float("nan")), "A weight must be a finite number; got nan."),
    (RemoveEdge("e77"), "There is no connection 'e77' in this network."),
    (MoveNode("n1", (float("inf"), 0)), "A position must be two finite numbers; got (inf, 0)."),
    (AddNode(Node("n1", "neuron.bias", "b", (0, 0), {}, {})),
     "There is already a node 'n1' in this network."),
    (AddNode(Node("n70", "layer.lstm", "b", (0, 0), {}, {})), "Unknown node type 'layer.lstm'."),
    (AddEdge(Edge("e70", PortRef("n6", "in"), PortRef("n1", "in"))),
     "'in' is an input of Scalar output 'happiness'; a connection starts at an output port."),
])
def test_refused_edit_raises_a_sentence_and_changes_nothing(edit, sentence) -> None:  # type: ignore[no-untyped-def]
    doc = build_chocolate()
    before = doc.copy()
    seen: list[ev.Event] = []
    doc.subscribe(seen.append)
    with pytest.raises(GraphError) as info:
        doc.apply(edit)
    assert str(info.value) == sentence
    assert doc.same_as(before) and seen == []


def test_failing_compound_is_rolled_back() -> None:
    doc = build_chocolate()
    before = doc.copy()
    edit = Compound((MoveNode("n1", (9, 9)), RemoveNode("n2"), SetTitle("n99", "x")))
    with pytest.raises(GraphError, match="no node 'n99'"):
        doc.apply(edit)
    assert doc.same_as(before)


def test_compound_inverse_undoes_in_reverse_order() -> None:
    doc = build_chocolate()
    before = doc.copy()
    inverse = doc.apply(Compound((RemoveEdge("e1"), RemoveNode("n1"), MoveNode("n2", (1, 1))),
                                 "Tidy up"))
    assert isinstance(inverse, Compound) and inverse.description == "Tidy up"
    doc.apply(inverse)
    assert doc.same_as(before)


def test_edge_weights_only_on_neuron_inputs() -> None:
    doc = build_chocolate()
    assert doc.edges["e1"].weight == 0.5
    assert doc.edges["e4"].weight is None  # a neuron edge not initialised yet
    assert doc.edges["e5"].weight is None  # into the output: never weighted
    doc2, ids = build_mlp()
    edge = doc2.outgoing(ids["input"])[0]
    assert edge.weight is None


def test_incoming_and_outgoing_keep_edge_order() -> None:
    doc = build_chocolate()
    assert [e.id for e in doc.incoming("n3")] == ["e1", "e2"]
    assert [e.id for e in doc.incoming("n3", "in")] == ["e1", "e2"]
    assert doc.incoming("n3", "other") == []
    assert [e.id for e in doc.outgoing("n3", "out")] == ["e3"]


def test_split_size_cannot_cut_connected_outputs() -> None:
    doc = Document()
    split = doc.add_node("layer.split", params={"size": 3}, title="s")
    n = doc.add_node("neuron.neuron")
    doc.connect(split, "out2", n, "in")
    with pytest.raises(GraphError, match=r"Split 's' still has connections on out2; remove them "
                                         r"before setting size to 2\."):
        doc.set_param(split, "size", 2)
    doc.set_param(split, "size", 5)
    assert doc.nodes[split].params["size"] == 5


def test_copy_is_deep_and_same_as_compares_everything() -> None:
    doc = build_chocolate()
    doc.set_values("n3", {"weight": np.array([1.0, 2.0])})
    twin = doc.copy()
    assert twin.same_as(doc)
    twin.nodes["n3"].values["weight"][0] = 5.0
    assert doc.nodes["n3"].values["weight"][0] == 1.0
    assert not twin.same_as(doc)
    other = doc.copy()
    other.move_node("n1", (1, 0))
    assert not other.same_as(doc)
    other = doc.copy()
    other.set_values("n3", {"weight": np.array([1.0, 2.0], dtype=np.float32)})
    assert not other.same_as(doc)


def test_subgraph_and_paste() -> None:
    doc = build_chocolate()
    part = doc.subgraph(["n1", "n3", "n4"])
    assert list(part.nodes) == ["n1", "n3", "n4"] and list(part.edges) == ["e1"]
    edit, new_ids = doc.paste_edit(part, (10.0, 20.0))
    assert new_ids == ["n7", "n8", "n9"]
    inverse = doc.apply(edit)
    assert doc.nodes["n7"].position == (10.0, 20.0)
    assert doc.nodes["n8"].title == "h"
    (pasted,) = doc.incoming("n8")
    assert pasted.source == PortRef("n7", "out") and pasted.weight == 0.5
    doc.apply(inverse)
    assert "n7" not in doc.nodes


def test_document_stores_its_own_arrays() -> None:
    doc = build_chocolate()
    weight = np.array([1.0, 2.0])
    doc.set_values("n3", {"weight": weight})
    weight[0] = 7.0
    assert doc.nodes["n3"].values["weight"][0] == 1.0
