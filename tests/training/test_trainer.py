"""The trainer on small projects: settings, reproducibility, early stopping, divergence,
bagging, resuming, the lecture's gradients and snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.training import EpochRecord, Finished, Snapshot, StepRecord, Trainer
from nnstudio.training.metrics import eval_loss
from nnstudio.training.schedules import LRSchedule
from nnstudio.training.settings import TrainingError, TrainingSettings
from nnstudio.training.snapshots import GRID_SIZE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str, **training: object) -> Project:
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    project.training.update(training)
    return project


def run_all(trainer: Trainer, **kwargs: object) -> tuple[list[object], Finished]:
    records = list(trainer.run(**kwargs))  # type: ignore[arg-type]
    finished = records[-1]
    assert isinstance(finished, Finished)
    assert sum(isinstance(r, Finished) for r in records) == 1
    return records, finished


def mlp_project(dataset: dict, hidden: int = 16, out_units: int = 2,
                loss: str = "cross_entropy", **training: object) -> Project:
    d = Document()
    i = d.add_node("layer.input", params={"kind": "vector", "features": 2})
    h = d.add_node("layer.dense", params={"units": hidden})
    a = d.add_node("activation", params={"function": "tanh"})
    o = d.add_node("layer.dense", params={"units": out_units})
    out = d.add_node("layer.output", params={"loss": loss})
    for src, dst in ((i, h), (h, a), (a, o), (o, out)):
        d.connect(src, "out", dst, "in")
    settings = {"optimizer": "adam", "lr": 0.02, "batch_size": 16, "epochs": 20, **training}
    return Project(graph=d, dataset=dataset, training=settings, seed=3)


# --- settings ------------------------------------------------------------------------------

def test_settings_round_trip_and_defaults() -> None:
    s = TrainingSettings.from_dict({"lr": 0.5, "optimizer": "Adam", "epochs": 7.0})
    assert (s.lr, s.optimizer, s.epochs, s.batch_size) == (0.5, "adam", 7, 32)
    assert TrainingSettings.from_dict(s.to_dict()) == s


@pytest.mark.parametrize("bad", [{"lr": -1}, {"lr": "fast"}, {"optimizer": "lbfgs"},
                                 {"epochs": 0}, {"batch_size": -2}, {"colour": 1},
                                 {"val_fraction": 1.5}, {"early_stopping": True,
                                                         "val_fraction": 0.0}])
def test_bad_settings_raise_one_sentence(bad: dict) -> None:
    with pytest.raises(TrainingError) as info:
        TrainingSettings.from_dict(bad)
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


def test_descent_kind_uses_the_lectures_names() -> None:
    assert TrainingSettings(batch_size=0).descent_kind(100) == "batch"
    assert TrainingSettings(batch_size=1).descent_kind(100) == "stochastic"
    assert TrainingSettings(batch_size=10).descent_kind(100) == "mini-batch"
    assert TrainingSettings(batch_size=500).descent_kind(100) == "batch"


@pytest.mark.parametrize(("batch_size", "steps"), [(0, 1), (1, 80), (32, 3)])
def test_batch_size_sets_the_steps_per_epoch(batch_size: int, steps: int) -> None:
    project = example("linear_regression", batch_size=batch_size, epochs=2)
    trainer = Trainer(project)
    assert trainer.split.train.n_samples == 80
    run_all(trainer)
    assert [r["step"] for r in trainer.history] == [steps, 2 * steps]


def test_schedules() -> None:
    step = LRSchedule(TrainingSettings(lr=1.0, schedule="step", step_size=2, gamma=0.5))
    assert [step.lr_for(e) for e in range(1, 6)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    exp = LRSchedule(TrainingSettings(lr=1.0, schedule="exponential", gamma=0.5))
    assert exp.lr_for(3) == 0.25
    cos = LRSchedule(TrainingSettings(lr=1.0, schedule="cosine", epochs=10, min_lr=0.1))
    assert cos.lr_for(1) == 1.0 and cos.lr_for(11) == pytest.approx(0.1)
    assert cos.lr_for(6) == pytest.approx(0.55)
    plateau = LRSchedule(TrainingSettings(lr=1.0, schedule="plateau", plateau_patience=2,
                                          plateau_factor=0.1))
    for loss in (1.0, 0.5, 0.6, 0.7):
        plateau.observe(loss)
    assert plateau.lr_for(5) == pytest.approx(0.1)


# --- errors --------------------------------------------------------------------------------

def test_dataset_mismatch_is_a_training_error() -> None:
    project = example("xor")
    project.dataset = {"source": "builtin", "name": "line"}
    with pytest.raises(TrainingError):
        Trainer(project)


def test_missing_dataset_is_a_training_error() -> None:
    project = example("xor")
    project.dataset = {}
    with pytest.raises(TrainingError, match="no dataset"):
        Trainer(project)


# --- the lecture's example -----------------------------------------------------------------

def test_chocolate_gradients_match_the_lectures_formulas() -> None:
    project = example("chocolate_happiness")
    trainer = Trainer(project)
    plan, doc = trainer.plan, project.graph
    x = trainer.split.train.x[:, 0].astype(np.float64)
    y = trainer.split.train.y[:, 0].astype(np.float64)
    edges = {(doc.edges[e].source.node_id, doc.edges[e].target.node_id): e for e in doc.edges}
    ids = {n.title.split(" ")[0]: n.id for n in doc.nodes.values()}
    e_w1, e_b1 = edges[(ids["x"], ids["h"])], edges[(ids["b1"], ids["h"])]
    e_w2, e_b2 = edges[(ids["h"], ids["g"])], edges[(ids["b2"], ids["g"])]
    w = plan.edge_weights()
    w1, b1, w2, b2 = w[e_w1], w[e_b1], w[e_w2], w[e_b2]
    plan.forward(trainer.split.train.x, training=True)
    plan.loss(trainer.split.train.y)
    plan.zero_grad()
    plan.backward()
    h = w1 * x + b1
    e = y - (w2 * h + b2)
    n = len(x)
    expected = {e_w1: -2 / n * np.sum(e * w2 * x), e_b1: -2 / n * np.sum(e * w2),
                e_w2: -2 / n * np.sum(e * h), e_b2: -2 / n * np.sum(e)}
    grads = plan.edge_grads()
    for edge, value in expected.items():
        assert grads[edge] == pytest.approx(value, rel=1e-4, abs=1e-6)


# --- reproducibility and resuming ----------------------------------------------------------

def test_same_seed_gives_the_same_history_bit_for_bit() -> None:
    def train(seed: int) -> tuple[list[dict], dict[str, np.ndarray]]:
        project = example("spiral_regularization", epochs=4)
        project.seed = seed
        trainer = Trainer(project)
        run_all(trainer)
        return trainer.history, trainer.plan.state_dict()

    h1, w1 = train(5)
    h2, w2 = train(5)
    h3, _ = train(6)
    assert h1 == h2
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)
    assert h1 != h3


def test_resuming_continues_epochs_history_and_optimizer_state() -> None:
    project = example("xor", epochs=3)
    first = Trainer(project)
    run_all(first)
    first.apply_to(project)
    assert project.optimizer_state["meta"]["steps"][0] == first.step
    second = Trainer(project)
    assert second.optimizer.steps == first.optimizer.steps
    run_all(second, epochs=2)
    assert [r["epoch"] for r in second.history] == [1, 2, 3, 4, 5]
    assert second.history[:3] == first.history
    assert second.step == first.step * 5 // 3
    assert all(s == second.step for s in second.optimizer.steps.values())


# --- early stopping, divergence, bagging ---------------------------------------------------

def test_early_stopping_stops_after_patience_and_restores_the_best_weights() -> None:
    project = mlp_project({"source": "builtin", "name": "moons",
                           "params": {"n_samples": 120, "noise": 0.4}},
                          hidden=64, lr=0.05, epochs=300, early_stopping=True, patience=4)
    trainer = Trainer(project)
    _, finished = run_all(trainer)
    assert finished.reason == "early_stopped"
    best = finished.best_epoch
    assert best is not None
    assert finished.epochs_run - best <= 4 + 1
    assert finished.epochs_run < 300
    val = trainer.split.val
    restored = eval_loss(trainer.plan.heads, trainer.plan.predict(val.x), val.y)
    assert restored == pytest.approx(trainer.history[best - 1]["val_loss"], rel=1e-6)
    assert restored < trainer.history[-1]["val_loss"]


def test_a_diverging_run_stops_with_a_message_and_finite_weights() -> None:
    project = example("linear_regression", lr=1e6, epochs=50)
    trainer = Trainer(project)
    _, finished = run_all(trainer)
    assert finished.reason == "diverged"
    assert "diverged" in finished.message and "smaller learning rate" in finished.message
    assert all(np.all(np.isfinite(a)) for a in trainer.plan.params.values())
    assert all(np.isfinite(v) for v in trainer.plan.edge_weights().values())


def test_bagging_ensemble_is_never_worse_than_its_members_mean() -> None:
    project = example("bagging", epochs=15)
    trainer = Trainer(project)
    records, finished = run_all(trainer)
    assert finished.reason == "completed"
    assert len(trainer.history) == 15
    assert [len(h) for h in trainer.member_history] == [15] * 5
    for record in trainer.history:
        members = [record[f"member{k}_val_loss"] for k in range(5)]
        assert record["member_mean_val_loss"] == pytest.approx(np.mean(members))
        assert record["val_loss"] <= record["member_mean_val_loss"] + 1e-12
    member_records = [r for r in records if isinstance(r, EpochRecord) and r.member is not None]
    assert {r.member for r in member_records} == set(range(5))
    raw = trainer.dataset.x[:10]
    members = [m.plan.predict(trainer.scaler.transform(raw)) for m in trainer._members]
    assert np.allclose(trainer.predict(raw), np.mean(members, axis=0))
    results = trainer.results()
    assert len(results.ensemble) == 5


# --- records and snapshots -----------------------------------------------------------------

def test_records_and_snapshots_for_2d_data() -> None:
    project = example("xor", epochs=2)
    trainer = Trainer(project, snapshot_interval_s=0.0)
    records, _ = run_all(trainer)
    assert any(isinstance(r, StepRecord) for r in records)
    snaps = [r for r in records if isinstance(r, Snapshot)]
    assert snaps
    snap = snaps[-1]
    assert snap.grid is not None and snap.grid.values.shape == (GRID_SIZE, GRID_SIZE)
    raw = trainer.dataset.x
    assert snap.grid.xs[0] < raw[:, 0].min() and snap.grid.xs[-1] > raw[:, 0].max()
    assert np.all((snap.grid.values >= 0) & (snap.grid.values <= 1))
    hidden = [n.id for n in project.graph.nodes.values() if n.type_id == "neuron.neuron"]
    assert set(hidden) <= set(snap.neuron_maps)
    assert all(m.shape == (GRID_SIZE, GRID_SIZE) for m in snap.neuron_maps.values())
    assert set(snap.edge_weights) == set(project.graph.edges) - {
        e.id for e in project.graph.edges.values() if e.target.port != "in"
        or project.graph.nodes[e.target.node_id].type_id != "neuron.neuron"}
    # the copies do not change when training goes on
    before = {k: v.copy() for k, v in snaps[0].weights.items()}
    assert all(np.array_equal(before[k], snaps[0].weights[k]) for k in before)


def test_snapshots_hold_filters_and_feature_maps_for_a_cnn() -> None:
    project = example("digits_cnn", epochs=1)
    trainer = Trainer(project, snapshot_interval_s=1000.0)
    records, _ = run_all(trainer)
    snaps = [r for r in records if isinstance(r, Snapshot)]
    assert len(snaps) == 1  # only the final one within the interval
    snap = snaps[0]
    assert sorted(f.shape for f in snap.filters.values()) == [(8, 1, 3, 3), (16, 8, 3, 3)]
    shapes = sorted(m.shape for m in snap.feature_maps.values())
    assert shapes == [(8, 4, 4), (8, 8, 8), (16, 2, 2), (16, 4, 4)]
    assert snap.grid is None and snap.curve is None


def test_snapshot_curve_for_1d_regression_and_none_without_asking() -> None:
    trainer = Trainer(example("linear_regression", epochs=30), snapshot_interval_s=0.0)
    snap = [r for r in trainer.run() if isinstance(r, Snapshot)][-1]
    assert snap.curve is not None
    xs, ys = snap.curve
    assert xs.shape == ys.shape == (200,)
    assert np.allclose(ys, 2 * xs + 0.5, atol=0.3)
    plain = Trainer(example("linear_regression", epochs=3))
    assert not any(isinstance(r, Snapshot) for r in plain.run())


def test_regression_metrics_and_apply_to() -> None:
    project = example("linear_regression")
    trainer = Trainer(project)
    run_all(trainer)
    last = trainer.history[-1]
    assert last["val_r2"] > 0.95 and last["val_mae"] < 0.15
    assert set(k for k in last if k.startswith("grad_norm/"))
    trainer.apply_to(project)
    weights = [e.weight for e in project.graph.edges.values() if e.weight is not None]
    assert sorted(round(w, 1) for w in weights) == [0.5, 2.0]
    assert project.history == trainer.history
    assert project.preprocessing["scaler"]["kind"] == "none"
