"""Loss values, penalty values and helper, initializer statistics."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.engine import (
    INITIALIZERS,
    L1,
    L2,
    Conv2D,
    Dense,
    ElasticNet,
    apply_penalty,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    initialize,
    mse_loss,
)


def test_mse_value_and_gradient() -> None:
    loss, grad = mse_loss(np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]]))
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(grad, [[1.0, -2.0]])


def test_cross_entropy_value_matches_the_definition() -> None:
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    loss, grad = cross_entropy(z, np.array([2, 0]))
    expected = (-np.log(np.exp(3) / np.exp([1, 2, 3]).sum()) + np.log(3)) / 2
    assert loss == pytest.approx(expected)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)


def test_losses_are_stable_for_huge_logits() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1]))
        assert loss == pytest.approx(2000.0)
        np.testing.assert_allclose(grad, [[1.0, -1.0]])
        loss, grad = binary_cross_entropy_with_logits(np.array([[800.0]]), np.array([[0.0]]))
        assert loss == pytest.approx(800.0)
        np.testing.assert_allclose(grad, [[1.0]])


def test_binary_cross_entropy_clamps_the_log_like_pytorch() -> None:
    loss, grad = binary_cross_entropy(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
    assert loss == pytest.approx(50.0)  # (100 + 0) / 2
    assert np.isfinite(grad).all()
    with pytest.raises(ValueError, match="probabilities"):
        binary_cross_entropy(np.array([[1.5]]), np.array([[1.0]]))


def test_bce_on_probabilities_equals_bce_on_logits() -> None:
    z = np.random.default_rng(0).standard_normal((4, 3))
    t = np.random.default_rng(1).random((4, 3))
    a, _ = binary_cross_entropy(1 / (1 + np.exp(-z)), t)
    b, _ = binary_cross_entropy_with_logits(z, t)
    assert a == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize("loss_fn", [mse_loss, binary_cross_entropy_with_logits, cross_entropy])
def test_losses_keep_float32(loss_fn) -> None:  # type: ignore[no-untyped-def]
    z = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    target = np.array([0, 2, 1, 1]) if loss_fn is cross_entropy else np.ones((4, 3), np.float32)
    loss, grad = loss_fn(z, target)
    assert isinstance(loss, float) and grad.dtype == np.float32


def test_loss_input_errors_are_sentences() -> None:
    with pytest.raises(ValueError, match="same shape"):
        mse_loss(np.zeros((2, 1)), np.zeros((2,)))
    with pytest.raises(ValueError, match="class labels must lie"):
        cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="integer class labels"):
        cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


def test_penalty_values() -> None:
    w = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert L1(0.5).loss(w) == pytest.approx(0.5 * 6)
    assert L2(0.5).loss(w) == pytest.approx(0.5 * 14)
    assert ElasticNet(0.5, 0.1).loss(w) == pytest.approx(0.5 * 6 + 0.1 * 14)
    np.testing.assert_allclose(ElasticNet(0.5, 0.1).grad(w), 0.5 * np.sign(w) + 0.2 * w)


def test_apply_penalty_adds_to_chosen_gradients_only() -> None:
    layer = Dense(2, 2, dtype=np.float64)
    layer.params["weight"][...] = [[1.0, -1.0], [2.0, 0.5]]
    layer.grads["bias"][...] = 7.0
    extra = apply_penalty(L2(0.1), layer.params, layer.grads, keys=["weight"])
    assert extra == pytest.approx(0.1 * (1 + 1 + 4 + 0.25))
    np.testing.assert_allclose(layer.grads["weight"], 0.2 * layer.params["weight"])
    np.testing.assert_array_equal(layer.grads["bias"], 7.0)


def test_negative_penalty_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        L1(-1.0)


N = 200_000
FAN_IN, FAN_OUT = 50, 30


@pytest.mark.parametrize(
    ("name", "bound", "std"),
    [
        ("uniform", 0.05, 0.05 / np.sqrt(3)),
        ("normal", None, 0.05),
        ("xavier_uniform", np.sqrt(6 / 80), np.sqrt(6 / 80) / np.sqrt(3)),
        ("xavier_normal", None, np.sqrt(2 / 80)),
        ("he_uniform", np.sqrt(6 / 50), np.sqrt(6 / 50) / np.sqrt(3)),
        ("he_normal", None, np.sqrt(2 / 50)),
        ("default", 1 / np.sqrt(50), 1 / np.sqrt(50) / np.sqrt(3)),
    ],
)
def test_initializer_statistics(name: str, bound: float | None, std: float) -> None:
    w = initialize(name, (N,), FAN_IN, FAN_OUT, np.random.default_rng(0), np.float64)
    assert abs(w.mean()) < 4 * std / np.sqrt(N)
    assert w.std() == pytest.approx(std, rel=0.01)
    if bound is not None:
        assert np.abs(w).max() <= bound
        assert np.abs(w).max() > 0.99 * bound


def test_initializers_are_reproducible_and_typed() -> None:
    assert set(INITIALIZERS) >= {
        "zeros",
        "uniform",
        "normal",
        "xavier_uniform",
        "xavier_normal",
        "he_uniform",
        "he_normal",
        "default",
    }
    a = initialize("he_normal", (3, 4), 4, 3, np.random.default_rng(1), np.float32)
    b = initialize("he_normal", (3, 4), 4, 3, np.random.default_rng(1), np.float32)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32
    assert not initialize("zeros", (2, 2), 2, 2, np.random.default_rng(0)).any()
    with pytest.raises(ValueError, match="Unknown initializer"):
        initialize("orthogonal", (2, 2), 2, 2, np.random.default_rng(0))


def test_layers_use_the_pytorch_default_and_the_chosen_initializer() -> None:
    conv = Conv2D(3, 4, 3, rng=np.random.default_rng(0))
    bound = 1 / np.sqrt(3 * 9)
    assert np.abs(conv.params["weight"]).max() <= bound
    assert np.abs(conv.params["bias"]).max() <= bound and conv.params["bias"].any()
    dense = Dense(100, 50, init="he_normal", rng=np.random.default_rng(0))
    assert dense.params["weight"].std() == pytest.approx(np.sqrt(2 / 100), rel=0.05)
    assert not dense.params["bias"].any()  # non-default weight init: zero bias by default
    same = Dense(100, 50, init="he_normal", rng=np.random.default_rng(0))
    np.testing.assert_array_equal(dense.params["weight"], same.params["weight"])
