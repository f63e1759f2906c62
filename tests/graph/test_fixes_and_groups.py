"""One-click fixes and follow-on warnings grouped under their cause (issue 13, items 4, 9)."""

from __future__ import annotations

import itertools

from nnstudio.graph.checks.fixes import problem_fixes, wire_check
from nnstudio.graph.checks.grouping import group_problems
from nnstudio.graph.checks.validation import validate
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.shapes import infer_shapes
from nnstudio.graph.model.signature import DataSignature

DIGITS = DataSignature((1, 8, 8), "classification", 10)


def image_chain() -> tuple[Document, dict[str, str]]:
    """Input 1×8×8 → Conv 4@3×3 → MaxPool 2 (→ N×4×3×3), Dense 10 → Output unconnected."""
    doc = Document()
    ids = {
        "input": doc.add_node("layer.input", (0, 0), {"kind": "image", "channels": 1,
                                                      "height": 8, "width": 8}),
        "conv": doc.add_node("layer.conv2d", (200, 0), {"out_channels": 4}),
        "pool": doc.add_node("layer.maxpool2d", (400, 0)),
        "dense": doc.add_node("layer.dense", (600, 0), {"units": 10}),
        "out": doc.add_node("layer.output", (800, 0)),
    }
    doc.connect(ids["input"], "out", ids["conv"], "in")
    doc.connect(ids["conv"], "out", ids["pool"], "in")
    doc.connect(ids["dense"], "out", ids["out"], "in")
    return doc, ids


def test_a_map_into_dense_does_not_fit_and_insert_flatten_makes_it_fit() -> None:
    doc, ids = image_chain()
    check = wire_check(doc, PortRef(ids["pool"], "out"), PortRef(ids["dense"], "in"))
    assert check.problem is not None and "needs a vector" in check.problem
    assert "N×4×3×3" in check.problem
    assert [f.text for f in check.fixes] == ["Insert Flatten and connect"]
    doc.apply(check.fixes[0].build(doc))
    assert validate(doc, DIGITS) == []
    flatten = next(n for n in doc.nodes.values() if n.type_id == "layer.flatten")
    assert infer_shapes(doc)[PortRef(flatten.id, "out")] == (36,)


def test_a_wire_that_fits_has_no_problem_and_a_refused_one_keeps_its_sentence() -> None:
    doc, ids = image_chain()
    flat = doc.add_node("layer.flatten", (500, 0))
    assert wire_check(doc, PortRef(flat, "out"), PortRef(ids["dense"], "in")).problem is None
    refused = wire_check(doc, PortRef(ids["out"], "in"), PortRef(ids["dense"], "in"))
    assert refused.problem is not None and refused.fixes == ()


def test_a_vector_into_a_neuron_offers_a_split_that_feeds_every_number() -> None:
    doc = Document()
    inp = doc.add_node("layer.input", params={"features": 3})
    neuron = doc.add_node("neuron.neuron", (300, 0))
    check = wire_check(doc, PortRef(inp, "out"), PortRef(neuron, "in"))
    assert check.problem is not None and "Split" in check.problem
    doc.apply(check.fixes[0].build(doc))
    split = next(n for n in doc.nodes.values() if n.type_id == "layer.split")
    assert split.params["size"] == 3
    assert len(doc.incoming(neuron)) == 3


def test_existing_problems_offer_their_fixes() -> None:
    doc, ids = image_chain()
    doc.connect(ids["pool"], "out", ids["dense"], "in")
    problems = validate(doc, DIGITS)
    (needs,) = [p for p in problems if p.code == "needs_vector"]
    (fix,) = problem_fixes(doc, needs, DIGITS)
    doc.apply(fix.build(doc))
    assert validate(doc, DIGITS) == []
    doc.nodes[ids["input"]].params.update(kind="vector", features=2)
    wrong = [p for p in validate(doc, DIGITS) if p.code == "input_kind"]
    assert [f.text for f in problem_fixes(doc, wrong[0], DIGITS)] == ["Make it an image 1×8×8"]


def test_output_width_and_loss_fixes() -> None:
    doc, ids = image_chain()
    flat = doc.add_node("layer.flatten", (500, 0))
    doc.connect(ids["pool"], "out", flat, "in")
    doc.connect(flat, "out", ids["dense"], "in")
    doc.nodes[ids["dense"]].params["units"] = 7
    doc.nodes[ids["out"]].params["loss"] = "mse"
    (loss,) = [p for p in validate(doc, DIGITS) if p.code == "loss_kind"]
    doc.apply(problem_fixes(doc, loss, DIGITS)[0].build(doc))
    (width,) = [p for p in validate(doc, DIGITS) if p.code == "output_width"]
    (fix,) = problem_fixes(doc, width, DIGITS)
    assert fix.text == "Set Dense 1 to 10 units"
    doc.apply(fix.build(doc))
    assert validate(doc, DIGITS) == []


def test_penalty_warnings_offer_to_use_or_drop_the_strength() -> None:
    doc = Document()
    dense = doc.add_node("layer.dense", params={"penalty": "none", "l2": 0.0001})
    (warning,) = [p for p in validate(doc) if p.code == "penalty_ignored"]
    texts = [f.text for f in problem_fixes(doc, warning)]
    assert texts == ["Use l2", "Set the strength to 0"]
    doc.apply(problem_fixes(doc, warning)[1].build(doc))
    assert doc.nodes[dense].params["l2"] == 0.0
    assert not [p for p in validate(doc) if p.code.startswith("penalty")]


def test_one_missing_wire_is_one_problem_with_its_follow_on_warnings() -> None:
    doc = Document()
    chain = [doc.add_node("layer.input", (0, 0)), doc.add_node("layer.dense", (200, 0)),
             doc.add_node("activation", (400, 0)), doc.add_node("layer.dense", (600, 0)),
             doc.add_node("layer.output", (800, 0))]
    for a, b in itertools.pairwise(chain[:4]):
        doc.connect(a, "out", b, "in")
    problems = validate(doc)  # the last wire, Dense → Output, is missing
    assert len(problems) == 5
    groups = group_problems(doc, problems)
    assert len(groups) == 1
    assert groups[0].cause.node_id == chain[4] and groups[0].cause.code == "missing_input"
    assert [p.node_id for p in groups[0].follow_ons] == chain[:4]


def test_a_dangling_branch_without_a_missing_input_is_led_by_its_last_node() -> None:
    doc = Document()
    x = doc.add_node("neuron.input_feature", (0, 0))
    h = doc.add_node("neuron.neuron", (200, 0))
    y = doc.add_node("neuron.output", (400, 0))
    doc.connect(x, "out", h, "in")
    doc.connect(h, "out", y, "in")
    extra = doc.add_node("neuron.input_feature", (0, 200))
    side = doc.add_node("activation", (200, 200))
    doc.connect(extra, "out", side, "in")
    groups = group_problems(doc, validate(doc))
    assert [(g.cause.node_id, [p.node_id for p in g.follow_ons]) for g in groups] == [
        (side, [extra])]
