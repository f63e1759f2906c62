"""Every node type a network can be built from, with its ports, settings and a plain description.

Type ids are versioned (``type_id`` + ``version``) so saved files keep loading when a type
changes: a file stores both, and a migration upgrades old versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.fields import MAX_COLUMNS
from nnstudio.graph.model.params import ParamKind, ParamSpec

__all__ = [
    "CATEGORIES",
    "NODE_TYPES",
    "NodeType",
    "ParamKind",
    "ParamSpec",
    "PortKind",
    "PortSpec",
    "node_type",
]

PortKind = Literal["scalar", "tensor", "any"]
Level = Literal["neuron", "layer", "both"]

CATEGORIES = ("Neurons & biases", "Layers", "Activations", "Data & output")

# Largest settings (an inspector spin box shows them; memory is estimated separately).
MAX_UNITS = 1_000_000
"""Units of a Dense layer, features of an Input vector."""
MAX_CHANNELS = 100_000
MAX_KERNEL = 1_000
"""Kernel size, stride and padding of a convolution or pool."""
MAX_IMAGE_SIDE = 100_000
MAX_SPLIT_OUTPUTS = 1_024
"""Outputs of a Split node: each is a port on the canvas."""


@dataclass(frozen=True)
class PortSpec:
    """One port of a node. ``multiple=True``: an input port that takes several edges."""

    name: str
    kind: PortKind
    multiple: bool = False
    label: str = ""


@dataclass(frozen=True)
class NodeType:
    """A kind of node: its ports, settings and the sentence a student reads in the palette.

    ``inputs``/``outputs`` are the fixed ports; ``split_param`` names an int setting that
    gives the number of scalar outputs ``out0``..``out{n-1}`` instead (the Split node).
    """

    type_id: str
    version: int
    title: str
    category: str
    description: str
    level: Level
    params: tuple[ParamSpec, ...]
    main_param: str | None
    has_weights: bool
    inputs: tuple[PortSpec, ...] = ()
    outputs: tuple[PortSpec, ...] = ()
    split_param: str | None = None

    def input_ports(self, params: Mapping[str, Any]) -> tuple[PortSpec, ...]:
        """The input ports of a node of this type with these settings."""
        return self.inputs

    def output_ports(self, params: Mapping[str, Any]) -> tuple[PortSpec, ...]:
        """The output ports of a node of this type with these settings."""
        if self.split_param is None:
            return self.outputs
        count = params.get(self.split_param, self.param(self.split_param).default)
        if isinstance(count, bool) or not isinstance(count, int):
            count = self.param(self.split_param).default
        return tuple(PortSpec(f"out{i}", "scalar", label=str(i)) for i in range(max(count, 0)))

    def default_params(self) -> dict[str, Any]:
        """A fresh dict with every setting at its default."""
        return {spec.name: spec.default for spec in self.params}

    def param(self, name: str) -> ParamSpec:
        """The spec of setting ``name``; raises GraphError if this type has no such setting."""
        for spec in self.params:
            if spec.name == name:
                return spec
        article = "An" if self.title[0] in "AEIOU" else "A"
        raise GraphError(f"{article} {self.title} node has no setting '{name}'.")

    def clean_params(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Defaults overlaid with ``params``, each coerced; raises GraphError on a bad one."""
        clean = self.default_params()
        for name, value in (params or {}).items():
            clean[name] = self.param(name).coerce(value)
        return clean


# --- shared settings ---------------------------------------------------------------------

INITIALIZERS = (
    "xavier_uniform", "xavier_normal", "he_uniform", "he_normal", "uniform", "normal", "zeros",
)
PENALTIES = ("none", "l1", "l2", "l1_l2")
ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "swish", "gelu")
SCALAR_LOSSES = ("mse", "binary_cross_entropy", "bce_with_logits")
LAYER_LOSSES = (*SCALAR_LOSSES, "cross_entropy", "multilabel")


def _weight_params(default_init: str) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("initializer", "choice", default_init, "Initializer",
                  "How the starting weights are drawn (Xavier suits sigmoid/tanh, He suits ReLU).",
                  choices=INITIALIZERS),
        ParamSpec("penalty", "choice", "none", "Penalty",
                  "Regularization on the weights: L1 pushes weights to exactly 0, L2 keeps them "
                  "small, L1+L2 does both. Also set its strength (l1, l2) above 0.",
                  choices=PENALTIES),
        ParamSpec("l1", "float", 0.0, "L1 strength",
                  "Factor of the sum of |w| added to the loss; acts only when the penalty is l1 "
                  "or l1_l2 and this is above 0 (e.g. 0.001).",
                  minimum=0.0, maximum=1000.0, decimals=6, step=0.0001),
        ParamSpec("l2", "float", 0.0, "L2 strength",
                  "Factor of the sum of w² added to the loss; acts only when the penalty is l2 "
                  "or l1_l2 and this is above 0 (e.g. 0.001).",
                  minimum=0.0, maximum=1000.0, decimals=6, step=0.0001),
    )


def _use_bias() -> ParamSpec:
    return ParamSpec("use_bias", "bool", True, "Use bias",
                     "Add a learned bias to every output unit.")


def _pool_params() -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("kernel_size", "int", 2, "Kernel size", "Side of the square window.",
                  minimum=1, maximum=MAX_KERNEL),
        ParamSpec("stride", "int", 0, "Stride",
                  "Step of the window in pixels; 0 means the same as the kernel size.",
                  minimum=0, maximum=MAX_KERNEL),
        ParamSpec("padding", "int", 0, "Padding", "Pixels added on every border.", minimum=0,
                  maximum=MAX_KERNEL),
    )


_IN_SCALARS = (PortSpec("in", "scalar", multiple=True, label="inputs"),)
_IN_SCALAR = (PortSpec("in", "scalar", label="prediction"),)
_IN_TENSOR = (PortSpec("in", "tensor", label="input"),)
_IN_TENSORS = (PortSpec("in", "tensor", multiple=True, label="inputs"),)
_OUT_SCALAR = (PortSpec("out", "scalar", label="output"),)
_OUT_TENSOR = (PortSpec("out", "tensor", label="output"),)
_ANY_IN = (PortSpec("in", "any", label="input"),)
_ANY_OUT = (PortSpec("out", "any", label="output"),)

_N, _L, _A, _D = CATEGORIES


def _layer(type_id: str, title: str, description: str, params: tuple[ParamSpec, ...] = (),
           main_param: str | None = None, has_weights: bool = False) -> NodeType:
    return NodeType(type_id, 1, title, _L, description, "layer", params, main_param, has_weights,
                    _IN_TENSOR, _OUT_TENSOR)


_TYPES: tuple[NodeType, ...] = (
    # Neurons & biases
    NodeType(
        "neuron.neuron", 1, "Neuron", _N,
        "One neuron: the weighted sum of its incoming connections, each with its own trainable "
        "weight. It has no bias of its own; connect a Bias to give it one.",
        "neuron", _weight_params("xavier_uniform"), None, True, _IN_SCALARS, _OUT_SCALAR),
    NodeType(
        "neuron.bias", 1, "Bias", _N,
        "The constant +1 unit; the weights leaving it move a neuron's value up or down no matter "
        "what the inputs were.",
        "neuron", (), None, False, (), _OUT_SCALAR),
    # Layers
    _layer("layer.dense", "Dense",
           "A fully connected layer: every output unit is a weighted sum of all inputs plus a "
           "bias, like a column of neurons drawn at once.",
           (ParamSpec("units", "int", 8, "Units", "Number of neurons in the layer.", minimum=1,
                      maximum=MAX_UNITS),
            _use_bias(), *_weight_params("he_uniform")), "units", True),
    _layer("layer.conv2d", "Conv2D",
           "A convolution: small learned filters slide over the image and share their weights, "
           "giving one feature map per filter.",
           (ParamSpec("out_channels", "int", 8, "Filters",
                      "Number of filters = output channels.", minimum=1, maximum=MAX_CHANNELS),
            ParamSpec("kernel_size", "int", 3, "Kernel size", "Side of each square filter.",
                      minimum=1, maximum=MAX_KERNEL),
            ParamSpec("stride", "int", 1, "Stride", "Step of the filter in pixels.", minimum=1,
                      maximum=MAX_KERNEL),
            ParamSpec("padding", "int", 0, "Padding",
                      "Zero pixels added on every border (keeps the image size).", minimum=0,
                      maximum=MAX_KERNEL),
            _use_bias(), *_weight_params("he_uniform")), "out_channels", True),
    _layer("layer.maxpool2d", "MaxPool2D",
           "Downsamples feature maps by keeping the largest value in each window: the strongest "
           "presence of a feature.", _pool_params(), "kernel_size"),
    _layer("layer.avgpool2d", "AvgPool2D",
           "Downsamples feature maps by averaging each window.", _pool_params(), "kernel_size"),
    _layer("layer.flatten", "Flatten",
           "Lays an image C×H×W out as one long vector, so Dense layers can read it."),
    _layer("layer.dropout", "Dropout",
           "During training, zeroes a random share p of its inputs so the network cannot "
           "over-rely on some connections; does nothing when predicting.",
           (ParamSpec("p", "float", 0.5, "Drop probability",
                      "Share of values zeroed in each training step.",
                      minimum=0.0, maximum=0.99),
            ParamSpec("active", "bool", True, "Active",
                      "Off: the layer passes its input on unchanged in training too (its "
                      "drop probability is kept for when it is switched on again).")), "p"),
    _layer("layer.batchnorm", "BatchNorm",
           "Rescales activations to a steady mean and variance per feature, which stabilises "
           "and speeds up training.", (), None, True),
    _layer("layer.softmax", "Softmax",
           "Turns a vector of scores into probabilities that sum to 1 (over the features)."),
    NodeType("layer.add", 1, "Add", _L,
             "Adds its input tensors element by element; they must have the same shape.",
             "layer", (), None, False, _IN_TENSORS, _OUT_TENSOR),
    NodeType("layer.concatenate", 1, "Concatenate", _L,
             "Joins its input tensors side by side along the features (or channels).",
             "layer", (), None, False, _IN_TENSORS, _OUT_TENSOR),
    NodeType("layer.stack", 1, "Stack", _L,
             "Collects single scalars (e.g. hand-drawn neurons) into one vector, in the order of "
             "the connections.", "layer", (), None, False, _IN_SCALARS, _OUT_TENSOR),
    NodeType("layer.split", 1, "Split", _L,
             "Splits a vector into its single numbers, so each can feed a neuron.", "layer",
             (ParamSpec("size", "int", 2, "Size", "Length of the vector = number of outputs.",
                        minimum=1, maximum=MAX_SPLIT_OUTPUTS),), "size", False, _IN_TENSOR, (),
             split_param="size"),
    # Activations
    NodeType(
        "activation", 1, "Activation", _A,
        "Applies a non-linear function to each value (ReLU, sigmoid, ...); without it stacked "
        "layers collapse into one linear model.",
        "both",
        (ParamSpec("function", "choice", "relu", "Function", "The activation function.",
                   choices=ACTIVATIONS),
         ParamSpec("negative_slope", "float", 0.01, "Negative slope",
                   "Slope for negative inputs (leaky ReLU only).", minimum=-1000.0,
                   maximum=1000.0)),
        "function", False, _ANY_IN, _ANY_OUT),
    # Data & output
    NodeType(
        "neuron.input_feature", 1, "Input feature", _D,
        "One column of the data table as a single input node x.", "neuron",
        (ParamSpec("column", "int", 0, "Column", "Which feature column of the data (from 0).",
                   minimum=0, maximum=MAX_COLUMNS),), "column", False, (), _OUT_SCALAR),
    NodeType(
        "neuron.output", 1, "Scalar output", _D,
        "One predicted number, compared with a target column of the data by a loss.",
        "neuron",
        (ParamSpec("target_column", "int", 0, "Target column",
                   "Which target column this predicts (from 0).", minimum=0,
                   maximum=MAX_COLUMNS),
         ParamSpec("loss", "choice", "mse", "Loss",
                   "mse for numbers; binary cross-entropy for a 0/1 target (on a probability, or "
                   "with logits on a raw score).", choices=SCALAR_LOSSES)),
        "loss", False, _IN_SCALAR, ()),
    NodeType(
        "layer.input", 1, "Input", _D,
        "The data entering the network: a vector of features or an image C×H×W.", "layer",
        (ParamSpec("kind", "choice", "vector", "Kind", "A vector of features or an image.",
                   choices=("vector", "image")),
         ParamSpec("features", "int", 2, "Features", "Length of the vector.", minimum=1,
                   maximum=MAX_UNITS),
         ParamSpec("channels", "int", 1, "Channels", "Image channels (1 grey, 3 colour).",
                   minimum=1, maximum=MAX_CHANNELS),
         ParamSpec("height", "int", 8, "Height", "Image height in pixels.", minimum=1,
                   maximum=MAX_IMAGE_SIDE),
         ParamSpec("width", "int", 8, "Width", "Image width in pixels.", minimum=1,
                   maximum=MAX_IMAGE_SIDE)),
        "features", False, (), _OUT_TENSOR),
    NodeType(
        "layer.output", 1, "Output", _D,
        "The network's prediction, compared with the targets by a loss (softmax cross-entropy "
        "for classes, MSE for numbers, sigmoid + BCE for 0/1 targets).", "layer",
        (ParamSpec("loss", "choice", "cross_entropy", "Loss",
                   "cross_entropy: one output per class (raw scores); mse: numbers; "
                   "binary_cross_entropy / bce_with_logits: 0/1 targets; multilabel: several "
                   "0/1 targets.", choices=LAYER_LOSSES),),
        "loss", False, _IN_TENSOR, ()),
)

NODE_TYPES: dict[str, NodeType] = {t.type_id: t for t in _TYPES}

#: Node types without inputs: where values enter the network.
SOURCE_TYPES = frozenset({"neuron.bias", "neuron.input_feature", "layer.input"})
#: Node types that end the network and carry a loss.
OUTPUT_TYPES = frozenset({"neuron.output", "layer.output"})


def dropout_rate(params: Mapping[str, Any]) -> float:
    """The share a Dropout node drops in training: its p, or 0 while it is switched off."""
    return float(params.get("p", 0.0)) if params.get("active", True) else 0.0


def node_type(type_id: str) -> NodeType:
    """The registered type ``type_id``; raises GraphError if there is none."""
    try:
        return NODE_TYPES[type_id]
    except (KeyError, TypeError):
        raise GraphError(f"Unknown node type '{type_id}'.") from None
