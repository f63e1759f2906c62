"""``nnstudio train``: epoch lines, --json, saving, and one-sentence errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nnstudio.cli.main import main
from nnstudio.graph.files.project_file import load_project, save_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def copy_example(name: str, folder: Path) -> Path:
    target = folder / f"{name}.nnstudio"
    shutil.copy(EXAMPLES / f"{name}.nnstudio", target)
    return target


def test_human_output_has_one_line_per_epoch_and_a_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_example("xor", tmp_path)
    assert main(["train", str(path), "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("epoch")]
    assert len(lines) == 3 and "val_accuracy" in lines[0] and "lr" in lines[0]
    assert "Training completed 3 epochs" in out and "Not saved" in out
    assert not load_project(path).history  # nothing written without --save / --in-place


def test_json_lines_only_on_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_example("logistic_regression", tmp_path)
    assert main(["train", str(path), "--epochs", "4", "--json", "--seed", "3"]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3, 4]
    for key in ("epoch", "train_loss", "val_loss", "val_accuracy", "lr"):
        assert key in records[0]
    assert "Training completed" in captured.err


def test_save_and_in_place_store_weights_and_history(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_example("xor", tmp_path)
    out = tmp_path / "sub" / "trained.nnstudio"
    assert main(["train", str(path), "--epochs", "2", "--save", str(out)]) == 0
    trained = load_project(out)
    assert len(trained.history) == 2 and trained.optimizer_state
    assert all(e.weight is not None for e in trained.graph.edges.values()
               if trained.graph.nodes[e.target.node_id].type_id == "neuron.neuron")
    assert not load_project(path).history
    assert main(["train", str(out), "--epochs", "1", "--in-place"]) == 0
    assert [r["epoch"] for r in load_project(out).history] == [1, 2, 3]
    capsys.readouterr()


def test_missing_file_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(tmp_path / "nope.nnstudio")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_invalid_graph_and_bad_settings_exit_non_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = load_project(EXAMPLES / "xor.nnstudio")
    output = next(n.id for n in project.graph.nodes.values() if n.type_id == "neuron.output")
    project.graph.remove_node(output)
    broken = tmp_path / "broken.nnstudio"
    save_project(project, broken)
    assert main(["train", str(broken)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    project = load_project(EXAMPLES / "xor.nnstudio")
    project.training.update(val_fraction=0.6, test_fraction=0.5)  # each within bounds
    bad = tmp_path / "bad.nnstudio"
    save_project(project, bad)
    assert main(["train", str(bad), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "validation and test fractions" in captured.err


def test_diverging_run_exits_non_zero_with_the_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = load_project(EXAMPLES / "linear_regression.nnstudio")
    project.training["lr"] = 1e6
    path = tmp_path / "wild.nnstudio"
    save_project(project, path)
    assert main(["train", str(path)]) == 1
    assert "diverged" in capsys.readouterr().out


@pytest.mark.parametrize("option, value, phrase", [
    ("--epochs", "9" * 4000, "--epochs must be a whole number from 1 to 1,000,000, not a "
                             "4000-digit number."),
    ("--epochs", "0", "not 0."),
    ("--seed", str(2**40), "--seed must be a whole number from 0 to 2,147,483,647"),
])
def test_numbers_on_the_command_line_keep_the_declared_bounds(
        option: str, value: str, phrase: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: a 4,000-digit --epochs was accepted (a run without end) and echoed whole."""
    assert main(["train", str(EXAMPLES / "xor.nnstudio"), option, value]) == 1
    err = capsys.readouterr().err
    assert phrase in err and err.count("\n") == 1 and len(err) < 200


def test_a_result_that_cannot_be_saved_is_one_sentence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_example("xor", tmp_path)
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file").write_text("")
    for target, expected in (
            (tmp_path / "a_folder", f"nnstudio train: Could not save {tmp_path / 'a_folder'}: "
                                    "Is a directory.\n"),
            (tmp_path / "a_file" / "out.nnstudio",
             f"nnstudio train: cannot save {tmp_path / 'a_file' / 'out.nnstudio'}: its folder "
             f"{tmp_path / 'a_file'} cannot be made (File exists).\n")):
        assert main(["train", str(path), "--epochs", "1", "--save", str(target)]) == 2
        assert capsys.readouterr().err == expected
