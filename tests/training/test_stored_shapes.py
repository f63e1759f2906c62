"""Issue 16, item 11: stored weights of the wrong shape are reported, not silently dropped.

On main a Dense layer whose stored weight no longer fit (its input or units changed in the
file) was re-initialised without a word. Now validation warns (naming the node and both
shapes), the compiled plan lists what it did not use, and a run says so: ``train`` prints a
note and the training server's description carries it to the window (``test_window_files``
covers the window's message).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli.main import main
from nnstudio.graph.checks.validation import validate
from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.files.project_file import save_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.training.prepared import prepare_run
from nnstudio.training.run_info import describe_run

XOR = {"source": "builtin", "name": "xor", "task": "binary"}
SENTENCE = ("Dense 'Hidden' has a stored weight of shape 4×3 but needs 4×2; it starts from "
            "new random values.")


def mismatched_project() -> Project:
    """Input(2) → Dense(4, 'Hidden') whose stored weight is (4, 3) → Dense(1) → Output."""
    doc = Document()
    ids = [doc.add_node("layer.input", params={"features": 2}),
           doc.add_node("layer.dense", params={"units": 4}, title="Hidden"),
           doc.add_node("layer.dense", params={"units": 1}),
           doc.add_node("layer.output", params={"loss": "bce_with_logits"})]
    for src, dst in itertools.pairwise(ids):
        doc.connect(src, "out", dst, "in")
    doc.set_values(ids[1], {"weight": np.ones((4, 3), np.float32),
                            "bias": np.full(4, 0.5, np.float32)})
    return Project(graph=doc, dataset=dict(XOR), training={"epochs": 1})


def test_item11_validation_warns_with_the_node_and_both_shapes() -> None:
    project = mismatched_project()
    problems = [p for p in validate(project.graph) if "stored" in p.message]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.severity == "warning" and problem.node_id == "n2"
    assert problem.message == ("Dense 'Hidden' has a stored weight of shape 4×3 but now "
                               "needs 4×2; training starts it from new random values.")


def test_item11_the_plan_lists_what_it_did_not_use_and_keeps_what_fits() -> None:
    plan = compile_graph(mismatched_project().graph)
    assert [(d.node_id, d.name, d.stored, d.needed) for d in plan.discarded] == [
        ("n2", "weight", (4, 3), (4, 2))]
    np.testing.assert_array_equal(plan.params[("n2", "bias")], np.full(4, 0.5, np.float32))


def test_item11_a_run_says_so_in_its_description_and_on_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prepared = prepare_run(mismatched_project())
    assert prepared.notes == (SENTENCE,)
    assert describe_run(prepared, 0, 0).notes == (SENTENCE,)
    path = tmp_path / "mismatch.nnstudio"
    save_project(mismatched_project(), path)
    assert main(["train", str(path)]) == 0
    assert f"Note: {SENTENCE}" in capsys.readouterr().out
