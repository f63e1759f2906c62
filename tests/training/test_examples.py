"""The example projects: up to date with make_examples.py, and reaching the lecture's
targets when trained from the command line (issue 4's acceptance list)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli.main import main
from nnstudio.graph.files.project_file import load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _make_examples():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_saved_examples_match_the_script_and_are_untrained() -> None:
    module = _make_examples()
    assert set(module.EXAMPLES) == {p.stem for p in EXAMPLES.glob("*.nnstudio")}
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name in module.EXAMPLES:
        saved = load_project(EXAMPLES / f"{name}.nnstudio")
        assert saved.same_as(module.build_example(name)), \
            f"{name}.nnstudio is stale: run make_examples.py"
        assert not saved.history and not saved.optimizer_state
        assert all(not n.values for n in saved.graph.nodes.values())
        neuron_edges = [e for e in saved.graph.edges.values()
                        if saved.graph.nodes[e.target.node_id].type_id == "neuron.neuron"]
        shows_weights = name in module.SHOW_STARTING_WEIGHTS
        assert bool(neuron_edges) == shows_weights  # the neuron-level examples
        assert all(e.weight is not None for e in neuron_edges)
        assert saved.description and saved.description in readme
        xs = [n.position[0] for n in saved.graph.nodes.values()]
        assert max(xs) - min(xs) >= 400  # laid out left to right


def train_json(name: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    code = main(["train", str(EXAMPLES / f"{name}.nnstudio"), "--json", *extra])
    out = capsys.readouterr().out
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("name", ["xor", "logistic_regression"])
def test_classification_examples_reach_98_percent(name: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    history = train_json(name, capsys)
    assert history[-1]["val_accuracy"] >= 0.98


def test_chocolate_loss_falls(capsys: pytest.CaptureFixture[str]) -> None:
    history = train_json("chocolate_happiness", capsys)
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]
    assert history[-1]["val_loss"] < history[0]["val_loss"]


def test_linear_regression_learns_slope_and_intercept(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    out = tmp_path / "line.nnstudio"
    train_json("linear_regression", capsys, "--save", str(out))
    weights = sorted(e.weight for e in load_project(out).graph.edges.values()
                     if e.weight is not None)
    assert np.allclose(weights, [0.5, 2.0], atol=0.1)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "target"), [("digits_mlp", 0.95), ("digits_cnn", 0.97)])
def test_digits_examples(name: str, target: float, capsys: pytest.CaptureFixture[str]) -> None:
    history = train_json(name, capsys)
    assert history[-1]["val_accuracy"] >= target


@pytest.mark.slow
def test_spiral_regularization_stops_early_with_good_accuracy(
        capsys: pytest.CaptureFixture[str]) -> None:
    history = train_json("spiral_regularization", capsys)
    assert len(history) < 400
    best = history[-1]["best_epoch"]
    assert history[best - 1]["val_accuracy"] >= 0.9
