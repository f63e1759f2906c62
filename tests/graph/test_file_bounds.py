"""Issue 16, items 2, 4, 8 and 9: every field of a project file has declared bounds.

A file is checked once, at the boundary, against the bounds the window can show (spin box
ranges, the inspector's editors), sizes tied to memory, finite numbers, weights within
float32 and valid Unicode. Each test names the item it covers; each failed on main before
this work (hang, accepted, unsaveable, or a run lost after training).
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnstudio.graph.files.project_file import (
    ProjectFileError,
    load_project,
    project_from_bytes,
    project_to_bytes,
    save_project,
)
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.runs import Run

XOR = {"source": "builtin", "name": "xor", "task": "binary"}


def neuron_project() -> Project:
    """x1, x2 and a Bias into one Neuron into a Scalar output, on XOR (binary)."""
    doc = Document()
    x1 = doc.add_node("neuron.input_feature", params={"column": 0})
    x2 = doc.add_node("neuron.input_feature", params={"column": 1})
    b = doc.add_node("neuron.bias")
    n = doc.add_node("neuron.neuron", title="Hidden")
    o = doc.add_node("neuron.output", params={"loss": "bce_with_logits"})
    doc.connect(x1, "out", n, "in", weight=0.5)
    doc.connect(x2, "out", n, "in", weight=-0.5)
    doc.connect(b, "out", n, "in", weight=0.1)
    doc.connect(n, "out", o, "in")
    return Project(graph=doc, dataset=dict(XOR), training={"epochs": 1, "batch_size": 0})


def rewrite(data: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    """A copy of a project file whose project.json was changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        meta = json.loads(old.read("project.json"))
        change(meta)
        new.writestr("project.json", json.dumps(meta))  # ASCII: lone surrogates as \udxxx
        new.writestr("arrays.npz", old.read("arrays.npz"))
    return out.getvalue()


def refused(data: bytes, *phrases: str) -> str:
    with pytest.raises(ProjectFileError) as caught:
        project_from_bytes(data, "hostile.nnstudio")
    message = str(caught.value)
    assert message.startswith("Cannot open hostile.nnstudio: ") and "\n" not in message
    for phrase in phrases:
        assert phrase in message, message
    assert len(message) < 300, message
    return message


def node(meta: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in meta["graph"]["nodes"] if n["id"] == node_id)


def add_split(size: Any) -> Callable[[dict[str, Any]], None]:
    def change(meta: dict[str, Any]) -> None:
        meta["graph"]["nodes"].append({
            "id": "n99", "type": "layer.split", "type_version": 1, "title": "Split",
            "position": [0.0, 0.0], "params": {"size": size}, "values": {}})
    return change


# --- item 2: huge integers hang, then exhaust memory ------------------------------------


def test_item2_a_split_of_a_billion_outputs_is_refused_at_once(tmp_path: Path) -> None:
    """On main ``check`` hung on this file (a port object per output), then ran out of
    memory; now the loader names the node and the setting's bound."""
    data = rewrite(project_to_bytes(neuron_project()), add_split(10**9))
    refused(data, "node 'n99'", "size")
    path = tmp_path / "split.nnstudio"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-m", "nnstudio", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert str(path) in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize("where, value, phrase", [
    ("training", {"epochs": 10**12}, "epochs"),
    ("training", {"batch_size": 10**30}, "batch size"),
    ("training", {"step_size": 2**40}, "step size"),
    ("training", {"patience": 2**33}, "patience"),
    ("dataset", {"params": {"n_samples": 10**9}}, "n_samples"),
    ("seed", 2**63, "seed"),
    ("node", ("n1", "column", 10**12), "column"),
])
def test_item2_huge_integers_in_settings_are_refused(where: str, value: Any,
                                                     phrase: str) -> None:
    def change(meta: dict[str, Any]) -> None:
        if where == "seed":
            meta["seed"] = value
        elif where == "node":
            node_id, name, number = value
            node(meta, node_id)["params"][name] = number
        elif where == "dataset":
            meta["dataset"]["params"] = value["params"]
        else:
            meta[where].update(value)

    refused(rewrite(project_to_bytes(neuron_project()), change), phrase)


# --- item 4: bagging_members 1,000,000 is accepted ---------------------------------------


def test_item4_a_million_bagging_members_is_refused() -> None:
    data = rewrite(project_to_bytes(neuron_project()),
                   lambda meta: meta["training"].update(bagging_members=1_000_000))
    refused(data, "bagging members", "50")


def test_item4_the_window_largest_member_count_loads() -> None:
    data = rewrite(project_to_bytes(neuron_project()),
                   lambda meta: meta["training"].update(bagging_members=50))
    assert project_from_bytes(data).training["bagging_members"] == 50


# --- item 8: a lone surrogate opens but never saves again --------------------------------


def test_item8_a_lone_surrogate_is_replaced_at_load_and_the_project_saves(
        tmp_path: Path) -> None:
    def change(meta: dict[str, Any]) -> None:
        node(meta, "n4")["title"] = "Hid\ud800den"
        meta["description"] = "tail \udfff"
        meta["training"]["\ud83d"] = 1  # a key: an unknown setting after replacement

    data = rewrite(project_to_bytes(neuron_project()),
                   lambda meta: (node(meta, "n4").update(title="Hid\ud800den"),
                                 meta.update(description="tail \udfff")))
    project = project_from_bytes(data, "surrogate.nnstudio")
    assert project.graph.nodes["n4"].title == "Hid\ufffdden"
    assert project.description == "tail \ufffd"
    path = tmp_path / "again.nnstudio"
    save_project(project, path)
    assert load_project(path).same_as(project)
    refused(rewrite(project_to_bytes(neuron_project()), change), "training setting")


def test_item8_any_text_the_app_holds_can_be_saved() -> None:
    """Text typed into the window may hold unpaired surrogates too (Qt strings do): saving
    writes U+FFFD for them instead of failing, and autosave with it."""
    project = neuron_project()
    project.graph.nodes["n4"].title = "a\udc80b"
    project.name = "\ud800"
    project.runs = [Run("r1", "Run \ud801", history=({"epoch": 1, "note\udc00": 1.0},))]
    project.active_run = "r1"
    again = project_from_bytes(project_to_bytes(project))
    assert again.graph.nodes["n4"].title == "a\ufffdb"
    assert again.name == "\ufffd" and again.runs[0].name == "Run \ufffd"
    assert again.runs[0].history[0] == {"epoch": 1, "note\ufffd": 1.0}


# --- item 9: weights above float32 are accepted, then the run is lost --------------------


@pytest.mark.parametrize("weight", [1e39, -3.5e38, 1e300])
def test_item9_an_edge_weight_beyond_float32_is_refused(weight: float) -> None:
    data = rewrite(project_to_bytes(neuron_project()),
                   lambda meta: meta["graph"]["edges"][0].update(weight=weight))
    refused(data, "edge 'e1'", "float32")


def test_item9_the_largest_float32_weight_loads_and_trains_to_a_saved_result(
        tmp_path: Path) -> None:
    big = float(np.finfo(np.float32).max)
    data = rewrite(project_to_bytes(neuron_project()),
                   lambda meta: meta["graph"]["edges"][0].update(weight=big))
    assert project_from_bytes(data).graph.edges["e1"].weight == big


def with_array(data: bytes, key: str, array: np.ndarray) -> bytes:
    """A copy of a project file whose stored array ``key`` (``a0``...) is ``array``
    (its reference in project.json is updated to match)."""
    def change(meta: dict[str, Any]) -> None:
        refs = [ref for n in meta["graph"]["nodes"] for ref in n["values"].values()]
        ref = next(r for r in refs if r["array"] == key)
        ref.update(dtype=array.dtype.str, shape=list(array.shape))

    data = rewrite(data, change)
    inner = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as outer:
        with zipfile.ZipFile(io.BytesIO(outer.read("arrays.npz"))) as old, \
                zipfile.ZipFile(inner, "w") as new:
            for name in old.namelist():
                if name == f"{key}.npy":
                    buffer = io.BytesIO()
                    np.lib.format.write_array(buffer, array, allow_pickle=False)
                    new.writestr(name, buffer.getvalue())
                else:
                    new.writestr(name, old.read(name))
        meta = outer.read("project.json")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as new:
        new.writestr("project.json", meta)
        new.writestr("arrays.npz", inner.getvalue())
    return out.getvalue()


def dense_project() -> Project:
    doc = Document()
    i = doc.add_node("layer.input", params={"features": 2})
    d = doc.add_node("layer.dense", params={"units": 1}, title="Dense")
    o = doc.add_node("layer.output", params={"loss": "bce_with_logits"})
    doc.connect(i, "out", d, "in")
    doc.connect(d, "out", o, "in")
    doc.nodes[d].values = {"weight": np.zeros((1, 2), np.float32),
                           "bias": np.zeros(1, np.float32)}
    return Project(graph=doc, dataset=dict(XOR))


@pytest.mark.parametrize("bad", [np.array([[1e39, 0.0]]),
                                 np.array([[math.inf, 0.0]], dtype=np.float32),
                                 np.array([[math.nan, 0.0]], dtype=np.float32)])
def test_item9_array_values_beyond_float32_or_not_finite_are_refused(bad: np.ndarray) -> None:
    """Refused at load, and never written: saving says why instead of writing a file
    that cannot be opened again."""
    good = project_to_bytes(dense_project())
    refused(with_array(good, "a1", bad), "value 'weight' of node", "Dense")
    project = dense_project()
    project.graph.nodes["n2"].values = {"weight": bad, "bias": np.zeros(1, np.float32)}
    with pytest.raises(ProjectFileError, match=r"cannot be saved.*value 'weight'"):
        project_to_bytes(project)
