"""Splits (fractions, stratification, determinism), scalers, target encodings, specs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nnstudio.training.datasets import (
    Dataset,
    DatasetError,
    Scaler,
    labels_from_scores,
    load_builtin,
    load_dataset,
    one_hot,
    scale_split,
    split_dataset,
    target_array,
)


def _imbalanced() -> Dataset:
    y = np.repeat(np.arange(3), [60, 30, 10]).astype(np.int64)
    x = np.arange(100, dtype=np.float32).reshape(-1, 1)
    return Dataset("imb", x, y, "classification", ("i",), ("a", "b", "c"))


def test_split_fractions_are_exact_and_parts_disjoint() -> None:
    ds = _imbalanced()
    split = split_dataset(ds, val_fraction=0.2, test_fraction=0.1, seed=4)
    assert (split.train.n_samples, split.val.n_samples) == (70, 20)
    assert split.test is not None and split.test.n_samples == 10
    ids = np.concatenate([split.train.x[:, 0], split.val.x[:, 0], split.test.x[:, 0]])
    assert sorted(ids.tolist()) == list(range(100))
    assert split.train.class_names == ds.class_names and split.val.task == "classification"


def test_stratified_split_keeps_class_proportions() -> None:
    split = split_dataset(_imbalanced(), val_fraction=0.2, test_fraction=0.1, seed=1)
    assert np.bincount(split.val.y, minlength=3).tolist() == [12, 6, 2]
    assert split.test is not None
    assert np.bincount(split.test.y, minlength=3).tolist() == [6, 3, 1]
    assert np.bincount(split.train.y, minlength=3).tolist() == [42, 21, 7]


def test_unstratified_split_differs_and_binary_is_stratified() -> None:
    counts = {
        tuple(
            np.bincount(
                split_dataset(_imbalanced(), 0.2, seed=s, stratify=False).val.y, minlength=3
            )
        )
        for s in range(10)
    }
    assert len(counts) > 1  # random, not proportional every time
    chocolate = load_builtin("chocolate", seed=0, n_samples=50)
    split = split_dataset(chocolate, val_fraction=0.2)
    assert split.val.y.sum() == round(chocolate.y.sum() * 0.2)


def test_split_is_deterministic_and_shuffled() -> None:
    ds = _imbalanced()
    a, b = split_dataset(ds, seed=9), split_dataset(ds, seed=9)
    np.testing.assert_array_equal(a.train.x, b.train.x)
    assert a.test is None
    c = split_dataset(ds, seed=10)
    assert not np.array_equal(a.val.x, c.val.x)
    assert not np.all(np.diff(a.train.y) >= 0)  # not left sorted by class


def test_split_rejects_bad_fractions() -> None:
    with pytest.raises(DatasetError, match="between 0 and 1"):
        split_dataset(_imbalanced(), val_fraction=1.2)
    with pytest.raises(DatasetError, match="too few"):
        split_dataset(_imbalanced(), val_fraction=0.6, test_fraction=0.4)


def test_regression_split_works_without_strata() -> None:
    split = split_dataset(load_builtin("sine", n_samples=50), val_fraction=0.3)
    assert split.val.n_samples == 15 and split.train.n_samples == 35


@pytest.mark.parametrize("kind", ["standardize", "minmax"])
def test_scaler_is_fitted_on_train_only_and_round_trips(kind: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal((5.0, -3.0, 100.0), (2.0, 0.5, 10.0), size=(200, 3)).astype(np.float32)
    x[:, 2] = 7.0  # a constant feature must not divide by zero
    ds = Dataset("t", x, np.zeros((200, 1), np.float32), "regression", ("a", "b", "c"))
    split = split_dataset(ds, 0.25, seed=0)
    scaled, scaler = scale_split(split, kind)  # type: ignore[arg-type]
    train = scaled.train.x
    if kind == "standardize":
        np.testing.assert_allclose(train[:, :2].mean(axis=0), 0.0, atol=1e-5)
        np.testing.assert_allclose(train[:, :2].std(axis=0), 1.0, atol=1e-5)
        assert not np.allclose(scaled.val.x[:, :2].mean(axis=0), 0.0, atol=1e-5)
    else:
        np.testing.assert_allclose(train[:, :2].min(axis=0), 0.0, atol=1e-6)
        np.testing.assert_allclose(train[:, :2].max(axis=0), 1.0, atol=1e-6)
    np.testing.assert_array_equal(train[:, 2], 0.0)
    np.testing.assert_allclose(scaler.transform(split.val.x), scaled.val.x)
    again = Scaler.from_dict(json.loads(json.dumps(scaler.to_dict())))
    np.testing.assert_array_equal(again.transform(split.val.x), scaled.val.x)
    np.testing.assert_allclose(scaler.inverse_transform(scaled.val.x), split.val.x, rtol=1e-5)


def test_image_scaler_is_per_channel() -> None:
    rng = np.random.default_rng(1)
    x = np.concatenate(
        [rng.uniform(0, 1, (40, 1, 4, 4)), rng.uniform(10, 30, (40, 1, 4, 4))], axis=1
    ).astype(np.float32)
    scaler = Scaler("standardize").fit(x)
    assert scaler.offset is not None and scaler.offset.shape == (2,)
    out = scaler.transform(x)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0.0, atol=1e-5)
    with pytest.raises(DatasetError, match="fitted on 2"):
        scaler.transform(x[:, :1])


def test_scaler_none_and_errors() -> None:
    x = np.ones((3, 2), np.float32) * 4
    none = Scaler("none").fit(x)
    np.testing.assert_array_equal(none.transform(x), x)
    assert Scaler.from_dict(none.to_dict()).kind == "none"
    with pytest.raises(DatasetError, match="must be fitted"):
        Scaler("minmax").transform(x)
    with pytest.raises(DatasetError, match="Unknown scaling"):
        Scaler("zscore")  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match="positive"):
        Scaler.from_dict({"kind": "minmax", "offset": [0.0], "scale": [0.0]})
    with pytest.raises(DatasetError, match="kind"):
        Scaler.from_dict({})


def test_one_hot_and_target_encodings() -> None:
    labels = np.array([2, 0, 1, 2], dtype=np.int64)
    encoded = one_hot(labels, 3)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, np.eye(3, dtype=np.float32)[labels])
    np.testing.assert_array_equal(labels_from_scores(encoded), labels)
    with pytest.raises(DatasetError, match=r"0\.\.1"):
        one_hot(labels, 2)
    ds = load_builtin("moons", n_samples=20)
    assert target_array(ds).dtype == np.int64
    assert target_array(ds, "one_hot").shape == (20, 2)
    line = load_builtin("line", n_samples=20)
    assert target_array(line, "one_hot") is line.y


def test_load_dataset_specs(tmp_path: Path) -> None:
    ds = load_dataset({"source": "builtin", "name": "xor", "params": {"n_samples": 40}}, seed=3)
    np.testing.assert_array_equal(ds.x, load_builtin("xor", seed=3, n_samples=40).x)
    binary = load_dataset({"source": "builtin", "name": "moons", "task": "binary"})
    assert binary.task == "binary" and binary.y.shape == (400, 1)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n")
    csv_ds = load_dataset(
        {"source": "csv", "path": "data/t.csv", "target_column": "label"}, base_dir=tmp_path
    )
    assert csv_ds.class_names == ("x", "y") and csv_ds.x.shape == (3, 2)
    np.savez(tmp_path / "d.npz", X=np.ones((4, 2)), y=np.array([0, 1, 0, 1]))
    assert load_dataset({"source": "npz", "path": "d.npz"}, base_dir=tmp_path).n_classes == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"source": "ftp"}, "Unknown dataset source"),
        ({"name": "xor"}, "Unknown dataset source"),
        ({"source": "builtin", "name": "xor", "colour": 1}, "unknown keys: colour"),
        ({"source": "builtin", "name": "line", "task": "binary"}, "exactly 2 classes"),
        ({"source": "csv"}, "needs a file path in 'path'"),
        ({"source": "npz", "path": "missing.npz"}, "does not exist"),
    ],
)
def test_bad_specs_raise(tmp_path: Path, spec: dict[str, object], message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_dataset(spec, base_dir=tmp_path)


def test_saved_scaler_is_reused_only_when_it_fits() -> None:
    from nnstudio.training.datasets import saved_or_fitted_scaler

    rng = np.random.default_rng(0)
    train_x = rng.normal(3.0, 2.0, size=(50, 2)).astype(np.float32)
    saved = {"scaler": Scaler("standardize").fit(train_x * 10).to_dict()}
    reused = saved_or_fitted_scaler("standardize", saved, train_x)
    assert reused.to_dict() == saved["scaler"]  # kept: the weights were trained with it
    refit = saved_or_fitted_scaler("minmax", saved, train_x)  # another kind: fit anew
    assert refit.kind == "minmax" and refit.transform(train_x).min() == pytest.approx(0.0)
    wider = rng.normal(size=(50, 3)).astype(np.float32)  # other data: fit anew
    assert saved_or_fitted_scaler("standardize", saved, wider).to_dict() != saved["scaler"]
    assert saved_or_fitted_scaler("standardize", {}, train_x).to_dict() != saved["scaler"]


def test_scaling_big_tables_in_blocks_matches_the_whole_table_formula() -> None:
    from nnstudio.training.datasets.scaling import Scaler

    rng = np.random.default_rng(3)
    for shape in [(3000, 784), (400, 3, 12, 12)]:  # several blocks of 2**20 values
        x = (rng.normal(size=shape) * 3 + 1).astype(np.float32)
        scaler = Scaler("standardize").fit(x)
        axes = (0,) if x.ndim == 2 else (0, 2, 3)
        wide = x.astype(np.float64)
        np.testing.assert_allclose(scaler.offset, wide.mean(axis=axes), rtol=1e-12)
        np.testing.assert_allclose(scaler.scale, wide.std(axis=axes), rtol=1e-12)
        shaped = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
        expected = ((x - scaler.offset.reshape(shaped)) / scaler.scale.reshape(shaped))
        out = scaler.transform(x)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, expected.astype(np.float32))
        np.testing.assert_allclose(scaler.inverse_transform(out), x, rtol=1e-5, atol=1e-5)
