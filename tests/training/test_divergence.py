"""Divergence as an outcome: exploding runs stop as "diverged" with their last good values."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli.main import main
from nnstudio.graph.files.project_file import load_project, save_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.training import Finished, Trainer

MOONS = {"source": "builtin", "name": "moons", "params": {}}
OPTIMIZERS = {"sgd-momentum-batchnorm": {"optimizer": "sgd", "momentum": 0.9},
              "adam": {"optimizer": "adam"}, "rmsprop": {"optimizer": "rmsprop"}}


def chain_project(layers: list[tuple[str, dict[str, object]]], **training: object) -> Project:
    d = Document()
    nodes = [d.add_node("layer.input", params={"kind": "vector", "features": 2})]
    nodes += [d.add_node(type_id, params=params) for type_id, params in layers]
    for a, b in itertools.pairwise(nodes):
        d.connect(a, "out", b, "in")
    settings = {"batch_size": 16, "epochs": 10, **training}
    return Project(graph=d, dataset=dict(MOONS), training=settings, seed=1)


def lr_1e6(name: str) -> Project:
    """Dense → BatchNorm → ReLU → Dense on moons at lr 1e6 (with SGD and momentum 0.9 the
    running variance overflows while BatchNorm keeps the loss finite)."""
    return chain_project([("layer.dense", {"units": 16}), ("layer.batchnorm", {}),
                          ("activation", {"function": "relu"}), ("layer.dense", {"units": 2}),
                          ("layer.output", {"loss": "cross_entropy"})],
                         lr=1e6, **OPTIMIZERS[name])


def deep_linear_chain() -> Project:
    """200 chained Linear layers (He init, no activation) with Adam: gradients overflow
    Adam's squared average while the loss is still finite."""
    layers: list[tuple[str, dict[str, object]]] = [
        ("layer.dense", {"units": 3, "initializer": "he_uniform"})] * 200
    project = chain_project([*layers, ("layer.dense", {"units": 2}),
                             ("layer.output", {"loss": "cross_entropy"})],
                            optimizer="adam", lr=0.001, epochs=3)
    project.seed = 0
    return project


def run(trainer: Trainer) -> Finished:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning leaks out of a diverging run
        finished = list(trainer.run())[-1]
    assert isinstance(finished, Finished)
    return finished


def assert_all_finite(trainer: Trainer) -> None:
    plan = trainer.plan
    for key, value in [*plan.params.items(), *plan.buffers.items()]:
        assert np.isfinite(value).all(), key
    for key, slots in trainer.optimizer.state.items():
        for slot, value in slots.items():
            assert np.isfinite(value).all(), (key, slot)
    assert all(np.isfinite(a).all() for a in trainer.results().optimizer_state["arrays"].values())


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_lr_1e6_ends_as_diverged_with_its_last_finite_values(name: str) -> None:
    trainer = Trainer(lr_1e6(name))
    start = trainer.plan.state_dict()
    finished = run(trainer)
    assert finished.reason == "diverged", finished.message
    assert_all_finite(trainer)
    assert "restored" in finished.message and "smaller learning rate" in finished.message
    # the values restored are ones that gave a sane loss, not exploded ones
    for key, value in trainer.plan.state_dict().items():
        assert np.abs(value).max() <= max(100.0, 100 * np.abs(start[key]).max()), key


def test_a_deep_linear_chain_with_adam_does_not_keep_infinite_optimizer_state() -> None:
    trainer = Trainer(deep_linear_chain())
    finished = run(trainer)
    assert finished.reason == "diverged", finished.message
    assert_all_finite(trainer)


def test_infinite_optimizer_state_behind_a_finite_loss_is_caught() -> None:
    project = lr_1e6("adam")
    project.training.update(lr=0.001, epochs=3)
    trainer = Trainer(project)
    batches = trainer.settings.effective_batch_size(trainer.split.train.n_samples)
    per_epoch = -(-trainer.split.train.n_samples // batches)
    step, calls = trainer.optimizer.step, 0

    def overflowing(params: object, grads: object) -> None:
        nonlocal calls
        step(params, grads)  # type: ignore[arg-type]
        calls += 1
        if calls == per_epoch:  # the last batch of epoch 1: the loss never sees it
            next(iter(trainer.optimizer.state.values()))["exp_avg_sq"][0] = np.inf

    trainer.optimizer.step = overflowing  # type: ignore[method-assign]
    finished = run(trainer)
    assert finished.reason == "diverged", finished.message
    assert "optimizer's average squared gradient" in finished.message
    assert f"epoch 1, batch {per_epoch}:" in finished.message
    assert_all_finite(trainer)


def test_restoring_puts_back_parameters_buffers_and_optimizer_state() -> None:
    project = lr_1e6("adam")
    project.training.update(lr=0.01, epochs=1)
    first = Trainer(project)
    assert run(first).reason == "completed"
    first.apply_to(project)  # weights, BatchNorm statistics and Adam's moments
    project.training.update(lr=1e6)
    trainer = Trainer(project)  # continues from them
    start = trainer.plan.state_dict()
    moments = {k: {s: a.copy() for s, a in v.items()} for k, v in trainer.optimizer.state.items()}
    steps = dict(trainer.optimizer.steps)
    assert moments and any(np.any(a) for v in moments.values() for a in v.values())
    finished = run(trainer)
    assert finished.reason == "diverged", finished.message
    assert "epoch 2, batch 1" in finished.message  # what it restored: the run's start
    for key, value in trainer.plan.params.items():  # (buffers: after that batch's forward)
        np.testing.assert_array_equal(value, start[f"{key[0]}/{key[1]}"])
    assert trainer.optimizer.steps == steps
    assert trainer.optimizer.state.keys() == moments.keys()
    for key, slots in trainer.optimizer.state.items():
        for slot, value in slots.items():
            np.testing.assert_array_equal(value, moments[key][slot])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_command_line_says_diverged_and_saves_finite_values(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, out = tmp_path / "run.nnstudio", tmp_path / "out.nnstudio"
    save_project(lr_1e6(name), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(["train", str(path), "--save", str(out)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "diverged" in printed and "restored" in printed
    saved = load_project(out)
    for node in saved.graph.nodes.values():
        for value in node.values.values():
            assert np.isfinite(value).all(), node.title
    assert all(np.isfinite(a).all() for a in saved.optimizer_state.get("arrays", {}).values())
