"""Issue 15: ``export --to pytorch-project`` writes a folder a PyTorch user recognises.

These tests need no torch: they check the folder, the generated scripts' statements, and
that the exported ``data.py`` (NumPy only) gives exactly the split and scaled arrays
NN Studio trains on, for every example and for CSV, NPZ and IDX files.
"""

from __future__ import annotations

import ast
import contextlib
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from hostile import MARKER, assert_marker_only_in_strings, hostile_project, top_level
from project_helpers import EXAMPLES, export_folder, import_file

from nnstudio.cli.main import main
from nnstudio.export import ExportError
from nnstudio.export.torch_project import MARKER as EXPORT_MARKER
from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer
from nnstudio.training.new_project import build_graph, new_project_from_data

TEMPLATES = Path(__file__).parents[2] / "nnstudio" / "export" / "torch_project" / "templates"
FILES = {"model.py", "model.npz", "data.py", "data/split.npz", "train.py", "README.md",
         EXPORT_MARKER}


def same_split(folder: Path, trainer: Trainer, data_dir: Path | None = None) -> None:
    """data.py's parts are exactly the trainer's (scaled x, y), row for row."""
    data = import_file(folder / "data.py")
    splits = data.load_splits(data_dir)
    for name, part in (("train", trainer.split.train), ("val", trainer.split.val),
                       ("test", trainer.split.test)):
        if part is None:
            assert name not in splits
            continue
        x, y = splits[name]
        assert x.dtype == part.x.dtype and y.dtype == part.y.dtype
        np.testing.assert_array_equal(x, part.x)
        np.testing.assert_array_equal(y, part.y)
    # data.py's own split (for other data) draws NN Studio's rows from the seed
    drawn = data.split_rows(data.read_dataset(data_dir)[1])
    assert drawn.keys() == splits["rows"].keys()
    for name, rows in drawn.items():
        np.testing.assert_array_equal(rows, splits["rows"][name])


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_exports_a_complete_folder(name: str, tmp_path: Path) -> None:
    project = load_project(examples_dir() / f"{name}.nnstudio")
    folder = tmp_path / name
    written = export_folder(project, folder)
    assert {str(p.relative_to(folder)) for p in written} == FILES | {"data/dataset.npz"}
    for script in ("data.py", "train.py"):   # the templates' statements, settings filled in
        assert top_level((folder / script).read_text(encoding="utf-8")) == top_level(
            (TEMPLATES / script).read_text(encoding="utf-8"))
    ast.parse((folder / "model.py").read_text(encoding="utf-8"))
    same_split(folder, Trainer(project, base_dir=examples_dir()))
    marker = json.loads((folder / EXPORT_MARKER).read_text(encoding="utf-8"))
    assert marker["format"] == "nnstudio-pytorch-project"
    with np.load(folder / "model.npz") as arrays:
        key_map = json.loads(str(arrays["nnstudio.params"]))
        assert key_map and set(key_map) <= set(arrays.files)


def test_train_settings_are_the_projects(tmp_path: Path) -> None:
    project = load_project(examples_dir() / "spiral_regularization.nnstudio")
    dense = [n for n in project.graph.nodes.values() if n.type_id == "layer.dense"]
    project.graph.set_param(dense[1].id, "penalty", "l1_l2")
    project.graph.set_param(dense[1].id, "l1", 0.001)
    project.graph.set_param(dense[2].id, "penalty", "none")
    settings = train_settings(project, tmp_path / "spiral")
    assert settings["SETTINGS"] == project.training
    assert settings["SETTINGS"]["early_stopping"] is True
    assert settings["PENALTIES"] == [("dense_64_l2.weight", 0.0, 0.0001, None),
                                     ("dense_64_l2_2.weight", 0.001, 0.0001, None)]
    assert settings["HEADS"] == [("cross_entropy", 0, 2, None)]
    assert settings["ENCODING"] == "labels" and settings["N_CLASSES"] == 2
    trainer = Trainer(project, base_dir=examples_dir())
    assert [node for node, _ in settings["NORMS"]] == list(trainer.plan.node_weights())

    xor = load_project(examples_dir() / "xor.nnstudio")
    h2 = next(n.id for n in xor.graph.nodes.values() if n.title == "h2")
    xor.graph.set_param(h2, "penalty", "l1")
    xor.graph.set_param(h2, "l1", 0.01)
    settings = train_settings(xor, tmp_path / "xor")
    assert settings["PENALTIES"] == [("neurons_1.weight", 0.01, 0.0, [1])]
    assert settings["HEADS"] == [("bce_with_logits", 0, 1, 0)]
    assert settings["ENCODING"] == "one_hot" and settings["TASK"] == "binary"
    norms = dict(settings["NORMS"])
    assert norms[h2] == [("neurons_1.weight", [2, 3]), ("neurons_1.bias", [1])]


def train_settings(project: Project, folder: Path) -> dict[str, object]:
    """The literal settings of an export's train.py."""
    export_folder(project, folder)
    settings = {}
    source = (folder / "train.py").read_text(encoding="utf-8")
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            with contextlib.suppress(ValueError):
                settings[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    return settings


# --- data files --------------------------------------------------------------------------

def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    lines = ["size;weight;colour;kind"]
    for i in range(rows):
        a, b = rng.normal(size=2)
        lines.append(f"{a:.4f};{b * 10:.3f};{i % 3};{'ab'[int(a + b > 0)]}{'+' * (i % 2)}")
        if i % 17 == 0:
            lines.append("")                       # blank lines are skipped
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_npz(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, 4, 4)).astype(np.float32)   # (N, H, W): a channel is added
    np.savez(path, X=x, y=rng.normal(size=rows))           # float y: regression


def write_idx(folder: Path, rows: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(rows, 6, 6), dtype=np.uint8)
    labels = rng.integers(0, 3, size=rows).astype(np.uint8)
    img = folder / "tiny-images-idx3-ubyte.gz"
    lab = folder / "tiny-labels-idx1-ubyte"
    img.write_bytes(gzip.compress(bytes([0, 0, 8, 3]) + np.array([rows, 6, 6], ">u4").tobytes()
                                  + images.tobytes()))
    lab.write_bytes(bytes([0, 0, 8, 1]) + np.array([rows], ">u4").tobytes() + labels.tobytes())
    return img, lab


def file_project(kind: str, folder: Path, rows: int) -> Project:
    if kind == "csv":
        write_csv(folder / "table.csv", rows)
        project = new_project_from_data(folder / "table.csv", target="kind", hidden=(4,),
                                        project_dir=folder, seed=3)
        project.dataset["feature_columns"] = ["weight", 0]      # names and numbers
    elif kind == "npz":
        write_npz(folder / "arrays.npz", rows)
        project = new_project_from_data(folder / "arrays.npz", hidden=(4,),
                                        project_dir=folder, seed=3)
    else:
        img, lab = write_idx(folder, rows)
        from nnstudio.training.datasets import load_dataset
        spec = {"source": "idx", "images": img.name, "labels": lab.name}
        ds = load_dataset(spec, base_dir=folder)
        project = Project(graph=build_graph(ds, (4,)), dataset=spec, seed=3,
                          training={"test_fraction": 0.1, "scaling": "minmax"})
    if kind == "csv":     # the graph must fit the two chosen features
        from nnstudio.training.datasets import load_dataset
        project.graph = build_graph(load_dataset(project.dataset, base_dir=folder), (4,))
    doc = project.graph
    flatten = [n for n in doc.nodes.values() if n.type_id == "layer.flatten"]
    if flatten and not doc.incoming(flatten[0].id):  # build_graph leaves images unwired
        source = next(n.id for n in doc.nodes.values() if n.type_id == "layer.input")
        doc.connect(source, "out", flatten[0].id, "in")
    return project


@pytest.mark.parametrize("kind", ["csv", "npz", "idx"])
def test_data_files_are_read_split_and_scaled_as_nnstudio_does(kind: str,
                                                                tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    project = file_project(kind, data_dir, 60)
    folder = tmp_path / "export"
    written = export_folder(project, folder, base_dir=data_dir)
    assert not (folder / "data" / "dataset.npz").exists()    # read from the user's file
    assert folder / "data" / "dataset.npz" not in written
    source = (folder / "data.py").read_text(encoding="utf-8")
    assert str(data_dir.resolve()) in source
    same_split(folder, Trainer(project, base_dir=data_dir))
    # a bigger copy of the data elsewhere: a fresh split and scaler, NN Studio's rules
    bigger = tmp_path / "bigger"
    bigger.mkdir()
    copy = file_project(kind, bigger, 150)
    same_split(folder, Trainer(copy, base_dir=bigger), data_dir=bigger)


def test_a_file_data_py_cannot_read_exactly_is_copied(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import nnstudio.export.torch_project as torch_project

    monkeypatch.setattr(torch_project, "reads_the_same", lambda *_: "a test says so")
    project = file_project("csv", tmp_path, 40)
    folder = tmp_path / "export"
    export_folder(project, folder, base_dir=tmp_path)
    assert (folder / "data" / "dataset.npz").is_file()
    assert "a test says so" in (folder / "README.md").read_text(encoding="utf-8")
    same_split(folder, Trainer(project, base_dir=tmp_path))


# --- hostile text and folders --------------------------------------------------------------

def test_hostile_names_reach_the_scripts_only_as_literals(tmp_path: Path) -> None:
    data_dir = tmp_path / f'd"""\n{MARKER}'
    data_dir.mkdir()
    rows = [f'x\'#1 {MARKER}\\,"=cmd|q""""""{MARKER}",class']      # x'#1 M\ | =cmd|q"""M
    classes = ['"a""""""' + MARKER + '\\#"', "+b"]        # a"""M\# and +b
    rows += [f"{i},{i * 2},{classes[i % 2]}" for i in range(30)]
    (data_dir / "t.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    project = hostile_project(examples_dir() / "xor.nnstudio")
    plain = new_project_from_data(data_dir / "t.csv", hidden=(3,), project_dir=data_dir)
    project.graph, project.dataset, project.training = (plain.graph, plain.dataset,
                                                        plain.training)
    folder = tmp_path / "export"
    export_folder(project, folder, base_dir=data_dir)
    for script in ("data.py", "train.py"):
        source = (folder / script).read_text(encoding="utf-8")
        assert top_level(source) == top_level((TEMPLATES / script).read_text(encoding="utf-8"))
        assert_marker_only_in_strings(source)
    model = (folder / "model.py").read_text(encoding="utf-8")
    assert_marker_only_in_strings(model)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    export_folder(plain, tmp_path / "benign", base_dir=data_dir)
    benign = (tmp_path / "benign" / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) == len(benign.splitlines())   # no line was added
    assert "<" not in readme and not any(line.startswith(MARKER) for line in readme.split("\n"))
    assert all(line.isprintable() for line in readme.split("\n"))
    same_split(folder, Trainer(project, base_dir=data_dir))


def test_export_refuses_a_folder_with_other_files_and_replaces_its_own(tmp_path: Path) -> None:
    project = load_project(examples_dir() / "xor.nnstudio")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("mine", encoding="utf-8")
    with pytest.raises(ExportError, match="not empty"):
        export_folder(project, tmp_path / "busy")
    assert (tmp_path / "busy" / "thesis.tex").read_text(encoding="utf-8") == "mine"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match="is a file"):
        export_folder(project, tmp_path / "file")
    export_folder(project, tmp_path / "again")
    (tmp_path / "again" / "output").mkdir()
    export_folder(project, tmp_path / "again")       # an earlier export: replaced
    assert (tmp_path / "again" / "output").is_dir()


def test_cli_writes_the_project_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    out = tmp_path / "bagging_pytorch"
    assert main(["export", str(examples_dir() / "bagging.nnstudio"), "--to",
                 "pytorch-project", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "wrote" in printed and "bagging ensemble of 5 members" in printed
    assert {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} == \
        FILES | {"data/dataset.npz"}
    project = load_project(examples_dir() / "bagging.nnstudio")
    project.dataset = {"source": "csv", "path": "missing.csv"}
    broken = tmp_path / "broken.nnstudio"
    save_project(project, broken)
    assert main(["export", str(broken), "--to", "pytorch-project", str(tmp_path / "b")]) == 1
    err = capsys.readouterr().err.strip()
    assert "missing.csv" in err and "\n" not in err and "Traceback" not in err
