"""Project files: save -> load -> save round trips, and precise rejection of bad content."""

from __future__ import annotations

import copy
import dataclasses
import json
import re

import numpy as np
import pytest
from test_serialize_samples import (
    every_type_document,
    npy_bytes,
    pack,
    trained_document,
    trained_project,
    unpack,
)

from nnstudio.graph.files.migrations import MIGRATIONS, SCHEMA_VERSION
from nnstudio.graph.files.project_file import (
    ProjectFileError,
    project_from_bytes,
    project_to_bytes,
)
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.registry import NODE_TYPES
from nnstudio.graph.model.runs import Run


def round_trip(project: Project) -> Project:
    data = project_to_bytes(project)
    loaded = project_from_bytes(data)
    assert loaded.same_as(project)
    assert project_to_bytes(loaded) == data
    return loaded


# ----------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("type_id", list(NODE_TYPES))
def test_every_node_type_alone_round_trips(type_id: str) -> None:
    doc = Document()
    doc.add_node(type_id, (12.5, -3.0), title=f"My {type_id}")
    loaded = round_trip(Project(graph=doc))
    node = next(iter(loaded.graph.nodes.values()))
    assert (node.type_id, node.title, node.position) == (type_id, f"My {type_id}", (12.5, -3.0))
    assert node.params == NODE_TYPES[type_id].default_params()


def test_graph_with_every_type_and_edge_order_round_trips() -> None:
    doc = every_type_document()
    loaded = round_trip(Project(graph=doc)).graph
    assert list(loaded.nodes) == list(doc.nodes)
    assert list(loaded.edges) == list(doc.edges)
    assert [e.weight for e in loaded.edges.values()] == [e.weight for e in doc.edges.values()]
    assert any(e.weight is None for e in loaded.edges.values())


def test_trained_project_round_trips_with_everything() -> None:
    project = trained_project()
    loaded = round_trip(project)
    assert loaded.seed == 1234 and loaded.name == "Every node type"
    assert loaded.dataset == project.dataset and loaded.training["lr"] == 0.05
    assert loaded.training["early_stopping"] is True and loaded.training["schedule"] == "step"
    assert np.isnan(loaded.history[-1]["train_loss"]) and loaded.history[0]["epoch"] == 1
    for name, array in project.optimizer_state["arrays"].items():
        mine = loaded.optimizer_state["arrays"][name]
        assert mine.dtype == array.dtype and mine.shape == array.shape
        np.testing.assert_array_equal(mine, array)
    assert loaded.optimizer_state["meta"] == project.optimizer_state["meta"]
    assert len(loaded.ensemble) == 3
    assert loaded.ensemble[0]["n8/weight"].dtype == np.float32
    conv = next(n for n in loaded.graph.nodes.values() if n.type_id == "layer.conv2d")
    assert conv.values["weight"].shape == (2, 1, 3, 3)


def test_loaded_project_is_independent_and_keeps_id_counters() -> None:
    doc = trained_document()
    removed = doc.add_node("neuron.bias")
    doc.remove_node(removed)
    loaded = round_trip(Project(graph=doc)).graph
    assert loaded.id_counters == doc.id_counters
    assert loaded.new_node_id() != removed
    arrays = [a for n in loaded.nodes.values() for a in n.values.values()]
    assert arrays and all(a.flags.writeable for a in arrays)


def test_same_project_gives_same_bytes_and_changes_are_seen() -> None:
    assert project_to_bytes(trained_project()) == project_to_bytes(trained_project())
    assert project_to_bytes(trained_project(0)) != project_to_bytes(trained_project(1))
    other = trained_project()
    run = other.runs[1]
    other.runs[1] = dataclasses.replace(run, history=({**run.history[0], "train_loss": 0.75},
                                                      *run.history[1:]))
    assert not other.same_as(trained_project())
    other = trained_project()
    other.runs[1].weights.values["n8"]["weight"][0, 0] += 1  # type: ignore[index, union-attr]
    assert not other.same_as(trained_project())


def test_json_is_readable_and_documented_layout() -> None:
    meta, arrays = unpack(project_to_bytes(trained_project()))
    assert meta["format"] == "nnstudio-project" and meta["schema_version"] == SCHEMA_VERSION
    node = meta["graph"]["nodes"][0]
    assert node["position"] == [0.0, 0.0] and node["title"] == "Picture"
    ref = next(n for n in meta["graph"]["nodes"] if n["type"] == "layer.conv2d")["values"]
    assert ref["weight"] == {"array": "a1", "dtype": "<f4", "shape": [2, 1, 3, 3]}
    assert ref["bias"] == {"array": "a0", "dtype": "<f4", "shape": [2]}
    assert sorted(arrays) == sorted(f"a{i}.npy" for i in range(len(arrays)))
    assert meta["runs"][1]["history"][-1]["train_loss"] == {"$float": "NaN"}
    assert meta["active_run"] == "r2" and meta["runs"][0]["weights"] is None
    assert meta["runs"][1]["weights"]["edge_weights"] == {"e1": 0.25, "e2": -1.5}


def test_numpy_scalars_in_history_are_saved_as_numbers() -> None:
    project = Project(runs=[Run("r1", "Run 1", history=(
        {"epoch": np.int64(3), "loss": np.float32(0.5)},))], active_run="r1")
    loaded = project_from_bytes(project_to_bytes(project))
    assert loaded.history == [{"epoch": 3, "loss": 0.5}]


@pytest.mark.parametrize("bad", [
    {"runs": [Run("r1", "Run 1", history=({"loss": np.zeros(3)},))]},
    {"runs": [Run("r1", "Run 1")], "active_run": "r2"},
    {"training": {1: "a"}},
    {"optimizer_state": {"arrays": {"m": [1, 2]}}},
    {"optimizer_state": {"arrays": {"m": np.array(["text"])}}},
    {"ensemble": [{"w": np.array([object()], dtype=object)}]},
])
def test_unsaveable_content_raises_project_file_error(bad: dict) -> None:
    with pytest.raises(ProjectFileError, match="cannot be saved"):
        project_to_bytes(Project(**bad))


# ----------------------------------------------------------------------------- rejections


def _mutated(edit) -> bytes:  # type: ignore[no-untyped-def]
    meta, arrays = unpack(project_to_bytes(trained_project()))
    edit(meta, arrays)
    return pack(meta, arrays)


def _first(meta: dict, type_id: str) -> dict:
    return next(n for n in meta["graph"]["nodes"] if n["type"] == type_id)


CASES = {
    "unknown node type": (lambda m, a: _first(m, "layer.flatten").update(type="layer.magic"),
                          "unknown type 'layer.magic'"),
    "newer node type version": (lambda m, a: _first(m, "layer.dense").update(type_version=9),
                                "version 9 of layer.dense"),
    "unknown port": (lambda m, a: m["graph"]["edges"][0]["target"].update(port="inn"),
                     "port 'inn'"),
    "split port past its size": (
        lambda m, a: _first(m, "layer.split")["params"].update(size=2),
        "port 'out2'"),
    "missing node": (lambda m, a: m["graph"]["edges"][0]["source"].update(node="n99"),
                     "missing node 'n99'"),
    "duplicate node id": (lambda m, a: m["graph"]["nodes"][1].update(id="n1"),
                          "two nodes have the id 'n1'"),
    "duplicate edge id": (lambda m, a: m["graph"]["edges"][1].update(id="e1"),
                          "two edges have the id 'e1'"),
    "wrong param type": (lambda m, a: _first(m, "layer.dense")["params"].update(units="many"),
                         "setting 'units'"),
    "param out of range": (lambda m, a: _first(m, "layer.dropout")["params"].update(p=5.0),
                           "setting 'p'"),
    "huge int param": (lambda m, a: _first(m, "layer.dense")["params"].update(units=10**20),
                       "Units must be at most 1000000; got a 21-digit number"),
    "param as a list": (lambda m, a: _first(m, "layer.dense")["params"].update(units=[1] * 9),
                        "should be a single value, not a list"),
    "param as a huge text": (
        lambda m, a: _first(m, "layer.dense")["params"].update(units="9" * 5000),
        "longer than 1000 characters"),
    "unknown param": (lambda m, a: _first(m, "layer.dense")["params"].update(colour="red"),
                      "unknown setting 'colour'"),
    "position not numbers": (lambda m, a: m["graph"]["nodes"][0].update(position=["a", 1]),
                             "position"),
    "position too far": (lambda m, a: m["graph"]["nodes"][0].update(position=[1e300, 0]),
                         "out of range"),
    "title not text": (lambda m, a: m["graph"]["nodes"][0].update(title=5), "title"),
    "missing field": (lambda m, a: m["graph"]["nodes"][0].pop("params"), "lacks the field"),
    "extra field": (lambda m, a: m["graph"]["nodes"][0].update(code="import os"),
                    "unknown field 'code'"),
    "weight as text": (lambda m, a: m["graph"]["edges"][0].update(weight="0.5"), "weight"),
    "missing array": (lambda m, a: a.pop("a0.npy"), "array 'a0' that is missing"),
    "extra array": (lambda m, a: a.update({"a999.npy": npy_bytes(np.zeros(2))}),
                    "nothing refers to"),
    "wrongly named array": (lambda m, a: a.update({"../evil.npy": npy_bytes(np.zeros(2))}),
                            "unexpected part"),
    "wrong shape": (lambda m, a: a.update({"a0.npy": npy_bytes(np.zeros((3, 3), "<f4"))}),
                    "should have shape"),
    "wrong dtype": (lambda m, a: a.update({"a0.npy": npy_bytes(np.zeros(2, "<f8"))}),
                    "should have type"),
    "object array": (lambda m, a: a.update(
        {"a0.npy": npy_bytes(np.array([{"x": 1}], dtype=object), allow_pickle=True)}),
        "non-numeric type"),
    "string array": (lambda m, a: a.update({"a0.npy": npy_bytes(np.array(["abc"]))}),
                     "non-numeric type"),
    "truncated array": (lambda m, a: a.update({"a0.npy": a["a0.npy"][:-5]}), "bytes of data"),
    "array used twice": (
        lambda m, a: _first(m, "layer.batchnorm")["values"].update(
            weight=_first(m, "layer.conv2d")["values"]["weight"]),
        "used twice"),
    "not a project": (lambda m, a: m.update(format="something-else"), "not an NN Studio"),
    "schema not a number": (lambda m, a: m.update(schema_version="1"), "schema version"),
    "bad seed": (lambda m, a: m.update(seed=-1), "seed"),
    "runs not a list": (lambda m, a: m.update(runs={"a": 1}), "runs"),
    "history not a list": (lambda m, a: m["runs"][0].update(history={"a": 1}), "history of run 1"),
    "history record not an object": (lambda m, a: m["runs"][1]["history"].append(3),
                                     "history of run 2"),
    "run id twice": (lambda m, a: m["runs"][1].update(id="r1"), "same id"),
    "bad run id": (lambda m, a: m["runs"][1].update(id="x; rm"), "invalid id"),
    "unknown parent run": (lambda m, a: m["runs"][1].update(parent="r9"), "unknown parent"),
    "current run unknown": (lambda m, a: m.update(active_run="r7"), "current run"),
    "bad run time": (lambda m, a: m["runs"][0].update(started="yesterday"), "not a time"),
    "bad outcome": (lambda m, a: m["runs"][0].update(outcome="exploded"), "outcome of run 1"),
    "run weight not finite": (lambda m, a: m["runs"][1]["weights"]["edge_weights"].update(
        e1={"$float": "NaN"}), "finite number"),
    "history in a schema-2 file": (lambda m, a: m.update(history=[]), "unknown field"),
    "dataset not an object": (lambda m, a: m.update(dataset=[1]), "dataset"),
    "deep settings": (lambda m, a: m.update(ui=json.loads("[" * 100 + "]" * 100)), "nested"),
    "unknown top-level key": (lambda m, a: m.update(plugin="x"), "unknown field 'plugin'"),
    "optimizer state with extra key": (lambda m, a: m["optimizer_state"].update(x=1),
                                       "unknown field 'x'"),
    "second edge into a single input": (lambda m, a: m["graph"]["edges"].append(
        {"id": "e99", "source": {"node": "n2", "port": "out"},
         "target": {"node": "n4", "port": "in"}, "weight": None}), "cannot be rebuilt"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_content_is_rejected_with_a_sentence(case: str) -> None:
    edit, phrase = CASES[case]
    with pytest.raises(ProjectFileError) as info:
        project_from_bytes(_mutated(edit), "broken.nnstudio")
    message = str(info.value)
    assert message.startswith("Cannot open broken.nnstudio: ") and message.endswith(".")
    assert phrase in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("text, phrase", [
    ('{"format": NaN}', "NaN"),
    ('{"a": 1e999}', "too large"),
    ('{"a": ' + "9" * 5000 + "}", "too large"),
    ("[" * 50_000 + "]" * 50_000, "nested"),
    ('{"a": ', "not valid JSON"),
    ("\udcff", "not UTF-8"),
])
def test_bad_json_is_rejected(text: str, phrase: str) -> None:
    _, arrays = unpack(project_to_bytes(Project()))
    with pytest.raises(ProjectFileError, match=phrase):
        project_from_bytes(pack(None, arrays, json_text=text))


def test_garbage_and_foreign_files_are_rejected() -> None:
    with pytest.raises(ProjectFileError, match="not an NN Studio project"):
        project_from_bytes(b"hello world", "notes.txt")
    with pytest.raises(ProjectFileError, match=re.escape("no arrays.npz inside")):
        import io
        import zipfile
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("project.json", "{}")
        project_from_bytes(buffer.getvalue())


# ----------------------------------------------------------------------------- versions


def test_newer_schema_names_both_versions() -> None:
    meta, arrays = unpack(project_to_bytes(trained_project()))
    meta["schema_version"] = 7
    with pytest.raises(ProjectFileError) as info:
        project_from_bytes(pack(meta, arrays), "future.nnstudio")
    assert str(info.value) == ("future.nnstudio was written by a newer NN Studio (schema 7); "
                               f"this version reads up to {SCHEMA_VERSION}.")


def _as_schema_0(meta: dict) -> dict:
    old = copy.deepcopy(meta)
    old["schema_version"] = 0
    old["graph"]["positions"] = {n["id"]: n.pop("position") for n in old["graph"]["nodes"]}
    old["training"]["seed"] = old.pop("seed")
    return old


def test_schema_0_file_is_migrated_to_the_same_project() -> None:
    project = trained_project()
    meta, arrays = unpack(project_to_bytes(project))
    assert 0 in MIGRATIONS
    loaded = project_from_bytes(pack(_as_schema_0(meta), arrays))
    assert loaded.same_as(project)
    assert project_to_bytes(loaded) == project_to_bytes(project)


@pytest.mark.parametrize("damage", [
    lambda g: g.pop("positions"),
    lambda g: g["positions"].pop("n3"),
    lambda g: g.update(positions=[1, 2]),
    lambda g: g.update(nodes={"n1": 1}),
    lambda g: g["nodes"][0].update(position=[0, 0]),
])
def test_broken_schema_0_file_is_rejected(damage) -> None:  # type: ignore[no-untyped-def]
    meta, arrays = unpack(project_to_bytes(trained_project()))
    old = _as_schema_0(meta)
    damage(old["graph"])
    with pytest.raises(ProjectFileError, match=re.escape("Cannot open")):
        project_from_bytes(pack(old, arrays))


# ----------------------------------------------------------------------------- random graphs


def _random_document(rng: np.random.Generator) -> Document:
    """A document after a random sequence of edits (refused edits are skipped)."""
    from nnstudio.graph.errors import GraphError

    doc = Document()
    types = list(NODE_TYPES)
    for _ in range(int(rng.integers(5, 40))):
        op = rng.random()
        nodes = list(doc.nodes.values())
        try:
            if op < 0.35 or not nodes:
                doc.add_node(types[int(rng.integers(len(types)))],
                             (float(rng.normal(0, 300)), float(rng.normal(0, 300))))
            elif op < 0.8:
                src, dst = (nodes[int(i)] for i in rng.integers(len(nodes), size=2))
                outs = NODE_TYPES[src.type_id].output_ports(src.params)
                ins = NODE_TYPES[dst.type_id].input_ports(dst.params)
                if outs and ins:
                    weight = float(rng.normal()) if rng.random() < 0.7 else None
                    doc.connect(src.id, outs[int(rng.integers(len(outs)))].name, dst.id,
                                ins[int(rng.integers(len(ins)))].name,
                                weight=weight if dst.type_id == "neuron.neuron" else None)
            elif op < 0.9 and doc.edges:
                doc.disconnect(list(doc.edges)[int(rng.integers(len(doc.edges)))])
            elif op < 0.95:
                doc.remove_node(nodes[int(rng.integers(len(nodes)))].id)
            else:
                node = nodes[int(rng.integers(len(nodes)))]
                doc.set_values(node.id, {"weight": rng.normal(size=(2, 3))})
        except GraphError:
            pass
    return doc


def test_random_edit_histories_round_trip() -> None:
    rng = np.random.default_rng(7)
    edges = 0
    for _ in range(150):
        doc = _random_document(rng)
        edges += len(doc.edges)
        round_trip(Project(graph=doc, seed=int(rng.integers(0, 2**31))))
    assert edges > 200  # the generator really connects things
