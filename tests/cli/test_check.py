"""``nnstudio check FILE``: exit codes 0/1/2, one line per problem, never a traceback."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import nnstudio
from nnstudio.cli.main import main
from nnstudio.graph.files.project_file import project_to_bytes, save_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project

XOR = {"source": "builtin", "name": "xor", "task": "binary"}


def _network(extra_lonely_node: bool = False, output_units: int = 1) -> Document:
    doc = Document()
    ids = [doc.add_node("layer.input", params={"features": 2}),
           doc.add_node("layer.dense", params={"units": 4}),
           doc.add_node("activation", params={"function": "tanh"}),
           doc.add_node("layer.dense", params={"units": output_units}),
           doc.add_node("layer.output", params={"loss": "bce_with_logits"})]
    for src, dst in itertools.pairwise(ids):
        doc.connect(src, "out", dst, "in")
    if extra_lonely_node:
        doc.add_node("layer.dense", title="Lonely")
    return doc


def _with_schema(data: bytes, version: int) -> bytes:
    """A copy of a project file whose project.json claims another schema version."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        meta = json.loads(old.read("project.json"))
        meta["schema_version"] = version
        new.writestr("project.json", json.dumps(meta))
        new.writestr("arrays.npz", old.read("arrays.npz"))
    return out.getvalue()


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / f"{name}.nnstudio" for name in
             ("valid", "invalid", "no_dataset", "missing_data", "wrong_size", "junk", "newer")}
    save_project(Project(graph=_network(), dataset=XOR), paths["valid"])
    save_project(Project(graph=_network(True), dataset=XOR), paths["invalid"])
    save_project(Project(graph=_network()), paths["no_dataset"])
    save_project(Project(graph=_network(), dataset={"source": "npz", "path": "gone.npz"}),
                 paths["missing_data"])
    save_project(Project(graph=_network(output_units=3), dataset=XOR), paths["wrong_size"])
    paths["junk"].write_bytes(project_to_bytes(Project())[:100])
    paths["newer"].write_bytes(_with_schema(project_to_bytes(Project()), 9))
    return paths


def _run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_network_exits_0(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(files["valid"], capsys)
    assert code == 0 and err == ""
    assert out == (f"{files['valid']}: the network is valid (5 nodes, 4 connections, "
                   "0 warnings).\n")


def test_invalid_network_lists_problems_and_exits_1(files: dict[str, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(files["invalid"], capsys)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert any(line.startswith(f"{files['invalid']}: node 'Lonely' (n6): ") and "input" in line
               for line in lines)
    assert any(line.startswith(f"{files['invalid']}: warning: node 'Lonely' (n6): ")
               for line in lines)
    assert lines[-1] == f"{files['invalid']}: the network has 1 error and 1 warning."


def test_output_size_is_checked_against_the_dataset(files: dict[str, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(files["wrong_size"], capsys)
    assert code == 1 and "node 'Output 1' (n5)" in out and "3" in out


def test_without_dataset_it_checks_the_graph_alone(files: dict[str, Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(files["no_dataset"], capsys)
    assert code == 0
    assert out.splitlines()[0] == (f"{files['no_dataset']}: warning: the project has no "
                                   "dataset chosen; checked without the data's shapes.")
    code, out, _ = _run(files["missing_data"], capsys)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(f"{files['missing_data']}: warning: the dataset could not be loaded")
    assert "gone.npz" in first and first.endswith("checked without the data's shapes.")


@pytest.mark.parametrize("name, phrase", [
    ("junk", "it is not an NN Studio project"),
    ("newer", "was written by a newer NN Studio (schema 9); this version reads up to 2."),
    ("absent", "No such file or directory"),
])
def test_unreadable_file_exits_2_with_one_sentence(files: dict[str, Path], name: str, phrase: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = files.get(name, files["valid"].with_name("absent.nnstudio"))
    code, out, err = _run(path, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and phrase in err and str(path) in err


def test_unexpected_failure_is_one_sentence_too(files: dict[str, Path],
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import nnstudio.graph.checks.validation as validation

    def broken(*args: object) -> list[object]:
        raise RuntimeError("validator exploded")

    monkeypatch.setattr(validation, "validate", broken)
    code, _out, err = _run(files["valid"], capsys)
    assert code == 2
    assert err == (f"nnstudio check: {files['valid']}: unexpected error "
                   "(RuntimeError: validator exploded).\n")


@pytest.mark.parametrize("name, expected", [("valid", 0), ("invalid", 1), ("junk", 2),
                                            ("newer", 2)])
def test_exit_codes_from_a_real_process(files: dict[str, Path], name: str,
                                        expected: int) -> None:
    root = str(Path(nnstudio.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-m", "nnstudio", "check", str(files[name])],
                            capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == expected, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert str(files[name]) in (result.stdout if expected < 2 else result.stderr)


def test_settings_that_cannot_train_together_are_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fractions.nnstudio"
    save_project(Project(graph=_network(), dataset=XOR,
                         training={"val_fraction": 0.6, "test_fraction": 0.5}), path)
    code, out, _ = _run(path, capsys)
    assert code == 1
    assert (f"{path}: training settings: The validation and test fractions together must "
            "leave data for training.") in out.splitlines()
