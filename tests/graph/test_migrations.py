"""Older project files open through the migrations and re-save byte-stably."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_serialize_samples import pack, unpack

from nnstudio.graph.files.migrations import SCHEMA_VERSION
from nnstudio.graph.files.project_file import (
    load_project,
    project_from_bytes,
    project_to_bytes,
)
from nnstudio.graph.model.project import Project

SCHEMA1 = Path(__file__).parent / "data" / "schema1"
"""The example projects as NN Studio wrote them before runs were records (schema 1)."""


@pytest.mark.parametrize("path", sorted(SCHEMA1.glob("*.nnstudio")), ids=lambda p: p.stem)
def test_schema1_examples_open_and_resave_byte_identically(path: Path) -> None:
    meta, _ = unpack(path.read_bytes())
    assert meta["schema_version"] == 1
    project = load_project(path)
    assert project.runs == [] and project.active_run is None
    first = project_to_bytes(project)
    again = project_to_bytes(project_from_bytes(first))
    assert again == first
    assert unpack(first)[0]["schema_version"] == SCHEMA_VERSION


def test_examples_on_disk_are_current_and_stable() -> None:
    examples = sorted((Path(__file__).parents[2] / "examples").glob("*.nnstudio"))
    assert examples
    for path in examples:
        data = path.read_bytes()
        assert unpack(data)[0]["schema_version"] == SCHEMA_VERSION, path.name
        assert project_to_bytes(project_from_bytes(data)) == data, path.name


def _schema1_with_history() -> bytes:
    """A schema-1 file of a trained project: a top-level history, no runs."""
    meta, arrays = unpack(project_to_bytes(Project(
        name="old", training={"lr": 0.5}, dataset={"source": "builtin", "name": "xor"},
        seed=7, preprocessing={"scaler": {"kind": "none"}})))
    for key in ("runs", "active_run", "run_weights_limit_mb"):
        meta.pop(key)
    meta["schema_version"] = 1
    meta["history"] = [{"epoch": 1, "train_loss": 0.5, "val_loss": {"$float": "NaN"}},
                       {"epoch": 2, "train_loss": 0.25, "val_loss": 0.3}]
    return pack(meta, arrays)


def test_a_schema1_history_becomes_the_current_run_1() -> None:
    project = project_from_bytes(_schema1_with_history())
    assert [r.id for r in project.runs] == ["r1"] and project.active_run == "r1"
    run = project.runs[0]
    assert run.name == "Run 1" and run.epochs == 2 and run.weights is None
    assert dict(run.settings) == {"lr": 0.5} and run.seed == 7
    assert dict(run.dataset) == {"source": "builtin", "name": "xor"}
    assert project.history[1] == {"epoch": 2, "train_loss": 0.25, "val_loss": 0.3}
    saved = project_to_bytes(project)
    assert project_to_bytes(project_from_bytes(saved)) == saved
    assert "history" not in unpack(saved)[0]


def test_a_broken_schema1_history_is_refused_with_a_sentence() -> None:
    meta, arrays = unpack(_schema1_with_history())
    meta["history"] = {"epoch": 1}
    from nnstudio.graph.files.project_file import ProjectFileError

    with pytest.raises(ProjectFileError, match="history"):
        project_from_bytes(pack(meta, arrays), "old.nnstudio")
    meta["history"] = [1, 2]
    with pytest.raises(ProjectFileError, match=r"old\.nnstudio.*history of run 1"):
        project_from_bytes(pack(meta, arrays), "old.nnstudio")


def test_pack_keeps_json_layout() -> None:
    meta, arrays = unpack(_schema1_with_history())
    assert json.loads(json.dumps(meta)) == meta and arrays == {}
