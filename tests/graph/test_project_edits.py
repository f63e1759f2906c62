"""Project edits: each returns its exact inverse; random mixes of document and project edits
undo back to the original project and redo to the final one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_document_builders import build_chocolate, build_mlp
from test_edits_property import _random_edit

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model import project_events as pe
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.project_edits import (
    AddRun,
    AnyEdit,
    ProjectCompound,
    RemoveRun,
    ReplaceRun,
    SetField,
    SetSetting,
)
from nnstudio.graph.model.runs import Run, RunWeights, next_run_id


def _run(run_id: str, epochs: int = 2) -> Run:
    history = tuple({"epoch": e, "train_loss": 1.0 / e, "val_loss": 2.0 / e}
                    for e in range(1, epochs + 1))
    weights = RunWeights({"n1": {"weight": np.full((2, 2), float(epochs), np.float32)}},
                         {"e1": 0.5})
    return Run(run_id, f"Run {run_id[1:]}", history=history, weights=weights,
               settings={"lr": 0.1}, dataset={"source": "builtin", "name": "xor"})


def _start_project(which: int) -> Project:
    graph = (build_chocolate(), build_mlp()[0], None)[which]
    project = Project(name="p", training={"lr": 0.1, "optimizer": "sgd"},
                      dataset={"source": "builtin", "name": "xor", "params": {"noise": 0.1}})
    if graph is not None:
        project.graph = graph.copy()
    project.runs = [_run("r1"), _run("r2", 3)]
    project.active_run = "r2"
    return project


def _random_project_edit(draw: st.DrawFn, project: Project) -> AnyEdit:
    run_ids = [r.id for r in project.runs] or ["r9"]
    kind = draw(st.sampled_from(("setting", "dataset", "field", "add_run", "remove_run",
                                 "rename_run", "active", "compound", "document")))
    if kind == "setting":
        key = draw(st.sampled_from(("lr", "batch_size", "epochs", "optimizer")))
        value = draw(st.none() | st.integers(0, 100) | st.floats(0, 1) | st.sampled_from(
            ("adam", "sgd")))
        return SetSetting(("training", key), value)
    if kind == "dataset":
        return SetSetting(("dataset", "params", "noise"), draw(st.floats(0, 1)))
    if kind == "field":
        name = draw(st.sampled_from(("name", "seed", "preprocessing", "optimizer_state",
                                     "ensemble", "run_weights_limit_mb", "bogus")))
        value = {"name": "renamed", "seed": 3, "preprocessing": {"scaler": {"kind": "none"}},
                 "optimizer_state": {"meta": {"t": 1}, "arrays": {"m": np.ones(2)}},
                 "ensemble": [{"a": np.zeros(1)}], "run_weights_limit_mb": 1,
                 "bogus": 1}[name]
        return SetField(name, value)
    if kind == "add_run":
        return AddRun(_run(draw(st.sampled_from((next_run_id(project.runs), *run_ids)))),
                      draw(st.none() | st.integers(0, 3)))
    if kind == "remove_run":
        return RemoveRun(draw(st.sampled_from(run_ids)))
    if kind == "rename_run":
        run = project.find_run(draw(st.sampled_from(run_ids)))
        return ReplaceRun(dataclasses.replace(run or _run("r9"), name=draw(st.text(max_size=5))))
    if kind == "active":
        return SetField("active_run", draw(st.none() | st.sampled_from((*run_ids, "r77"))))
    if kind == "compound":
        return ProjectCompound((SetSetting(("training", "lr"), 0.5),
                                RemoveRun(draw(st.sampled_from(run_ids)))), "Two things")
    return _random_edit(draw, project.graph)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2), st.data())
def test_random_project_edits_undo_to_the_original_and_redo_to_the_final(
        which: int, data: st.DataObject) -> None:
    project = _start_project(which)
    original = project.copy()
    events: list[object] = []
    project.subscribe(events.append)
    inverses: list[AnyEdit] = []
    states: list[Project] = []
    for _ in range(data.draw(st.integers(1, 20))):
        edit = _random_project_edit(data.draw, project)
        before = project.copy()
        try:
            inverse = project.apply(edit)
        except GraphError as error:
            assert str(error).endswith(".")
            assert project.same_as(before), "a refused edit must change nothing"
            continue
        states.append(before)
        inverses.append(inverse)
    final = project.copy()
    redo: list[AnyEdit] = []
    for inverse, state in zip(reversed(inverses), reversed(states), strict=True):
        redo.append(project.apply(inverse))
        assert project.same_as(state)
    assert project.same_as(original)
    for edit in reversed(redo):
        project.apply(edit)
    assert project.same_as(final)
    assert all(isinstance(e, pe.FieldChanged | pe.RunAdded | pe.RunRemoved | pe.RunChanged)
               for e in events)


def test_each_project_edit_notifies_what_changed() -> None:
    project = _start_project(2)
    events: list[object] = []
    project.subscribe(events.append)
    project.apply(SetSetting(("training", "lr"), 0.01))
    project.apply(AddRun(_run("r3")))
    project.apply(ReplaceRun(dataclasses.replace(project.run("r3"), name="Mine")))
    project.apply(RemoveRun("r1"))
    assert events == [pe.FieldChanged("training"), pe.RunAdded("r3"), pe.RunChanged("r3"),
                      pe.RunRemoved("r1")]
    assert project.training["lr"] == 0.01 and project.run("r3").name == "Mine"


def test_the_current_run_cannot_be_deleted_and_the_history_is_its_own() -> None:
    project = _start_project(2)
    assert [r["epoch"] for r in project.history] == [1, 2, 3]
    with pytest.raises(GraphError, match="current weights"):
        project.apply(RemoveRun("r2"))
    project.apply(SetField("active_run", None))
    assert project.history == []
    project.apply(RemoveRun("r2"))
    with pytest.raises(GraphError, match="no run 'r5'"):
        project.apply(SetField("active_run", "r5"))


def test_a_refused_part_rolls_the_whole_compound_back() -> None:
    project = _start_project(0)
    before = project.copy()
    with pytest.raises(GraphError):
        project.apply(ProjectCompound((SetSetting(("training", "lr"), 9.0),
                                       AddRun(_run("r1")))))
    assert project.same_as(before)
