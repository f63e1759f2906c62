"""Engine layers for layer-level nodes: a factory (drawing from the plan's generator), the
output shape (without batch) and the step attributes an exporter needs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from math import prod
from typing import Any

import numpy as np

from nnstudio.engine.activations import Softmax, make_activation
from nnstudio.engine.base import Layer
from nnstudio.engine.batchnorm import BatchNorm
from nnstudio.engine.conv import Conv2D
from nnstudio.engine.dense import Dense
from nnstudio.engine.pooling import AvgPool2D, MaxPool2D
from nnstudio.engine.reshape import Flatten
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.registry import dropout_rate

LayerFactory = Callable[[np.random.Generator], Layer]
Spec = tuple[LayerFactory, tuple[int, ...], dict[str, Any]]


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _need(shape: tuple[int, ...], ndim: int, title: str, what: str) -> None:
    if len(shape) != ndim:
        raise GraphError(f"{title} needs {what} but receives shape {shape}.")


def layer_spec(type_id: str, params: Mapping[str, Any], shape: tuple[int, ...],
               dtype: np.dtype[Any], title: str) -> Spec:
    """Factory, output shape and attrs of the engine layer behind one node."""
    p = params
    if type_id == "layer.dense":
        _need(shape, 1, title, "a vector")
        n_in, units, use_bias = shape[0], int(p["units"]), bool(p["use_bias"])
        attrs: dict[str, Any] = {"in_features": n_in, "out_features": units, "use_bias": use_bias}
        return (lambda rng: Dense(n_in, units, use_bias, init=str(p["initializer"]),
                                  dtype=dtype, rng=rng)), (units,), attrs
    if type_id == "layer.conv2d":
        _need(shape, 3, title, "an image (channels × height × width)")
        c, h, w = shape
        oc, k, s, pad = (int(p["out_channels"]), int(p["kernel_size"]), int(p["stride"]),
                         int(p["padding"]))
        attrs = {"in_channels": c, "out_channels": oc, "kernel_size": k, "stride": s,
                 "padding": pad, "use_bias": bool(p["use_bias"])}
        out = (oc, _out_size(h, k, s, pad), _out_size(w, k, s, pad))
        return (lambda rng: Conv2D(c, oc, k, s, pad, bool(p["use_bias"]),
                                   init=str(p["initializer"]), dtype=dtype, rng=rng)), out, attrs
    if type_id in ("layer.maxpool2d", "layer.avgpool2d"):
        _need(shape, 3, title, "an image (channels × height × width)")
        c, h, w = shape
        k, pad = int(p["kernel_size"]), int(p["padding"])
        s = int(p["stride"]) or k
        cls = MaxPool2D if type_id == "layer.maxpool2d" else AvgPool2D
        attrs = {"kernel_size": k, "stride": s, "padding": pad}
        out = (c, _out_size(h, k, s, pad), _out_size(w, k, s, pad))
        return _checked(lambda rng: cls(k, s, pad), title), out, attrs
    if type_id == "layer.flatten":
        return (lambda rng: Flatten()), (prod(shape),), {}
    if type_id == "layer.dropout":
        return (lambda rng: _no_layer()), shape, {"p": dropout_rate(p)}
    if type_id == "layer.batchnorm":
        attrs = {"num_features": shape[0], "eps": 1e-5, "momentum": 0.1}
        return (lambda rng: BatchNorm(shape[0], dtype=dtype)), shape, attrs
    if type_id == "layer.softmax":
        return (lambda rng: Softmax(axis=1)), shape, {"axis": 1}
    if type_id == "activation":
        fn = str(p["function"])
        slope = float(p["negative_slope"]) if fn == "leaky_relu" else 0.0
        kwargs = {"negative_slope": slope} if fn == "leaky_relu" else {}
        return (lambda rng: make_activation(fn, **kwargs)), shape, {
            "function": fn, "negative_slope": slope}
    raise GraphError(f"The compiler does not know node type '{type_id}'.")


def _checked(factory: LayerFactory, title: str) -> LayerFactory:
    """Check now that the engine accepts the settings, so compile fails with a sentence."""
    try:
        factory(np.random.default_rng(0))
    except ValueError as error:
        raise GraphError(f"{title}: {error}") from None
    return factory


def _no_layer() -> Layer:
    raise AssertionError("the builder replaces the dropout factory")
