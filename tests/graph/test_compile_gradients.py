"""Every node type compiles, and each plan's backprop matches finite differences (float64)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import partial

import numpy as np
import pytest

from nnstudio.graph.compiler import check_gradients, compile_graph
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.registry import NODE_TYPES

Case = tuple[Document, np.ndarray, np.ndarray]
RNG = np.random.default_rng(12)


def chain(doc: Document, *nodes: str) -> None:
    for a, b in itertools.pairwise(nodes):
        doc.connect(a, "out", b, "in")


def node(doc: Document, type_id: str, **params: object) -> str:
    return doc.add_node(type_id, params=params)


def mlp(function: str) -> Case:
    doc = Document()
    chain(doc, node(doc, "layer.input", features=3),
          node(doc, "layer.dense", units=4, penalty="l1_l2", l1=0.01, l2=0.02),
          node(doc, "activation", function=function, negative_slope=0.1),
          node(doc, "layer.dense", units=2, use_bias=False), node(doc, "layer.output", loss="mse"))
    return doc, RNG.normal(size=(5, 3)), RNG.normal(size=(5, 2))


def cnn() -> Case:
    doc = Document()
    chain(doc, node(doc, "layer.input", kind="image", channels=2, height=6, width=5),
          node(doc, "layer.conv2d", out_channels=3, kernel_size=3, stride=2, padding=1,
               penalty="l2", l2=0.01),
          node(doc, "activation", function="relu"), node(doc, "layer.batchnorm"),
          node(doc, "layer.maxpool2d", kernel_size=2, stride=1),
          node(doc, "layer.avgpool2d", kernel_size=2, stride=1), node(doc, "layer.flatten"),
          node(doc, "layer.dense", units=3), node(doc, "layer.output", loss="cross_entropy"))
    return doc, RNG.normal(size=(4, 2, 6, 5)), np.array([0, 2, 1, 2])


def dropout_softmax() -> Case:
    doc = Document()
    chain(doc, node(doc, "layer.input", features=4), node(doc, "layer.dense", units=5),
          node(doc, "layer.dropout", p=0.3), node(doc, "layer.batchnorm"),
          node(doc, "layer.softmax"), node(doc, "layer.output", loss="binary_cross_entropy"))
    return doc, RNG.normal(size=(6, 4)), RNG.integers(0, 2, size=(6, 5)).astype(float)


def add_concat() -> Case:
    doc = Document()
    x = node(doc, "layer.input", features=3)
    a, b = node(doc, "layer.dense", units=4), node(doc, "layer.dense", units=4)
    add, cat = node(doc, "layer.add"), node(doc, "layer.concatenate")
    head = node(doc, "layer.dense", units=2)
    out = node(doc, "layer.output", loss="multilabel")
    chain(doc, x, a, add)
    chain(doc, x, b, add, cat)
    doc.connect(x, "out", cat, "in")
    chain(doc, cat, head, out)
    return doc, RNG.normal(size=(5, 3)), RNG.integers(0, 2, size=(5, 2)).astype(float)


def neurons_stack_dense() -> Case:
    doc = Document()
    xs = [node(doc, "neuron.input_feature", column=i) for i in (1, 0)]
    bias = node(doc, "neuron.bias")
    stack = node(doc, "layer.stack")
    for i in range(3):
        n = node(doc, "neuron.neuron", penalty="l1", l1=0.05)
        act = node(doc, "activation", function="sigmoid")
        for x in xs[: i + 1]:
            doc.connect(x, "out", n, "in")
        doc.connect(bias, "out", n, "in")
        chain(doc, n, act, stack)
    doc.connect(bias, "out", stack, "in")              # a constant 1 stacked in
    chain(doc, stack, node(doc, "layer.dense", units=2),
          node(doc, "layer.output", loss="bce_with_logits"))
    return doc, RNG.normal(size=(6, 2)), RNG.integers(0, 2, size=(6, 2)).astype(float)


def dense_split_neurons() -> Case:
    doc = Document()
    dense = node(doc, "layer.dense", units=3)
    split = node(doc, "layer.split", size=3)
    chain(doc, node(doc, "layer.input", features=3), dense, split)
    b1, b2 = node(doc, "neuron.bias"), node(doc, "neuron.bias")
    n1, n2 = node(doc, "neuron.neuron"), node(doc, "neuron.neuron")
    for i, n in ((0, n1), (1, n1), (2, n2)):
        doc.connect(split, f"out{i}", n, "in")
    doc.connect(b1, "out", n1, "in")
    doc.connect(b2, "out", n1, "in")                   # two biases into one neuron
    act = node(doc, "activation", function="leaky_relu", negative_slope=0.2)
    chain(doc, n2, act)
    o1 = node(doc, "neuron.output", loss="bce_with_logits", target_column=0)
    o2 = node(doc, "neuron.output", loss="mse", target_column=1)
    doc.connect(n1, "out", o1, "in")
    doc.connect(act, "out", o2, "in")
    y = np.column_stack([RNG.integers(0, 2, 5), RNG.normal(size=5)])
    return doc, RNG.normal(size=(5, 3)), y


def automatic_stacking() -> Case:
    doc = Document()
    xs = [node(doc, "neuron.input_feature", column=i) for i in range(3)]
    dense = node(doc, "layer.dense", units=2)
    out = node(doc, "layer.output", loss="mse")
    for x in (xs[2], xs[0]):
        doc.connect(x, "out", dense, "in")           # scalars into a tensor port
    split = node(doc, "layer.split", size=2)
    chain(doc, dense, split)
    n = node(doc, "neuron.neuron")
    doc.connect(split, "out1", n, "in")
    doc.connect(xs[1], "out", n, "in")
    for src in (n, xs[1]):
        doc.connect(src, "out", out, "in")           # scalars into the Output
    return doc, RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))


CASES: dict[str, Callable[[], Case]] = {
    **{f"mlp-{f}": partial(mlp, f) for f in
       ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "swish", "gelu")},
    "cnn": cnn, "dropout-softmax": dropout_softmax, "add-concat": add_concat,
    "neurons-stack-dense": neurons_stack_dense, "dense-split-neurons": dense_split_neurons,
    "automatic-stacking": automatic_stacking,
}


@pytest.mark.parametrize("name", list(CASES))
def test_plan_passes_gradient_check(name: str) -> None:
    doc, x, y = CASES[name]()
    plan = compile_graph(doc, dtype=np.float32, seed=3)
    errors = check_gradients(plan, x, y, max_params_per_array=12)
    assert set(errors) == {f"{o}/{n}" for o, n in plan.params}
    worst = max(errors.values())
    assert worst < 1e-6, errors
    pred = plan.forward(x, training=False)
    assert pred.dtype == np.float32 and pred.shape[0] == len(x)


def test_cases_cover_every_node_type() -> None:
    used = {n.type_id for make in CASES.values() for n in make()[0].nodes.values()}
    assert used == set(NODE_TYPES)


def test_check_gradients_notices_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch) -> None:
    from nnstudio.engine import mse_loss
    from nnstudio.graph.compiler import plan as plan_module

    def wrong_mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = mse_loss(pred, target)
        return loss, grad * 1.5

    doc, x, y = mlp("tanh")
    plan = compile_graph(doc, dtype=np.float64)
    assert max(check_gradients(plan, x, y).values()) < 1e-6
    monkeypatch.setitem(plan_module.LOSSES, "mse", wrong_mse)
    assert min(check_gradients(plan, x, y).values()) > 0.1


@pytest.mark.parametrize("name", ["mlp-tanh", "cnn", "add-concat"])
def test_layers_reading_the_data_compute_no_input_gradient(name: str) -> None:
    from nnstudio.graph.compiler.ops import LayerOp

    doc, x, y = CASES[name]()
    plan = compile_graph(doc, dtype=np.float64, seed=3)
    ops = [op for (_, _, op, _) in plan._run if isinstance(op, LayerOp)]
    assert [op.layer.input_grad for op in ops] == [op.need_grad[0] for op in ops]
    assert not ops[0].layer.input_grad  # the first layer reads x
    assert any(op.layer.input_grad for op in ops)
    full = plan.copy()
    for op in (o for (_, _, o, _) in full._run if isinstance(o, LayerOp)):
        op.layer.input_grad = True
    for p in (plan, full):
        p.zero_grad()
        p.forward(x, training=True)
        p.loss(y)
        p.backward()
    for key, grad in plan.grads.items():
        np.testing.assert_array_equal(grad, full.grads[key])
