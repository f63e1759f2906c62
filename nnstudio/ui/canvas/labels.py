"""Short texts the canvas draws: a node's key settings ("Dense 64", "Conv 8@3×3 s1 p1")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnstudio.graph.model.registry import NODE_TYPES

_ACTIVATION_NAMES = {
    "identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU",
    "leaky_relu": "Leaky ReLU", "swish": "Swish", "gelu": "GELU",
}
_LOSS_NAMES = {
    "mse": "MSE", "binary_cross_entropy": "BCE", "bce_with_logits": "BCE (logits)",
    "cross_entropy": "Cross-entropy", "multilabel": "Multi-label BCE",
}


def _penalty(params: Mapping[str, Any]) -> str:
    penalty = params.get("penalty", "none")
    return "" if penalty in (None, "none") else f" · {str(penalty).upper().replace('_', '+')}"


def _pool(name: str, params: Mapping[str, Any]) -> str:
    k = params.get("kernel_size", 2)
    stride = params.get("stride", 0) or k
    return f"{name} {k}×{k} s{stride} p{params.get('padding', 0)}"


def node_summary(type_id: str, params: Mapping[str, Any]) -> str:
    """The type and its key settings in a few characters."""
    p = params
    if type_id == "layer.dense":
        bias = "" if p.get("use_bias", True) else " · no bias"
        return f"Dense {p.get('units')}{bias}{_penalty(p)}"
    if type_id == "layer.conv2d":
        k = p.get("kernel_size")
        text = f"Conv {p.get('out_channels')}@{k}×{k} s{p.get('stride')} p{p.get('padding')}"
        return text + _penalty(p)
    if type_id == "layer.maxpool2d":
        return _pool("MaxPool", p)
    if type_id == "layer.avgpool2d":
        return _pool("AvgPool", p)
    if type_id == "layer.dropout":
        return f"Dropout p={p.get('p')}"
    if type_id == "layer.split":
        return f"Split into {p.get('size')}"
    if type_id == "activation":
        function = str(p.get("function", ""))
        name = _ACTIVATION_NAMES.get(function, function)
        if function == "leaky_relu":
            name += f" {p.get('negative_slope')}"
        return name
    if type_id == "neuron.neuron":
        return "Σ w·x" + _penalty(p)
    if type_id == "neuron.bias":
        return "constant +1"
    if type_id == "neuron.input_feature":
        return f"x[{p.get('column')}]"
    if type_id == "neuron.output":
        loss = _LOSS_NAMES.get(str(p.get("loss")), str(p.get("loss")))
        return f"ŷ[{p.get('target_column')}] · {loss}"
    if type_id == "layer.input":
        if p.get("kind") == "image":
            return f"Image {p.get('channels')}×{p.get('height')}×{p.get('width')}"
        return f"Vector {p.get('features')}"
    if type_id == "layer.output":
        return _LOSS_NAMES.get(str(p.get("loss")), str(p.get("loss")))
    kind = NODE_TYPES.get(type_id)
    return kind.title if kind is not None else type_id


def format_weight(weight: float | None) -> str:
    """A weight as a short signed number, or "w ?" when it is not initialised yet."""
    if weight is None:
        return "w ?"
    return f"{weight:+.2f}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_gradient(magnitude: float) -> str:
    """A gradient magnitude as a student reads it: "0.64", "0.031", "6.4×10⁻⁵"."""
    size = abs(magnitude)
    if size == 0.0:
        return "0"
    if 0.01 <= size < 100.0:
        return f"{magnitude:.2f}" if size < 10 else f"{magnitude:.1f}"
    if 0.001 <= size < 0.01:
        return f"{magnitude:.3f}"
    if 100.0 <= size < 100_000.0:
        return f"{magnitude:.0f}"
    mantissa, exponent = f"{magnitude:.1e}".split("e")
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
