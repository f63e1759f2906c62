"""The data path holds a dataset once: parts by row number, scaled batch by batch."""

from __future__ import annotations

import itertools
import tracemalloc

import numpy as np
import pytest

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.training import Finished, Trainer
from nnstudio.training.datasets import Dataset, Scaler, scaling
from nnstudio.training.datasets.rows import ScaledRows
from nnstudio.training.prepared import prepare_run


def _table(n: int, features: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 2.0, (n, features)).astype(np.float32)
    y = (x[:, 0] > 3.0).astype(np.int64)
    return Dataset("table", x, y, "classification", tuple(f"f{i}" for i in range(features)),
                   ("low", "high"))


def _project(features: int, bagging: int = 1) -> Project:
    d = Document()
    chain = [d.add_node("layer.input", params={"kind": "vector", "features": features}),
             d.add_node("layer.dense", params={"units": 8}),
             d.add_node("activation", params={"function": "relu"}),
             d.add_node("layer.dense", params={"units": 2}),
             d.add_node("layer.output", params={"loss": "cross_entropy"})]
    for a, b in itertools.pairwise(chain):
        d.connect(a, "out", b, "in")
    settings = {"optimizer": "adam", "lr": 0.01, "batch_size": 256, "epochs": 1,
                "bagging_members": bagging, "scaling": "standardize"}
    return Project(graph=d, dataset={"source": "builtin", "name": "unused"},
                   training=settings, seed=2)


@pytest.mark.parametrize("kind", ["standardize", "minmax"])
def test_scaler_fitted_in_chunks_on_rows_equals_a_fit_on_their_copy(
        kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ds = _table(300, 5)
    rows = np.random.default_rng(1).permutation(300)[:200]
    whole = Scaler(kind).fit(ds.x[rows])  # type: ignore[arg-type]
    monkeypatch.setattr(scaling, "_BLOCK_VALUES", 7)  # one row per block
    chunked = Scaler(kind).fit(ds.x, rows)  # type: ignore[arg-type]
    assert chunked.offset is not None and chunked.scale is not None
    data = ds.x[rows].astype(np.float64)
    expected = (data.mean(0), data.std(0)) if kind == "standardize" else (
        data.min(0), data.max(0) - data.min(0))
    np.testing.assert_allclose(chunked.offset, expected[0], rtol=1e-12)
    np.testing.assert_allclose(chunked.scale, expected[1], rtol=1e-12)
    np.testing.assert_allclose(chunked.transform(ds.x), whole.transform(ds.x), rtol=1e-6)


def test_scaled_rows_read_like_the_scaled_array() -> None:
    ds = _table(50, 3)
    rows = np.arange(49, -1, -2)  # 25 rows, reversed
    scaler = Scaler("standardize").fit(ds.x, rows)
    lazy = ScaledRows(ds.x, rows, scaler)
    full = scaler.transform(ds.x[rows])
    assert lazy.shape == full.shape and len(lazy) == 25 and lazy.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(lazy), full)
    np.testing.assert_array_equal(lazy[3:9], full[3:9])
    np.testing.assert_array_equal(lazy[[4, 0, 4]], full[[4, 0, 4]])
    np.testing.assert_array_equal(lazy[-1], full[-1])
    np.testing.assert_array_equal(lazy[:, 1], full[:, 1])
    np.testing.assert_array_equal(lazy[2, 1:], full[2, 1:])
    np.testing.assert_array_equal(np.asarray(lazy.subset(slice(5, 10))), full[5:10])
    batch = lazy[:4]
    batch += 100.0  # a read is a copy: the dataset and the next read are untouched
    np.testing.assert_array_equal(lazy[:4], full[:4])
    assert not ds.x.flags.writeable


def test_prepared_parts_share_the_dataset_instead_of_copying_it() -> None:
    ds = _table(400, 6)
    prepared = prepare_run(_project(6), dataset=ds)
    split = prepared.split
    for part, rows in ((split.train, prepared.rows.train), (split.val, prepared.rows.val)):
        assert part.x.source is ds.x
        np.testing.assert_array_equal(part.rows, rows)
        np.testing.assert_array_equal(np.asarray(part.x), prepared.scaler.transform(ds.x[rows]))
        np.testing.assert_array_equal(part.y, ds.y[rows])
    np.testing.assert_array_equal(prepared.targets["val"], ds.y[prepared.rows.val])


@pytest.mark.parametrize("bagging", [1, 3])
def test_training_allocates_far_less_than_the_dataset(bagging: int) -> None:
    ds = _table(40_000, 200)  # 32 MB of inputs
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        trainer = Trainer(_project(200, bagging), dataset=ds)
        finished = list(trainer.run(epochs=1))[-1]
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert isinstance(finished, Finished) and finished.reason == "completed"
    assert peak < 0.35 * ds.x.nbytes, f"{peak / 1e6:.1f} MB for {ds.x.nbytes / 1e6:.0f} MB"


def test_batches_values_gradients_and_optimizer_state_stay_float32() -> None:
    trainer = Trainer(_project(6), dataset=_table(400, 6))
    member = trainer._members[0]
    plan, rows = member.plan, np.arange(32)
    batch = member.x[rows]
    plan.forward(batch, training=True)
    plan.loss(member.y[rows])
    plan.zero_grad()
    value_grads = plan.backward(keep_value_grads=True)
    trainer.optimizer.step(member.params, member.grads)
    arrays = [batch, *plan._values.values(), *value_grads.values(), *plan.grads.values(),
              *plan.params.values(),
              *(a for slots in trainer.optimizer.state.values() for a in slots.values()),
              plan.predict(trainer.split.val.x)]
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}
