"""Finite-difference gradient checks (float64) for every layer, activation, loss, penalty."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from nnstudio.engine import (
    ACTIVATIONS,
    L1,
    L2,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    ElasticNet,
    Flatten,
    Layer,
    LeakyReLU,
    MaxPool2D,
    ReLU,
    Sequential,
    Softmax,
    Tanh,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    gradcheck_layer,
    gradcheck_loss,
    mse_loss,
    numeric_gradient,
    relative_error,
)

TOL = 1e-6
F64 = np.float64

# (id, layer factory, input shape, training)
LAYER_CASES: list[tuple[str, Callable[[], Layer], tuple[int, ...], bool]] = [
    ("dense", lambda: Dense(5, 3, dtype=F64), (4, 5), True),
    ("dense-batch1", lambda: Dense(3, 2, dtype=F64), (1, 3), True),
    ("dense-nobias", lambda: Dense(4, 6, bias=False, dtype=F64), (3, 4), True),
    ("conv-1ch", lambda: Conv2D(1, 2, 3, dtype=F64), (2, 1, 5, 5), True),
    ("conv-batch1-odd", lambda: Conv2D(3, 4, 3, padding=1, dtype=F64), (1, 3, 7, 5), True),
    ("conv-s2-p1", lambda: Conv2D(2, 3, 3, stride=2, padding=1, dtype=F64), (2, 2, 7, 6), True),
    ("conv-k5-s2", lambda: Conv2D(2, 2, 5, stride=2, dtype=F64), (2, 2, 9, 9), True),
    ("conv-rect", lambda: Conv2D(3, 2, (3, 2), (1, 2), (0, 1), dtype=F64), (1, 3, 5, 5), True),
    ("conv-1x1", lambda: Conv2D(4, 5, 1, dtype=F64), (2, 4, 3, 3), True),
    ("conv-nobias", lambda: Conv2D(2, 2, 2, bias=False, dtype=F64), (2, 2, 4, 4), True),
    ("maxpool-2", lambda: MaxPool2D(2), (2, 3, 6, 6), True),
    ("maxpool-odd", lambda: MaxPool2D(2), (1, 2, 7, 5), True),
    ("maxpool-k3-s2-p1", lambda: MaxPool2D(3, 2, 1), (2, 3, 7, 7), True),
    ("maxpool-overlap", lambda: MaxPool2D(3, 1), (1, 2, 5, 6), True),
    ("avgpool-2", lambda: AvgPool2D(2), (2, 3, 6, 6), True),
    ("avgpool-k3-s2-p1", lambda: AvgPool2D(3, 2, 1), (1, 4, 7, 5), True),
    ("avgpool-overlap", lambda: AvgPool2D((2, 3), 1), (2, 1, 5, 6), True),
    ("flatten", lambda: Flatten(), (2, 3, 4, 5), True),
    ("dropout-train", lambda: Dropout(0.4, rng=np.random.default_rng(3)), (4, 6), True),
    ("dropout-eval", lambda: Dropout(0.4), (4, 6), False),
    ("dropout-image", lambda: Dropout(0.5, rng=np.random.default_rng(1)), (2, 2, 3, 3), True),
    ("batchnorm-2d-train", lambda: BatchNorm(3, dtype=F64), (5, 3), True),
    ("batchnorm-4d-train", lambda: BatchNorm(3, dtype=F64), (2, 3, 3, 4), True),
    ("batchnorm-4d-batch1", lambda: BatchNorm(2, dtype=F64), (1, 2, 3, 3), True),
    ("batchnorm-eval", lambda: BatchNorm(3, dtype=F64), (2, 3, 3, 4), False),
    ("softmax-axis0", lambda: Softmax(axis=0), (4, 5), True),
    ("softmax-channels", lambda: Softmax(axis=1), (2, 3, 2, 2), True),
    ("leaky-0.2", lambda: LeakyReLU(0.2), (3, 7), True),
    (
        "small-cnn",
        lambda: Sequential(
            [
                Conv2D(1, 2, 3, padding=1, dtype=F64, rng=np.random.default_rng(1)),
                ReLU(),
                MaxPool2D(2),
                Flatten(),
                Dense(8, 3, dtype=F64, rng=np.random.default_rng(2)),
                Tanh(),
            ]
        ),
        (2, 1, 4, 4),
        True,
    ),
]
LAYER_CASES += [(f"act-{name}", cls, (4, 7), True) for name, cls in ACTIVATIONS.items()]
LAYER_CASES += [
    (f"act-{name}-batch1-4d", cls, (1, 2, 3, 3), True) for name, cls in ACTIVATIONS.items()
]


@pytest.mark.parametrize(
    ("factory", "shape", "training"),
    [case[1:] for case in LAYER_CASES],
    ids=[case[0] for case in LAYER_CASES],
)
def test_layer_gradients_match_finite_differences(
    factory: Callable[[], Layer], shape: tuple[int, ...], training: bool
) -> None:
    layer = factory()
    if layer.buffers:  # give BatchNorm non-trivial running statistics for eval mode
        layer.buffers["running_mean"][...] = np.linspace(
            -0.5, 0.5, len(layer.buffers["running_mean"])
        )
        layer.buffers["running_var"][...] = np.linspace(0.5, 2.0, len(layer.buffers["running_var"]))
    x = np.random.default_rng(sum(shape)).standard_normal(shape)
    assert gradcheck_layer(layer, x, training=training) < TOL


def _probabilities(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0.05, 0.95, size=shape)


LOSS_CASES = [
    ("mse", mse_loss, lambda r: r.standard_normal((6, 3)), lambda r: r.standard_normal((6, 3))),
    (
        "mse-batch1",
        mse_loss,
        lambda r: r.standard_normal((1, 1)),
        lambda r: r.standard_normal((1, 1)),
    ),
    (
        "bce",
        binary_cross_entropy,
        lambda r: _probabilities((5, 2), r),
        lambda r: (r.random((5, 2)) > 0.5).astype(float),
    ),
    (
        "bce-soft-targets",
        binary_cross_entropy,
        lambda r: _probabilities((4, 3), r),
        lambda r: r.random((4, 3)),
    ),
    (
        "bce-logits",
        binary_cross_entropy_with_logits,
        lambda r: 3 * r.standard_normal((5, 4)),
        lambda r: (r.random((5, 4)) > 0.5).astype(float),
    ),
    (
        "ce-labels",
        cross_entropy,
        lambda r: 2 * r.standard_normal((6, 4)),
        lambda r: r.integers(0, 4, size=6),
    ),
    ("ce-batch1", cross_entropy, lambda r: r.standard_normal((1, 3)), lambda r: np.array([2])),
    (
        "ce-probabilities",
        cross_entropy,
        lambda r: r.standard_normal((3, 5)),
        lambda r: r.dirichlet(np.ones(5), size=3),
    ),
]


@pytest.mark.parametrize(
    ("loss_fn", "make_pred", "make_target"),
    [case[1:] for case in LOSS_CASES],
    ids=[case[0] for case in LOSS_CASES],
)
def test_loss_gradients_match_finite_differences(loss_fn, make_pred, make_target) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    assert gradcheck_loss(loss_fn, make_pred(rng), make_target(rng)) < TOL


@pytest.mark.parametrize("penalty", [L1(0.3), L2(0.7), ElasticNet(0.2, 0.5)], ids=repr)
def test_penalty_gradients_match_finite_differences(penalty) -> None:  # type: ignore[no-untyped-def]
    w = np.random.default_rng(2).standard_normal((4, 5))
    numeric = numeric_gradient(lambda: penalty.loss(w), w)
    assert relative_error(penalty.grad(w), numeric) < TOL


def test_gradcheck_detects_a_wrong_gradient() -> None:
    class WrongTanh(Tanh):
        def backward(self, dy: np.ndarray) -> np.ndarray:
            return dy * (1 - self._y)  # missing square

    x = np.random.default_rng(0).standard_normal((3, 4))
    assert gradcheck_layer(Tanh(), x) < TOL
    assert gradcheck_layer(WrongTanh(), x) > 1e-2


def test_gradcheck_detects_a_wrong_parameter_gradient() -> None:
    class WrongDense(Dense):
        def backward(self, dy: np.ndarray) -> np.ndarray:
            dx = super().backward(dy)
            self.grads["bias"] *= 2
            return dx

    x = np.random.default_rng(0).standard_normal((3, 4))
    assert gradcheck_layer(WrongDense(4, 2, dtype=F64), x) > 1e-2


def test_gradcheck_leaves_the_layer_untouched() -> None:
    layer = Dense(3, 2)  # float32 layer: the check runs on a float64 copy
    before = layer.params["weight"].copy()
    error = gradcheck_layer(layer, np.ones((2, 3), dtype=np.float32))
    assert error < TOL
    assert layer.params["weight"].dtype == np.float32
    np.testing.assert_array_equal(layer.params["weight"], before)
    assert not layer.grads["weight"].any()


def test_numeric_gradient_restores_the_array_and_is_exact_for_a_quadratic() -> None:
    a = np.array([[1.0, -2.0], [0.5, 3.0]])
    original = a.copy()
    g = numeric_gradient(lambda: float(np.sum(a**2)), a)
    np.testing.assert_array_equal(a, original)
    np.testing.assert_allclose(g, 2 * original, rtol=1e-8)


def test_relative_error_values() -> None:
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.array([2.0]), np.array([1.0])) == pytest.approx(0.5)
