"""``nnstudio export`` on the command line, and the training history as CSV."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli.main import main
from nnstudio.export import ExportError, history_csv_text, write_history_csv
from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer

XOR = examples_dir() / "xor.nnstudio"


@pytest.fixture(scope="module")
def trained_xor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """xor.nnstudio trained for 3 epochs and saved (with history and scaler)."""
    project = load_project(XOR)
    trainer = Trainer(project, base_dir=XOR.parent)
    list(trainer.run(epochs=3))
    trainer.apply_to(project)
    path = tmp_path_factory.mktemp("xor") / "xor.nnstudio"
    save_project(project, path)
    return path


def test_cli_writes_pytorch_script_and_weights(trained_xor: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "xor_model.py"
    assert main(["export", str(trained_xor), "--to", "pytorch", str(out)]) == 0
    assert out.is_file() and out.with_suffix(".npz").is_file()
    assert "wrote" in capsys.readouterr().out
    with np.load(out.with_suffix(".npz")) as arrays:
        assert "preprocessing.offset" in arrays.files
        assert any(k.endswith(".weight") for k in arrays.files)


def test_cli_writes_onnx(trained_xor: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    out = tmp_path / "xor.onnx"
    assert main(["export", str(trained_xor), "--to", "onnx", str(out)]) == 0
    assert out.stat().st_size > 0


def test_cli_writes_history_csv(trained_xor: Path, tmp_path: Path) -> None:
    out = tmp_path / "history.csv"
    assert main(["export", str(trained_xor), "--to", "csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert err and "\n" not in err and "Traceback" not in err
    return err


def test_cli_errors_are_one_sentence(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(tmp_path / "missing.nnstudio"), "--to", "onnx",
                 str(tmp_path / "m.onnx")]) == 2
    one_line_error(capsys)
    assert main(["export", str(XOR), "--to", "csv", str(tmp_path / "h.csv")]) == 1
    assert "no training history" in one_line_error(capsys)
    assert main(["export", str(XOR), "--to", "pytorch",
                 str(tmp_path / "no_such_dir" / "m.py")]) == 1
    assert "Cannot write" in one_line_error(capsys)


def test_cli_says_when_onnx_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)   # makes ``import onnx`` fail
    assert main(["export", str(XOR), "--to", "onnx", str(tmp_path / "m.onnx")]) == 1
    assert "needs the 'onnx' package" in one_line_error(capsys)
    assert not (tmp_path / "m.onnx").exists()


def test_invalid_network_is_one_sentence(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    project = load_project(XOR)
    out_node = next(n for n, node in project.graph.nodes.items()
                    if node.type_id.endswith("output"))
    project.graph.remove_node(out_node)
    path = tmp_path / "broken.nnstudio"
    save_project(project, path)
    assert main(["export", str(path), "--to", "pytorch", str(tmp_path / "m.py")]) == 1
    assert "cannot be exported" in one_line_error(capsys)


def test_history_csv_reads_back_exactly(tmp_path: Path) -> None:
    history = [
        {"epoch": 1, "train_loss": 0.6931471805599453, "val_loss": None, "lr": 0.1,
         "grad_norm/n3": 1.25e-7, "member": None},
        {"epoch": 2, "train_loss": 0.5, "val_loss": 0.55, "val_accuracy": 0.75, "lr": 0.1,
         "grad_norm/n3": 3.0, "member": None},
    ]
    path = write_history_csv(history, tmp_path / "h")
    assert path.suffix == ".csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == ["epoch", "train_loss", "val_loss", "lr", "grad_norm/n3", "member",
                             "val_accuracy"]
    assert float(rows[0]["train_loss"]) == 0.6931471805599453
    assert float(rows[0]["grad_norm/n3"]) == 1.25e-7
    assert rows[0]["val_loss"] == "" and rows[0]["val_accuracy"] == ""
    assert float(rows[1]["val_accuracy"]) == 0.75


def test_history_csv_flattens_nested_values() -> None:
    text = history_csv_text([{"epoch": 1, "metrics": {"acc": 0.5}, "flag": True}])
    assert text.splitlines() == ["epoch,metrics/acc,flag", "1,0.5,true"]


def test_empty_history_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no training history"):
        write_history_csv([], tmp_path / "h.csv")
