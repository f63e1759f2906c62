"""Undo texts name what they change (issue 13, item 8: not "Undo Change p")."""

from __future__ import annotations

from nnstudio.graph.model.describe import describe_edit
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.edits import (
    Compound,
    MoveNode,
    RemoveEdge,
    RemoveNode,
    SetEdgeWeight,
    SetParam,
    SetTitle,
)


def test_undo_texts_name_the_node_the_setting_and_the_connection() -> None:
    doc = Document()
    dense = doc.add_node("layer.dense", title="Dense 64")
    drop = doc.add_node("layer.dropout", title="Dropout 1")
    conv = doc.add_node("layer.conv2d", title="Conv 1")
    x = doc.add_node("neuron.input_feature", title="x")
    h = doc.add_node("neuron.neuron", title="h")
    edge = doc.connect(x, "out", h, "in", weight=0.5)
    assert describe_edit(SetParam(dense, "units", 32), doc) == "Change units of Dense 64"
    assert describe_edit(SetParam(drop, "p", 0.2), doc) == \
        "Change drop probability of Dropout 1"
    assert describe_edit(SetParam(conv, "out_channels", 4), doc) == "Change filters of Conv 1"
    assert describe_edit(SetParam(dense, "l2", 0.1), doc) == "Change L2 strength of Dense 64"
    assert describe_edit(SetTitle(h, "hidden"), doc) == "Rename h to hidden"
    assert describe_edit(SetEdgeWeight(edge, 1.0), doc) == "Change weight x → h"
    assert describe_edit(RemoveEdge(edge), doc) == "Disconnect x → h"
    assert describe_edit(RemoveNode(dense), doc) == "Delete Dense 64"
    assert describe_edit(MoveNode(h, (1.0, 2.0)), doc) == "Move h"
    assert describe_edit(Compound((MoveNode(h, (0.0, 0.0)),)), doc) == "Move h"
    assert describe_edit(Compound((MoveNode(h, (0.0, 0.0)),), "Tidy"), doc) == "Tidy"
