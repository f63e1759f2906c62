"""Built-in datasets: shapes, dtypes, tasks, reproducibility, parameters, digits file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.datasets import (
    BUILTIN,
    Dataset,
    DatasetError,
    as_binary,
    load_builtin,
    resources_dir,
    split_dataset,
)

TWO_D_CLASSES = ["circle", "xor", "gaussians", "spiral", "moons"]
EXPECTED_TASK = {
    "chocolate": "binary",
    "line": "regression",
    "logistic": "binary",
    "circle": "classification",
    "xor": "classification",
    "gaussians": "classification",
    "spiral": "classification",
    "moons": "classification",
    "plane": "regression",
    "multi_gaussian": "regression",
    "sine": "regression",
    "digits": "classification",
}


def test_registry_lists_every_required_set() -> None:
    assert set(BUILTIN) == set(EXPECTED_TASK)
    for name, entry in BUILTIN.items():
        assert entry.task == EXPECTED_TASK[name]
        assert entry.title and entry.description
        assert set(entry.param_help) <= set(entry.defaults)


@pytest.mark.parametrize("name", sorted(EXPECTED_TASK))
def test_builtin_shapes_dtypes_and_task(name: str) -> None:
    ds = load_builtin(name, seed=3)
    assert ds.task == BUILTIN[name].task
    assert ds.x.dtype == np.float32
    n = ds.n_samples
    if "n_samples" in BUILTIN[name].defaults:
        assert n == BUILTIN[name].defaults["n_samples"]
    if ds.task == "classification":
        assert ds.y.dtype == np.int64 and ds.y.shape == (n,)
        assert ds.class_names is not None and ds.n_classes == len(ds.class_names)
        assert set(np.unique(ds.y)) == set(range(ds.n_classes))
    else:
        assert ds.y.dtype == np.float32 and ds.y.ndim == 2 and ds.y.shape[0] == n
    if ds.task == "binary":
        assert ds.y.shape == (n, 1) and set(np.unique(ds.y)) == {0.0, 1.0}
    sig = ds.signature()
    assert isinstance(sig, DataSignature)
    assert sig.input_shape == ds.x.shape[1:] and sig.target_kind == ds.task
    assert np.all(np.isfinite(ds.x)) and np.all(np.isfinite(ds.y.astype(np.float64)))


@pytest.mark.parametrize("name", sorted(EXPECTED_TASK))
def test_builtin_is_reproducible_from_the_seed(name: str) -> None:
    a, b = load_builtin(name, seed=11), load_builtin(name, seed=11)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    if name != "digits":  # digits is a fixed file
        c = load_builtin(name, seed=12)
        assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("name", TWO_D_CLASSES)
def test_playground_sets_are_2d_two_class_and_balanced(name: str) -> None:
    ds = load_builtin(name, seed=0, n_samples=101)
    assert ds.x.shape == (101, 2) and ds.n_classes == 2
    assert abs(ds.x).max() < 2.0
    if name != "xor":  # xor labels come from uniform positions
        assert sorted(np.bincount(ds.y)) == [50, 51]
    binary = as_binary(ds)
    assert binary.task == "binary" and binary.y.shape == (101, 1)
    np.testing.assert_array_equal(binary.y[:, 0], ds.y)


def test_xor_labels_follow_the_sign_rule_and_leave_a_gap() -> None:
    ds = load_builtin("xor", seed=5)
    np.testing.assert_array_equal(ds.y, (ds.x[:, 0] * ds.x[:, 1] > 0).astype(np.int64))
    assert np.abs(ds.x).min() >= 0.05 - 1e-6


def test_circle_inner_class_is_inside() -> None:
    ds = load_builtin("circle", seed=2, noise=0.0)
    radius = np.hypot(ds.x[:, 0], ds.x[:, 1])
    assert radius[ds.y == 1].max() <= 0.5 + 1e-6 and radius[ds.y == 0].min() >= 0.7 - 1e-6


def test_noise_parameter_changes_the_data() -> None:
    clean = load_builtin("line", seed=0, noise=0.0)
    np.testing.assert_allclose(clean.y, 2.0 * clean.x + 0.5, atol=1e-6)
    noisy = load_builtin("line", seed=0, noise=0.5)
    assert np.std(noisy.y - (2.0 * noisy.x + 0.5)) > 0.3


def test_logistic_is_separable_up_to_noise() -> None:
    for seed in range(10):
        ds = load_builtin("logistic", seed=seed)
        assert np.abs(ds.x).min() >= 0.05 - 1e-6  # the gap around the border
        val = split_dataset(ds, val_fraction=0.2, seed=seed).val
        accuracy = np.mean((val.x[:, 0] > 0) == (val.y[:, 0] == 1))
        assert accuracy >= 0.98
    noisy = load_builtin("logistic", seed=0, noise=0.5, margin=0.0)
    assert np.mean((noisy.x[:, 0] > 0) == (noisy.y[:, 0] == 1)) < 0.95


def _lecture_loss_and_grads(
    x: np.ndarray, y: np.ndarray, w1: float, b1: float, w2: float, b2: float
) -> tuple[float, np.ndarray]:
    """The lecture's h = w1·x + b1, g = w2·h + b2, MSE and its four gradients."""
    h = w1 * x + b1
    e = y - (w2 * h + b2)
    grads = -2.0 * np.array([np.mean(e * w2 * x), np.mean(e * w2), np.mean(e * h), np.mean(e)])
    return float(np.mean(e**2)), grads


def test_chocolate_lets_the_lecture_network_reduce_its_mse() -> None:
    ds = load_builtin("chocolate", seed=0)
    assert ds.x.shape == (24, 1) and ds.x.min() >= 0.0 and ds.x.max() <= 1.0
    assert "lecture" in ds.description
    x, y = ds.x[:, 0].astype(np.float64), ds.y[:, 0].astype(np.float64)
    assert np.corrcoef(x, y)[0, 1] > 0.5  # happiness rises with chocolate
    params = np.array([0.5, 0.0, 0.5, 0.0])  # w1, b1, w2, b2
    first, _ = _lecture_loss_and_grads(x, y, *params)
    for _ in range(300):
        _, grads = _lecture_loss_and_grads(x, y, *params)
        params = params - 0.1 * grads
    last, _ = _lecture_loss_and_grads(x, y, *params)
    assert last < 0.6 * first


def test_digits_match_the_uci_set() -> None:
    ds = load_builtin("digits")
    assert ds.x.shape == (1797, 1, 8, 8) and ds.x.dtype == np.float32
    assert ds.x.min() == 0.0 and ds.x.max() == 1.0
    np.testing.assert_array_equal(np.unique(ds.x * 16), np.arange(17))
    assert np.bincount(ds.y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert ds.class_names == tuple("0123456789") and ds.feature_names == ()
    assert ds.signature().n_targets == 10
    assert (resources_dir() / "digits.npz").is_file()


def test_resources_dir_prefers_pyinstaller_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path
    (bundle / "nnstudio" / "resources").mkdir(parents=True)
    monkeypatch.delenv("NNSTUDIO_RESOURCES", raising=False)
    monkeypatch.setattr("nnstudio.paths._package_dir", lambda: tmp_path / "no-package")
    monkeypatch.setattr("sys._MEIPASS", str(bundle), raising=False)
    assert resources_dir() == bundle / "nnstudio" / "resources"


def test_missing_resources_give_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import nnstudio.training.datasets.resources as res

    monkeypatch.setattr(res, "_candidates", lambda: [res.Path("/nonexistent/nnstudio-res")])
    with pytest.raises(DatasetError, match="resources folder was not found"):
        load_builtin("digits")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nope", {}, "no built-in dataset 'nope'"),
        ("xor", {"colour": 1}, "no parameter 'colour'"),
        ("xor", {"n_samples": 10.5}, "whole number"),
        ("xor", {"n_samples": 1}, "between"),
        ("xor", {"noise": -0.1}, "must not be negative"),
        ("xor", {"noise": "loud"}, "must be a number"),
        ("logistic", {"margin": 1.0}, "below 1"),
        ("digits", {"n_samples": 10}, "accepted: none"),
    ],
)
def test_bad_names_and_params_raise(name: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_builtin(name, **params)


def test_dataset_is_read_only_and_validated() -> None:
    ds = load_builtin("moons")
    with pytest.raises(ValueError):
        ds.x[0, 0] = 5.0
    with pytest.raises(DatasetError, match="same number of samples"):
        Dataset("bad", np.zeros((3, 2), np.float32), np.zeros(2, np.int64), "classification")
    with pytest.raises(DatasetError, match="must be 0 or 1"):
        Dataset("bad", np.zeros((2, 1), np.float32), np.full((2, 1), 0.5, np.float32), "binary")
    with pytest.raises(DatasetError, match="no classes"):
        _ = load_builtin("line").n_classes
    with pytest.raises(DatasetError, match="exactly 2 classes"):
        as_binary(load_builtin("digits"))
