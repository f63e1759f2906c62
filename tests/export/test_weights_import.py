"""``nnstudio import-weights`` and ``read_weights``: weights from an exported PyTorch project
back into the project, and every malformed weights file refused with one sentence.

No torch needed: the weights files are the export's own ``model.npz`` with changed values
(what ``train.py`` writes has the same form; the torch tests import real trained files).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from project_helpers import export_folder

from nnstudio.cli.main import main
from nnstudio.export.weights_import import WeightsError, apply_weights, read_weights
from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer


def exported(name: str, tmp_path: Path) -> tuple[Project, dict[str, np.ndarray]]:
    project = load_project(examples_dir() / f"{name}.nnstudio")
    export_folder(project, tmp_path / "export")
    with np.load(tmp_path / "export" / "model.npz") as arrays:
        return project, {k: arrays[k] for k in arrays.files}


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    with path.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **arrays)
    return path


def shifted(arrays: dict[str, np.ndarray], amount: float = 0.25) -> dict[str, np.ndarray]:
    """The weights moved by ``amount`` (a stand-in for training), masks respected."""
    out = dict(arrays)
    for key, value in arrays.items():
        if key.endswith((".weight", ".bias")) and value.dtype.kind == "f":
            out[key] = np.where(value != 0, value + amount, 0).astype(value.dtype)
    return out


@pytest.mark.parametrize("name", ["xor", "digits_cnn", "chocolate_happiness"])
def test_imported_weights_are_the_files(name: str, tmp_path: Path) -> None:
    project, arrays = exported(name, tmp_path)
    path = save_npz(tmp_path / "trained.npz", shifted(arrays))
    imported = read_weights(project, path, base_dir=examples_dir())
    assert imported.members == 1 and imported.ensemble == []
    before = Trainer(project, base_dir=examples_dir()).plan.state_dict()
    apply_weights(project, imported)
    after = compile_graph(project.graph, Trainer(project, base_dir=examples_dir())
                          .dataset.signature(), seed=project.seed).state_dict()
    for key, value in after.items():
        np.testing.assert_allclose(value, np.where(before[key] != 0, before[key] + 0.25, 0),
                                   rtol=1e-6, atol=1e-6)


def test_renamed_nodes_still_match(tmp_path: Path) -> None:
    project, arrays = exported("digits_mlp", tmp_path)
    for node in project.graph.nodes.values():
        project.graph.set_title(node.id, f"renamed {node.title}")
    path = save_npz(tmp_path / "trained.npz", shifted(arrays))
    apply_weights(project, read_weights(project, path, base_dir=examples_dir()))


def test_a_bagging_ensemble_comes_back_whole(tmp_path: Path) -> None:
    project, arrays = exported("bagging", tmp_path)
    assert sum(k.startswith("members.4.") for k in arrays) > 0
    path = save_npz(tmp_path / "trained.npz", shifted(arrays, 0.5))
    imported = read_weights(project, path, base_dir=examples_dir())
    assert imported.members == 5 and len(imported.ensemble) == 5
    apply_weights(project, imported)
    assert len(project.ensemble) == 5
    first = next(k for k in arrays if k.startswith("members.3.") and k.endswith(".weight"))
    trainer = Trainer(project, base_dir=examples_dir())
    member3 = trainer.predict(trainer.dataset.x[:3])          # builds from the ensemble
    assert np.all(np.isfinite(member3))
    weights = [v for k, v in project.ensemble[3].items() if k.endswith("/weight")]
    assert any(np.allclose(w, arrays[first] + 0.5, atol=1e-6) for w in weights
               if w.shape == arrays[first].shape)


@pytest.mark.parametrize("case", [
    "missing", "extra", "shape", "nan", "huge", "text", "pickle", "key_map", "key_map_json",
    "scaler", "no_scaler", "not_zip", "fifo", "folder", "too_big"])
def test_malformed_weights_are_refused_with_a_sentence(case: str, tmp_path: Path) -> None:
    project, arrays = exported("digits_mlp", tmp_path)
    weight = next(k for k in arrays if k.endswith(".weight"))
    path = tmp_path / "bad.npz"
    if case == "missing":
        save_npz(path, {k: v for k, v in arrays.items() if k != weight})
    elif case == "extra":
        save_npz(path, {**arrays, "evil.weight": np.zeros(3, np.float32)})
    elif case == "shape":
        save_npz(path, {**arrays, weight: arrays[weight][:, :-1]})
    elif case == "nan":
        bad = arrays[weight].copy()
        bad[0, 0] = np.nan
        save_npz(path, {**arrays, weight: bad})
    elif case == "huge":
        save_npz(path, {**arrays, weight: np.full_like(arrays[weight], 1e300,
                                                       dtype=np.float64)})
    elif case == "text":
        save_npz(path, {**arrays, weight: np.full(arrays[weight].shape, "x")})
    elif case == "pickle":
        with path.open("wb") as handle:
            np.savez(handle, **{**arrays, weight: np.array([{"a": 1}], dtype=object)})
    elif case == "key_map":
        table = json.loads(str(arrays["nnstudio.params"]))
        table[weight] = [0, "n999/weight"]
        save_npz(path, {**arrays, "nnstudio.params": np.array(json.dumps(table))})
    elif case == "key_map_json":
        save_npz(path, {**arrays, "nnstudio.params": np.array("{" * 100_000)})
    elif case == "scaler":
        save_npz(path, {**arrays, "preprocessing.offset": arrays["preprocessing.offset"] + 1})
    elif case == "no_scaler":
        save_npz(path, {k: v for k, v in arrays.items() if not k.startswith("preprocessing")})
    elif case == "not_zip":
        path.write_bytes(b"\x93NUMPY" + b"\0" * 100)
    elif case == "fifo":
        os.mkfifo(path)
    elif case == "folder":
        path.mkdir()
    elif case == "too_big":
        with zipfile.ZipFile(path, "w") as archive:       # a bomb: small file, huge content
            archive.writestr("a.npy", b"\0" * 50_000_000, compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(WeightsError) as caught:
        read_weights(project, path, base_dir=examples_dir())
    message = str(caught.value)
    assert str(path) in message and "\n" not in message and len(message) < 400, message


def test_cli_imports_checks_and_saves(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    _project, arrays = exported("xor", tmp_path)
    source = examples_dir() / "xor.nnstudio"
    good = save_npz(tmp_path / "trained.npz", shifted(arrays))
    out = tmp_path / "saved" / "xor.nnstudio"
    assert main(["import-weights", str(source), str(good), "--save", str(out)]) == 0
    assert "Imported the network's weights" in capsys.readouterr().out
    saved = load_project(out)
    assert Trainer(saved, base_dir=out.parent).dataset.n_samples > 0
    assert main(["import-weights", str(source), str(good)]) == 0            # check only
    assert "Not saved" in capsys.readouterr().out
    bad = save_npz(tmp_path / "bad.npz", {k: v for k, v in arrays.items()
                                          if not k.endswith("weight")})
    assert main(["import-weights", str(source), str(bad), "--save", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip()
    assert "bad.npz" in err and "\n" not in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()
    assert main(["import-weights", str(tmp_path / "nope.nnstudio"), str(good)]) == 2
    copy = tmp_path / "copy.nnstudio"
    save_project(load_project(source), copy)
    assert main(["import-weights", str(copy), str(good), "--in-place"]) == 0
    assert load_project(copy).same_as(saved)
    moved = load_project(source)
    moved.dataset = {"source": "csv", "path": "gone.csv"}
    save_project(moved, copy)
    assert main(["import-weights", str(copy), str(good), "--in-place"]) == 1  # no data
    assert "cannot be checked against the project's data" in capsys.readouterr().err
