"""Behaviour of the engine's layers: shapes, dtypes, modes, statistics, errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from nnstudio.engine import (
    ACTIVATIONS,
    AvgPool2D,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    Sequential,
    make_activation,
)

IMAGE_LAYERS: list[tuple[str, Callable[[type], Layer]]] = [
    ("conv", lambda dt: Conv2D(3, 4, 3, stride=2, padding=1, dtype=dt)),
    ("maxpool", lambda dt: MaxPool2D(2)),
    ("avgpool", lambda dt: AvgPool2D(3, 2, 1)),
    ("batchnorm", lambda dt: BatchNorm(3, dtype=dt)),
    ("dropout", lambda dt: Dropout(0.3)),
    ("flatten", lambda dt: Flatten()),
] + [(name, lambda dt, cls=cls: cls()) for name, cls in ACTIVATIONS.items()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("factory", [f for _, f in IMAGE_LAYERS], ids=[n for n, _ in IMAGE_LAYERS])
def test_forward_and_backward_keep_the_input_dtype(factory, dtype) -> None:  # type: ignore[no-untyped-def]
    layer = factory(dtype)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(dtype)
    y = layer.forward(x, training=True)
    dx = layer.backward(np.ones_like(y))
    assert y.dtype == dtype and dx.dtype == dtype
    assert dx.shape == x.shape
    for name, p in layer.params.items():
        assert p.dtype == dtype and layer.grads[name].dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_shapes_and_dtype(dtype: type) -> None:
    layer = Dense(4, 3, dtype=dtype)
    assert layer.params["weight"].shape == (3, 4) and layer.params["bias"].shape == (3,)
    y = layer.forward(np.ones((5, 4), dtype=dtype))
    assert y.shape == (5, 3) and y.dtype == dtype
    np.testing.assert_allclose(
        y[0], layer.params["weight"].sum(axis=1) + layer.params["bias"], rtol=1e-6
    )


def test_dense_rejects_a_wrong_input_width() -> None:
    with pytest.raises(ValueError, match="expects input"):
        Dense(4, 3).forward(np.ones((2, 5), dtype=np.float32))


def test_backward_accumulates_and_zero_grad_clears() -> None:
    layer = Dense(2, 2, dtype=np.float64)
    x = np.array([[1.0, 2.0]])
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    once = layer.grads["weight"].copy()
    layer.forward(x)
    layer.backward(np.ones((1, 2)))
    np.testing.assert_allclose(layer.grads["weight"], 2 * once)
    grad_array = layer.grads["weight"]
    layer.zero_grad()
    assert grad_array is layer.grads["weight"] and not grad_array.any()


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "size", "expected"),
    [
        (3, 1, 0, (7, 5), (5, 3)),
        (3, 2, 1, (7, 6), (4, 3)),
        (5, 2, 0, (9, 9), (3, 3)),
        ((3, 1), (2, 1), (1, 0), (6, 4), (3, 4)),
    ],
)
def test_conv_output_shape(kernel, stride, padding, size, expected) -> None:  # type: ignore[no-untyped-def]
    conv = Conv2D(2, 5, kernel, stride, padding)
    y = conv.forward(np.zeros((3, 2, *size), dtype=np.float32))
    assert y.shape == (3, 5, *expected)


def test_conv_computes_a_cross_correlation() -> None:
    conv = Conv2D(1, 1, 2, bias=False, dtype=np.float64)
    conv.params["weight"][...] = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    x = np.arange(9, dtype=np.float64).reshape(1, 1, 3, 3)
    y = conv.forward(x)
    # top-left window [[0, 1], [3, 4]] · [[1, 2], [3, 4]] = 0 + 2 + 9 + 16
    np.testing.assert_allclose(y[0, 0], [[27.0, 37.0], [57.0, 67.0]])


def test_conv_rejects_too_large_kernels_and_wrong_channels() -> None:
    with pytest.raises(ValueError, match="larger than the padded input"):
        Conv2D(1, 1, 5).forward(np.zeros((1, 1, 3, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="expects input"):
        Conv2D(2, 1, 3).forward(np.zeros((1, 3, 5, 5), dtype=np.float32))


def test_maxpool_routes_the_gradient_to_the_first_maximum() -> None:
    pool = MaxPool2D(2)
    x = np.array([[[[1.0, 5.0], [5.0, 2.0]]]])
    y = pool.forward(x)
    assert y[0, 0, 0, 0] == 5.0
    dx = pool.backward(np.array([[[[3.0]]]]))
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 3.0], [0.0, 0.0]])


def test_maxpool_with_padding_ignores_the_padding() -> None:
    x = -np.ones((1, 1, 3, 3))
    y = MaxPool2D(3, 2, 1).forward(x)
    np.testing.assert_array_equal(y, -np.ones((1, 1, 2, 2)))


def test_avgpool_counts_padding_as_zeros() -> None:
    y = AvgPool2D(3, 2, 1).forward(np.ones((1, 1, 3, 3)))
    np.testing.assert_allclose(y[0, 0], [[4 / 9, 4 / 9], [4 / 9, 4 / 9]])


def test_pool_stride_defaults_to_kernel_and_padding_is_limited() -> None:
    assert MaxPool2D(3).stride == (3, 3)
    with pytest.raises(ValueError, match="half the kernel"):
        MaxPool2D(2, padding=2)


def test_flatten_round_trip() -> None:
    layer = Flatten()
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    y = layer.forward(x)
    assert y.shape == (2, 12)
    np.testing.assert_array_equal(layer.backward(y), x)


def test_flatten_gives_the_gradient_in_the_memory_order_of_its_input() -> None:
    layer = Flatten()
    stored = np.arange(24.0).reshape(3, 2, 2, 2)  # channel-major, as conv layers store
    x = stored.transpose(1, 0, 2, 3)  # (N=2, C=3, 2, 2)
    y = layer.forward(x)
    dx = layer.backward(y * 10)
    np.testing.assert_array_equal(dx, x * 10)
    assert np.argsort(dx.strides).tolist() == np.argsort(x.strides).tolist()


def test_dropout_is_the_identity_when_not_training() -> None:
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    layer = Dropout(0.5)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


def test_dropout_drops_at_rate_p_and_scales_survivors() -> None:
    layer = Dropout(0.25, rng=np.random.default_rng(5))
    x = np.ones((200, 100), dtype=np.float32)
    y = layer.forward(x, training=True)
    kept = y != 0
    assert abs(1 - kept.mean() - 0.25) < 0.01
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    dx = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(dx, y)  # same mask in backward
    assert abs(float(y.mean()) - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_is_reproducible_from_its_generator_and_validates_p() -> None:
    x = np.ones((3, 8))
    a = Dropout(0.5, rng=np.random.default_rng(9)).forward(x)
    b = Dropout(0.5, rng=np.random.default_rng(9)).forward(x)
    np.testing.assert_array_equal(a, b)
    assert not Dropout(1.0).forward(x).any()
    with pytest.raises(ValueError, match="between 0 and 1"):
        Dropout(1.5)


def test_batchnorm_training_normalises_each_channel() -> None:
    rng = np.random.default_rng(0)
    x = 3 + 2 * rng.standard_normal((8, 3, 4, 4))
    bn = BatchNorm(3, dtype=np.float64)
    y = bn.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-3)


def test_batchnorm_running_statistics_follow_pytorch_rules() -> None:
    rng = np.random.default_rng(1)
    bn = BatchNorm(2, dtype=np.float64)
    x = rng.standard_normal((5, 2))
    bn.forward(x, training=True)
    np.testing.assert_allclose(bn.buffers["running_mean"], 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn.buffers["running_var"], 0.9 + 0.1 * x.var(axis=0, ddof=1))


def test_batchnorm_eval_uses_running_statistics_and_leaves_them_alone() -> None:
    bn = BatchNorm(2, dtype=np.float64)
    bn.buffers["running_mean"][...] = [1.0, -1.0]
    bn.buffers["running_var"][...] = [4.0, 0.25]
    bn.params["weight"][...] = [2.0, 1.0]
    bn.params["bias"][...] = [0.5, 0.0]
    x = np.array([[3.0, 0.0]])
    y = bn.forward(x, training=False)
    expected = [2.0 * 2.0 / np.sqrt(4.0 + 1e-5) + 0.5, 1.0 / np.sqrt(0.25 + 1e-5)]
    np.testing.assert_allclose(y[0], expected)
    np.testing.assert_array_equal(bn.buffers["running_mean"], [1.0, -1.0])


def test_batchnorm_needs_more_than_one_value_per_channel_in_training() -> None:
    with pytest.raises(ValueError, match="more than one value"):
        BatchNorm(3).forward(np.ones((1, 3), dtype=np.float32), training=True)
    BatchNorm(3).forward(np.ones((1, 3), dtype=np.float32), training=False)


ACTIVATION_VALUES = {
    "identity": [-2.0, 0.0, 3.0],
    "sigmoid": [1 / (1 + np.exp(2.0)), 0.5, 1 / (1 + np.exp(-3.0))],
    "tanh": [np.tanh(-2.0), 0.0, np.tanh(3.0)],
    "relu": [0.0, 0.0, 3.0],
    "leaky_relu": [-0.02, 0.0, 3.0],
    "swish": [-2.0 / (1 + np.exp(2.0)), 0.0, 3.0 / (1 + np.exp(-3.0))],
    "gelu": [
        0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v**3)))
        for v in (-2.0, 0.0, 3.0)
    ],
    "softmax": list(np.exp([-2.0, 0.0, 3.0]) / np.exp([-2.0, 0.0, 3.0]).sum()),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values_follow_the_lecture_table(name: str) -> None:
    y = make_activation(name).forward(np.array([[-2.0, 0.0, 3.0]]))
    np.testing.assert_allclose(y[0], ACTIVATION_VALUES[name], rtol=1e-12, atol=1e-15)


def test_sigmoid_and_softmax_do_not_overflow() -> None:
    x = np.array([[-1000.0, 0.0, 1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(make_activation("sigmoid").forward(x)[0], [0.0, 0.5, 1.0])
        np.testing.assert_allclose(make_activation("softmax").forward(x)[0], [0.0, 0.0, 1.0])


def test_make_activation_passes_settings_and_rejects_unknown_names() -> None:
    leaky = make_activation("leaky_relu", negative_slope=0.2)
    np.testing.assert_allclose(leaky.forward(np.array([[-1.0]])), [[-0.2]])
    assert set(ACTIVATIONS) == {
        "identity",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "softmax",
        "swish",
        "gelu",
    }
    with pytest.raises(ValueError, match="Unknown activation 'mish'"):
        make_activation("mish")


def test_sequential_collects_parameters_by_index() -> None:
    net = Sequential([Dense(2, 3), make_activation("relu"), Dense(3, 1)])
    assert list(net.params) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert net.params["0.weight"] is net.layers[0].params["weight"]
    y = net.forward(np.ones((4, 2), dtype=np.float32))
    assert y.shape == (4, 1)
    assert net.backward(np.ones_like(y)).shape == (4, 2)


@pytest.mark.parametrize(
    ("factory", "shape"),
    [
        (lambda: Dense(4, 3, dtype=np.float64), (5, 4)),
        (lambda: Conv2D(2, 3, 3, padding=1, dtype=np.float64), (2, 2, 5, 5)),
    ],
    ids=["dense", "conv"],
)
def test_input_grad_off_skips_dx_but_keeps_parameter_gradients(factory, shape) -> None:  # type: ignore[no-untyped-def]
    full, first = factory(), factory()
    first.input_grad = False
    x = np.random.default_rng(0).standard_normal(shape)
    dy = np.random.default_rng(1).standard_normal(full.forward(x).shape)
    first.forward(x)
    dx_full, dx_first = full.backward(dy), first.backward(dy)
    assert dx_first.shape == x.shape and not dx_first.any() and dx_full.any()
    for name in full.grads:
        np.testing.assert_array_equal(first.grads[name], full.grads[name])
