"""Small hand-built networks, one per exported op, and helpers to run an export.

Each builder returns a Document whose compiled plan contains the op named by its key in
``CASES`` (checked by a test), so a failing comparison names the op that broke.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from nnstudio.graph.model.document import Document


def _chain(doc: Document, first: str, specs: list[tuple[str, dict[str, Any]]]) -> str:
    """Connect nodes ``specs`` one after another from ``first``; returns the last id."""
    last = first
    for type_id, params in specs:
        node = doc.add_node(type_id, params=params)
        doc.connect(last, "out", node, "in")
        last = node
    return last


def vector_net(*layers: tuple[str, dict[str, Any]], features: int = 3,
               loss: str = "mse") -> Document:
    doc = Document()
    x = doc.add_node("layer.input", params={"kind": "vector", "features": features},
                     title="Input")
    last = _chain(doc, x, list(layers))
    out = doc.add_node("layer.output", params={"loss": loss}, title="Output")
    doc.connect(last, "out", out, "in")
    return doc


def image_net(*layers: tuple[str, dict[str, Any]], channels: int = 2, size: int = 6,
              loss: str = "mse") -> Document:
    doc = Document()
    x = doc.add_node("layer.input", params={"kind": "image", "channels": channels,
                                            "height": size, "width": size}, title="Image")
    last = _chain(doc, x, [*layers, ("layer.flatten", {})])
    out = doc.add_node("layer.output", params={"loss": loss}, title="Output")
    doc.connect(last, "out", out, "in")
    return doc


def dense() -> Document:
    return vector_net(("layer.dense", {"units": 4}), ("layer.dense", {"units": 2,
                                                                      "use_bias": False}))


def conv2d() -> Document:
    return image_net(("layer.conv2d", {"out_channels": 3, "kernel_size": 3, "stride": 2,
                                       "padding": 1}),
                     ("layer.conv2d", {"out_channels": 2, "kernel_size": 2,
                                       "use_bias": False}))


def maxpool2d() -> Document:
    return image_net(("layer.maxpool2d", {"kernel_size": 3, "stride": 2, "padding": 1}))


def avgpool2d() -> Document:
    return image_net(("layer.avgpool2d", {"kernel_size": 3, "stride": 1, "padding": 1}),
                     ("layer.avgpool2d", {"kernel_size": 2}))


def flatten() -> Document:
    return image_net(("activation", {"function": "tanh"}))


def dropout() -> Document:
    return vector_net(("layer.dense", {"units": 5}), ("layer.dropout", {"p": 0.5}),
                      ("layer.dense", {"units": 2}))


def batchnorm() -> Document:
    return vector_net(("layer.dense", {"units": 4}), ("layer.batchnorm", {}))


def batchnorm_image() -> Document:
    return image_net(("layer.conv2d", {"out_channels": 3}), ("layer.batchnorm", {}))


def activation(function: str) -> Callable[[], Document]:
    def build() -> Document:
        params: dict[str, Any] = {"function": function}
        if function == "leaky_relu":
            params["negative_slope"] = 0.2
        return vector_net(("layer.dense", {"units": 6}), ("activation", params))
    return build


def softmax() -> Document:
    return vector_net(("layer.dense", {"units": 4}), ("layer.softmax", {}))


def _branches(merge: str, image: bool) -> Document:
    doc = Document()
    if image:
        x = doc.add_node("layer.input", params={"kind": "image", "channels": 1, "height": 5,
                                                "width": 5})
        a = _chain(doc, x, [("layer.conv2d", {"out_channels": 2, "padding": 1})])
        b = _chain(doc, x, [("layer.conv2d", {"out_channels": 2, "padding": 1}),
                            ("activation", {"function": "relu"})])
        c = _chain(doc, x, [("layer.conv2d", {"out_channels": 2, "kernel_size": 1,
                                              "padding": 0})])
    else:
        x = doc.add_node("layer.input", params={"kind": "vector", "features": 3})
        a = _chain(doc, x, [("layer.dense", {"units": 4})])
        b = _chain(doc, x, [("layer.dense", {"units": 4}), ("activation", {"function": "relu"})])
        c = _chain(doc, x, [("layer.dense", {"units": 4})])
    m = doc.add_node(merge)
    for src in (a, b, c):
        doc.connect(src, "out", m, "in")
    last = _chain(doc, m, [("layer.flatten", {})] if image else [])
    out = doc.add_node("layer.output", params={"loss": "mse"})
    doc.connect(last, "out", out, "in")
    return doc


def add() -> Document:
    return _branches("layer.add", image=False)


def concat() -> Document:
    return _branches("layer.concatenate", image=False)


def concat_image() -> Document:
    return _branches("layer.concatenate", image=True)


def neuron_group() -> Document:
    """Two hidden neurons with a missing connection (a masked weight), scalar tanh
    activations, an output neuron; Bias nodes give the bias vector."""
    doc = Document()
    x1 = doc.add_node("neuron.input_feature", params={"column": 2}, title="x1")
    x2 = doc.add_node("neuron.input_feature", params={"column": 0}, title="x2")
    bias = doc.add_node("neuron.bias", title="Bias")
    h1 = doc.add_node("neuron.neuron", title="h1")
    h2 = doc.add_node("neuron.neuron", title="h2")
    for src in (x1, x2, bias):
        doc.connect(src, "out", h1, "in")
    doc.connect(x2, "out", h2, "in")            # h2 has no Bias and no x1: masked entries
    t1 = doc.add_node("activation", params={"function": "tanh"}, title="t1")
    t2 = doc.add_node("activation", params={"function": "sigmoid"}, title="t2")
    doc.connect(h1, "out", t1, "in")
    doc.connect(h2, "out", t2, "in")
    o = doc.add_node("neuron.neuron", title="o")
    for src in (t2, t1, bias):
        doc.connect(src, "out", o, "in")
    out = doc.add_node("neuron.output", params={"loss": "bce_with_logits"}, title="Out")
    doc.connect(o, "out", out, "in")
    return doc


def stack_split() -> Document:
    """Input features stacked (out of order, with a Bias = ones column) into a dense layer,
    whose output is split into scalars that two neurons read."""
    doc = Document()
    feats = [doc.add_node("neuron.input_feature", params={"column": c}) for c in (3, 1, 2, 0)]
    bias = doc.add_node("neuron.bias")
    s = doc.add_node("layer.stack")
    for src in (*feats, bias):
        doc.connect(src, "out", s, "in")
    d = _chain(doc, s, [("layer.dense", {"units": 3})])
    sp = doc.add_node("layer.split", params={"size": 3})
    doc.connect(d, "out", sp, "in")
    n1 = doc.add_node("neuron.neuron")
    n2 = doc.add_node("neuron.neuron")
    doc.connect(sp, "out2", n1, "in")
    doc.connect(sp, "out0", n1, "in")
    doc.connect(sp, "out1", n2, "in")
    out = doc.add_node("layer.output", params={"loss": "cross_entropy"})
    doc.connect(n1, "out", out, "in")           # automatic stacking of two scalars
    doc.connect(n2, "out", out, "in")
    return doc


def image_features() -> Document:
    """Input-feature nodes reading pixels of an image input (the flattened ``x.flat``)."""
    doc = Document()
    doc.add_node("layer.input", params={"kind": "image", "channels": 1, "height": 3,
                                        "width": 3})
    n = doc.add_node("neuron.neuron")
    for c in (4, 0, 8):
        f = doc.add_node("neuron.input_feature", params={"column": c})
        doc.connect(f, "out", n, "in")
    out = doc.add_node("neuron.output")
    doc.connect(n, "out", out, "in")
    return doc


def heads() -> Document:
    """Two heads: a cross-entropy layer output then a scalar regression output."""
    doc = Document()
    x = doc.add_node("layer.input", params={"kind": "vector", "features": 3})
    d = _chain(doc, x, [("layer.dense", {"units": 3})])
    ce = doc.add_node("layer.output", params={"loss": "cross_entropy"}, title="Class")
    doc.connect(d, "out", ce, "in")
    sp = doc.add_node("layer.split", params={"size": 3})
    doc.connect(d, "out", sp, "in")
    n = doc.add_node("neuron.neuron")
    doc.connect(sp, "out1", n, "in")
    reg = doc.add_node("neuron.output", params={"loss": "mse"}, title="Value")
    doc.connect(n, "out", reg, "in")
    return doc


def ones() -> Document:
    """A Bias node feeding a Stack (not a Neuron): the constant column of ones."""
    doc = Document()
    f = doc.add_node("neuron.input_feature", params={"column": 1})
    bias = doc.add_node("neuron.bias")
    s = doc.add_node("layer.stack")
    doc.connect(f, "out", s, "in")
    doc.connect(bias, "out", s, "in")
    out = doc.add_node("layer.output", params={"loss": "mse"})
    doc.connect(s, "out", out, "in")
    return doc


#: case name -> (builder, the op its plan must contain)
CASES: dict[str, tuple[Callable[[], Document], str]] = {
    "dense": (dense, "dense"),
    "conv2d": (conv2d, "conv2d"),
    "maxpool2d": (maxpool2d, "maxpool2d"),
    "avgpool2d": (avgpool2d, "avgpool2d"),
    "flatten": (flatten, "flatten"),
    "dropout": (dropout, "dropout"),
    "batchnorm": (batchnorm, "batchnorm"),
    "batchnorm_image": (batchnorm_image, "batchnorm"),
    **{f"activation_{fn}": (activation(fn), "activation")
       for fn in ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "swish", "gelu")},
    "softmax": (softmax, "softmax"),
    "add": (add, "add"),
    "concat": (concat, "concat"),
    "concat_image": (concat_image, "concat"),
    "neuron_group": (neuron_group, "neuron_group"),
    "stack_split": (stack_split, "split"),
    "image_features": (image_features, "flatten"),
    "heads": (heads, "output"),
    "ones": (ones, "ones"),
}


def import_script(path: Path) -> ModuleType:
    """Import a generated PyTorch script as a fresh module."""
    name = f"exported_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def sample_inputs(shape: tuple[int, ...], n: int = 7, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(np.float32)
