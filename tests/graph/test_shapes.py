"""Shape inference: every port's shape, batch dimension excluded."""

from __future__ import annotations

import itertools

import pytest
from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.model.document import Document, PortRef
from nnstudio.graph.model.shapes import conv_output_size, format_shape, infer_shapes


def test_format_shape() -> None:
    assert format_shape((64,)) == "N×64"
    assert format_shape((8, 28, 28)) == "N×8×28×28"
    assert format_shape(()) == "N"


@pytest.mark.parametrize("size, kernel, stride, padding, expected", [
    (28, 3, 1, 0, 26), (28, 3, 1, 1, 28), (28, 2, 2, 0, 14), (5, 7, 1, 0, None),
    (7, 3, 2, 0, 3), (1, 1, 1, 0, 1), (4, 5, 1, 0, None),
])
def test_conv_output_size(size: int, kernel: int, stride: int, padding: int,
                          expected: int | None) -> None:
    assert conv_output_size(size, kernel, stride, padding) == expected


def test_mlp_shapes() -> None:
    doc, ids = build_mlp(features=4, hidden=16, classes=3)
    shapes = infer_shapes(doc)
    assert shapes[PortRef(ids["input"], "out")] == (4,)
    assert shapes[PortRef(ids["hidden"], "in")] == (4,)
    assert shapes[PortRef(ids["hidden"], "out")] == (16,)
    assert shapes[PortRef(ids["relu"], "out")] == (16,)
    assert shapes[PortRef(ids["output"], "in")] == (3,)


def test_scalar_ports_are_empty_shapes() -> None:
    shapes = infer_shapes(build_chocolate())
    assert shapes[PortRef("n1", "out")] == ()
    assert shapes[PortRef("n3", "out")] == ()
    assert shapes[PortRef("n6", "in")] == ()


def _chain(doc: Document, *specs: tuple[str, dict]) -> list[str]:  # type: ignore[type-arg]
    ids = [doc.add_node(t, params=p) for t, p in specs]
    for a, b in itertools.pairwise(ids):
        doc.connect(a, "out", b, "in")
    return ids


def test_cnn_shapes() -> None:
    doc = Document()
    ids = _chain(doc,
                 ("layer.input", {"kind": "image", "channels": 1, "height": 28, "width": 28}),
                 ("layer.conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
                 ("layer.maxpool2d", {"kernel_size": 2}),
                 ("layer.conv2d", {"out_channels": 4, "kernel_size": 3, "stride": 2}),
                 ("layer.avgpool2d", {"kernel_size": 3, "stride": 1, "padding": 1}),
                 ("layer.batchnorm", {}), ("layer.dropout", {}),
                 ("layer.flatten", {}), ("layer.dense", {"units": 10}), ("layer.softmax", {}))
    shapes = infer_shapes(doc)
    got = [shapes.get(PortRef(i, "out")) for i in ids]
    assert got == [(1, 28, 28), (8, 28, 28), (8, 14, 14), (4, 6, 6), (4, 6, 6), (4, 6, 6),
                   (4, 6, 6), (144,), (10,), (10,)]


def test_failing_conv_has_no_output_shape() -> None:
    doc = Document()
    ids = _chain(doc, ("layer.input", {"kind": "image", "height": 5, "width": 5}),
                 ("layer.conv2d", {"kernel_size": 7}), ("layer.flatten", {}))
    shapes = infer_shapes(doc)
    assert PortRef(ids[1], "out") not in shapes
    assert PortRef(ids[2], "out") not in shapes


def test_add_concatenate_stack_split() -> None:
    doc = Document()
    a = doc.add_node("layer.input", params={"features": 3})
    d1 = doc.add_node("layer.dense", params={"units": 5})
    d2 = doc.add_node("layer.dense", params={"units": 5})
    add = doc.add_node("layer.add")
    cat = doc.add_node("layer.concatenate")
    split = doc.add_node("layer.split", params={"size": 8})
    stack = doc.add_node("layer.stack")
    for d in (d1, d2):
        doc.connect(a, "out", d, "in")
        doc.connect(d, "out", add, "in")
    doc.connect(add, "out", cat, "in")
    doc.connect(a, "out", cat, "in")
    doc.connect(cat, "out", split, "in")
    for port in ("out0", "out5", "out7"):
        doc.connect(split, port, stack, "in")
    shapes = infer_shapes(doc)
    assert shapes[PortRef(add, "out")] == (5,)
    assert shapes[PortRef(cat, "out")] == (8,)
    assert shapes[PortRef(split, "out7")] == ()
    assert shapes[PortRef(stack, "out")] == (3,)


def test_scalars_into_a_dense_stack_automatically() -> None:
    doc = Document()
    neurons = [doc.add_node("neuron.neuron") for _ in range(4)]
    dense = doc.add_node("layer.dense", params={"units": 2})
    act = doc.add_node("activation")
    for n in neurons:
        doc.connect(n, "out", dense, "in")
    doc.connect(dense, "out", act, "in")
    shapes = infer_shapes(doc)
    assert shapes[PortRef(dense, "in")] == (4,)
    assert shapes[PortRef(act, "out")] == (2,)


def test_activation_on_a_scalar_stays_scalar_and_unfed_is_unknown() -> None:
    doc = Document()
    bias = doc.add_node("neuron.bias")
    act = doc.add_node("activation")
    lonely = doc.add_node("activation")
    doc.connect(bias, "out", act, "in")
    shapes = infer_shapes(doc)
    assert shapes[PortRef(act, "out")] == ()
    assert PortRef(lonely, "out") not in shapes


def test_concatenate_images_along_channels() -> None:
    doc = Document()
    img = doc.add_node("layer.input", params={"kind": "image", "channels": 3})
    c = doc.add_node("layer.conv2d", params={"out_channels": 5, "padding": 1})
    cat = doc.add_node("layer.concatenate")
    doc.connect(img, "out", c, "in")
    doc.connect(img, "out", cat, "in")
    doc.connect(c, "out", cat, "in")
    assert infer_shapes(doc)[PortRef(cat, "out")] == (8, 8, 8)
