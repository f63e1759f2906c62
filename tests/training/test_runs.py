"""Runs as records: every training belongs to a run; Reset starts a new one; restoring a
run's weights gives back exactly what it measured; the storage cap drops old weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnstudio.graph.files.project_file import load_project, project_from_bytes, project_to_bytes
from nnstudio.graph.model.edits import SetParam
from nnstudio.graph.model.project import Project
from nnstudio.training.records import Finished
from nnstudio.training.runs import (
    begin_run,
    reset_edit,
    restore_edit,
    run_project,
    validation_loss,
    weights_cap_edit,
)
from nnstudio.training.trainer import Trainer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def train(project: Project, epochs: int) -> Finished:
    """One Train press, headless: the run it belongs to, trained, stored as one edit."""
    start = begin_run(project)
    trainer = Trainer(run_project(project, start))
    *_, finished = trainer.run(epochs=epochs)
    assert isinstance(finished, Finished)
    trainer.apply_to(project, start)
    return finished


def test_spiral_with_and_without_dropout_are_two_runs_that_survive_a_reopen() -> None:
    project = load_project(EXAMPLES / "spiral_regularization.nnstudio")
    assert train(project, 12).reason == "completed"
    first = project.active
    assert first is not None and first.id == "r1"
    assert first.name == "Run 1 · Adam 0.01 · dropout 0.1 · L2 0.0001"
    project.apply(reset_edit(project))
    assert project.active_run is None and project.history == []
    assert all(not n.values for n in project.graph.nodes.values())
    for node in [n for n in project.graph.nodes.values() if n.type_id == "layer.dropout"]:
        project.apply(SetParam(node.id, "p", 0.0))
    assert train(project, 8).reason == "completed"
    one, two = project.runs
    assert (one.epochs, two.epochs) == (12, 8) and two.parent is None
    assert one.network["n4"]["params"]["p"] == 0.1 and two.network["n4"]["params"]["p"] == 0.0
    assert [h["epoch"] for h in two.history] == list(range(1, 9))
    assert one.history[-1]["val_loss"] != two.history[-1]["val_loss"]

    reopened = project_from_bytes(project_to_bytes(project))
    assert reopened.same_as(project)
    assert [r.name for r in reopened.runs] == [one.name, two.name]

    reopened.apply(restore_edit(reopened, "r1"))
    assert reopened.active_run == "r1"
    assert validation_loss(reopened) == one.history[-1]["val_loss"]  # exactly
    reopened.apply(restore_edit(reopened, "r2"))
    assert validation_loss(reopened) == two.history[-1]["val_loss"]


def test_continue_appends_to_the_current_run_and_step_runs_belong_to_it_too() -> None:
    project = load_project(EXAMPLES / "xor.nnstudio")
    train(project, 3)
    train(project, 2)
    assert len(project.runs) == 1 and project.active is not None
    assert [h["epoch"] for h in project.active.history] == [1, 2, 3, 4, 5]
    assert project.active.weights is not None


def test_old_runs_drop_their_weights_beyond_the_cap_and_say_so() -> None:
    project = load_project(EXAMPLES / "digits_mlp.nnstudio")
    dense = next(n for n in project.graph.nodes.values() if n.type_id == "layer.dense")
    project.apply(SetParam(dense.id, "units", 1600))  # about 0.47 MB of weights a run
    project.run_weights_limit_mb = 1
    for _ in range(4):
        train(project, 1)
        project.apply(reset_edit(project))
    kept = [r.weights is not None for r in project.runs]
    dropped = [r.weights_dropped for r in project.runs]
    assert kept == [False, False, True, True] and dropped == [True, True, False, False]
    with pytest.raises(ValueError, match=r"Run 1 .*size limit dropped them"):
        restore_edit(project, "r1")
    assert project.runs[0].history  # the curves and metrics stay
    undo = project.apply(weights_cap_edit(project, 0))
    assert all(r.weights is None for r in project.runs) and project.run_weights_limit_mb == 0
    project.apply(undo)  # one step back: the limit and the weights it dropped
    assert project.run_weights_limit_mb == 1 and project.runs[3].weights is not None


def test_restored_bagging_runs_bring_their_ensemble_back() -> None:
    project = load_project(EXAMPLES / "bagging.nnstudio")
    train(project, 2)
    members = [{k: np.array(v) for k, v in m.items()} for m in project.ensemble]
    assert len(members) > 1
    loss = validation_loss(project)
    project.apply(reset_edit(project))
    assert project.ensemble == []
    project.apply(restore_edit(project, "r1"))
    assert len(project.ensemble) == len(members)
    assert validation_loss(project) == loss
