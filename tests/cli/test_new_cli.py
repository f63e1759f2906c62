"""``nnstudio new --data FILE OUT`` and then ``nnstudio train OUT``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli.main import main
from nnstudio.graph.files.project_file import load_project
from nnstudio.training.new_project import new_project_from_data
from nnstudio.training.settings import TrainingError


def write_csv(path: Path, n: int = 240) -> Path:
    rng = np.random.default_rng(0)
    rows = ["width,height,weight,label"]
    for _ in range(n):
        x = rng.normal(size=3)
        label = "apple" if x[0] + x[1] > 0 else ("pear" if x[2] > 0 else "plum")
        rows.append(f"{x[0]:.4f},{x[1]:.4f},{x[2]:.4f},{label}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_new_then_train_on_a_csv_with_string_labels(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_csv(tmp_path / "some.csv")
    out = tmp_path / "projects" / "fruit.nnstudio"
    assert main(["new", "--data", str(data), "--target", "label", str(out)]) == 0
    project = load_project(out)
    types = [n.type_id for n in project.graph.nodes.values()]
    assert types == ["layer.input", "layer.dense", "activation", "layer.dense", "activation",
                     "layer.dense", "layer.output"]
    dense = [n for n in project.graph.nodes.values() if n.type_id == "layer.dense"]
    assert [n.params["units"] for n in dense] == [32, 16, 3]
    assert project.dataset["path"] == "../some.csv"
    capsys.readouterr()
    assert main(["train", str(out), "--epochs", "50", "--json"]) == 0
    history = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(history) == 50 and history[-1]["val_accuracy"] > 0.85


def test_regression_task_and_hidden_sizes(tmp_path: Path) -> None:
    data = tmp_path / "r.csv"
    data.write_text("a,b,y\n" + "\n".join(f"{i},{i % 7},{2 * i + 1}" for i in range(50)),
                    encoding="utf-8")
    project = new_project_from_data(data, hidden=[8], task="regression", project_dir=tmp_path)
    loss = [n.params["loss"] for n in project.graph.nodes.values()
            if n.type_id == "layer.output"]
    assert loss == ["mse"]
    assert project.dataset == {"source": "csv", "path": "r.csv", "target_kind": "numeric"}


def test_new_from_npz_images(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "img.npz", X=rng.random((30, 1, 4, 4)).astype(np.float32),
             y=np.arange(30) % 2)
    project = new_project_from_data(tmp_path / "img.npz", hidden=[], project_dir=tmp_path)
    types = [n.type_id for n in project.graph.nodes.values()]
    assert types[:2] == ["layer.input", "layer.flatten"]


@pytest.mark.parametrize("args", [["--data", "missing.csv"], ["--data", "x.csv", "--hidden",
                                                                "3,a"]])
def test_errors_are_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 args: list[str]) -> None:
    write_csv(tmp_path / "x.csv")
    args = [a if not a.endswith(".csv") else str(tmp_path / a) for a in args]
    assert main(["new", *args, str(tmp_path / "o.nnstudio")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unknown_target_column_is_a_training_error(tmp_path: Path) -> None:
    with pytest.raises(TrainingError):
        new_project_from_data(write_csv(tmp_path / "x.csv"), target="colour")
