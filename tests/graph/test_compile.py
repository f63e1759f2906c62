"""Compiler: the lecture's closed forms, neurons = Dense, learned values both ways, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnstudio.engine import SGD
from nnstudio.graph.checks.validation import validate
from nnstudio.graph.compiler import Plan, compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document


def chocolate(w1: float, b1: float, w2: float, b2: float) -> tuple[Document, list[str]]:
    """x → h = w1·x + b1 → g = w2·h + b2 → MSE, as drawn in the lecture."""
    doc = Document()
    x = doc.add_node("neuron.input_feature", params={"column": 0})
    h = doc.add_node("neuron.neuron")
    bias1 = doc.add_node("neuron.bias")
    g = doc.add_node("neuron.neuron")
    bias2 = doc.add_node("neuron.bias")
    out = doc.add_node("neuron.output", params={"loss": "mse", "target_column": 0})
    edges = [doc.connect(x, "out", h, "in", weight=w1), doc.connect(bias1, "out", h, "in", b1),
             doc.connect(h, "out", g, "in", weight=w2), doc.connect(bias2, "out", g, "in", b2)]
    doc.connect(g, "out", out, "in")
    return doc, edges


def test_chocolate_gradients_equal_the_lectures_closed_forms() -> None:
    w1, b1, w2, b2 = 0.8, -0.3, 1.7, 0.2
    doc, (e_w1, e_b1, e_w2, e_b2) = chocolate(w1, b1, w2, b2)
    x = np.array([0.0, 0.2, 0.45, 0.7, 1.0])
    y = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    plan = compile_graph(doc, dtype=np.float64)
    plan.zero_grad()
    g = plan.forward(x[:, None], training=True)[:, 0]
    loss = plan.loss(y)
    plan.backward()
    h = w1 * x + b1
    assert np.allclose(g, w2 * h + b2)
    e = y - g
    assert loss == pytest.approx(np.mean(e**2))
    grads = plan.edge_grads()
    n = len(x)
    assert grads[e_w1] == pytest.approx(-2 / n * np.sum(e * w2 * x), rel=1e-12)
    assert grads[e_b1] == pytest.approx(-2 / n * np.sum(e * w2), rel=1e-12)
    assert grads[e_w2] == pytest.approx(-2 / n * np.sum(e * h), rel=1e-12)
    assert grads[e_b2] == pytest.approx(-2 / n * np.sum(e), rel=1e-12)


def hand_drawn(features: int, hidden: int) -> tuple[Document, list[str]]:
    """features inputs → `hidden` neurons (+Bias) → tanh each → one neuron (+Bias) → MSE."""
    doc = Document()
    xs = [doc.add_node("neuron.input_feature", params={"column": i}) for i in range(features)]
    bias = doc.add_node("neuron.bias")
    neurons = [doc.add_node("neuron.neuron") for _ in range(hidden)]
    acts = [doc.add_node("activation", params={"function": "tanh"}) for _ in range(hidden)]
    top = doc.add_node("neuron.neuron")
    out = doc.add_node("neuron.output", params={"loss": "mse"})
    for n, a in zip(neurons, acts, strict=True):
        for x in xs:
            doc.connect(x, "out", n, "in")
        doc.connect(bias, "out", n, "in")
        doc.connect(n, "out", a, "in")
        doc.connect(a, "out", top, "in")
    doc.connect(bias, "out", top, "in")
    doc.connect(top, "out", out, "in")
    return doc, neurons


def dense_graph(features: int, hidden: int) -> tuple[Document, str, str]:
    doc = Document()
    x = doc.add_node("layer.input", params={"features": features})
    d1 = doc.add_node("layer.dense", params={"units": hidden})
    act = doc.add_node("activation", params={"function": "tanh"})
    d2 = doc.add_node("layer.dense", params={"units": 1})
    out = doc.add_node("layer.output", params={"loss": "mse"})
    doc.connect(x, "out", d1, "in")
    doc.connect(d1, "out", act, "in")
    doc.connect(act, "out", d2, "in")
    doc.connect(d2, "out", out, "in")
    return doc, d1, d2


def test_hand_drawn_64_neurons_train_like_dense_64() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 3))
    y = np.sin(x.sum(axis=1))
    neurons_doc, _ = hand_drawn(3, 64)
    dense_doc, d1, d2 = dense_graph(3, 64)
    neurons = compile_graph(neurons_doc, dtype=np.float64, seed=1)
    dense = compile_graph(dense_doc, dtype=np.float64, seed=2)
    # one matrix product per depth, not one step per neuron
    assert [s.op for s in neurons.steps] == ["neuron_group", "activation", "neuron_group",
                                             "output"]
    hidden, top = neurons.params[("neurons@1", "weight")], neurons.params[("neurons@3", "weight")]
    assert hidden.shape == (64, 3) and top.shape == (1, 64)
    dense.params[(d1, "weight")][...] = hidden
    dense.params[(d1, "bias")][...] = rng.normal(size=64)
    neurons.params[("neurons@1", "bias")][...] = dense.params[(d1, "bias")]
    dense.params[(d2, "weight")][...] = top
    dense.params[(d2, "bias")][...] = neurons.params[("neurons@3", "bias")]
    pairs = {("neurons@1", "weight"): (d1, "weight"), ("neurons@1", "bias"): (d1, "bias"),
             ("neurons@3", "weight"): (d2, "weight"), ("neurons@3", "bias"): (d2, "bias")}
    opt_n, opt_d = SGD(0.02, momentum=0.5), SGD(0.02, momentum=0.5)
    losses = []
    for _ in range(10):
        results = []
        for plan, opt in ((neurons, opt_n), (dense, opt_d)):
            plan.zero_grad()
            pred = plan.forward(x, training=True)
            results.append((pred, plan.loss(y)))
            plan.backward()
            opt.step(plan.params, plan.grads)
        assert np.allclose(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
        losses.append(results[0][1])
        assert results[0][1] == pytest.approx(results[1][1], rel=1e-10)
    assert losses[-1] < losses[0]
    for nkey, dkey in pairs.items():
        assert np.allclose(neurons.params[nkey], dense.params[dkey], rtol=1e-10, atol=1e-12)


def test_absent_connections_stay_zero_while_training() -> None:
    doc = Document()
    x0 = doc.add_node("neuron.input_feature", params={"column": 0})
    x1 = doc.add_node("neuron.input_feature", params={"column": 1})
    bias = doc.add_node("neuron.bias")
    a = doc.add_node("neuron.neuron")
    b = doc.add_node("neuron.neuron")
    top = doc.add_node("neuron.neuron")
    out = doc.add_node("neuron.output")
    doc.connect(x0, "out", a, "in")
    doc.connect(bias, "out", a, "in")
    doc.connect(x1, "out", b, "in")            # b: no bias, only x1
    doc.connect(a, "out", top, "in")
    doc.connect(b, "out", top, "in")
    doc.connect(top, "out", out, "in")
    plan = compile_graph(doc, dtype=np.float64)
    w = plan.params[("neurons@1", "weight")]
    bias_vec = plan.params[("neurons@1", "bias")]
    mask = next(s for s in plan.steps if s.op == "neuron_group").attrs["mask"]
    assert mask.tolist() == [[True, False], [False, True]]
    opt = SGD(0.5)
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=(16, 2)), rng.normal(size=16)
    for _ in range(5):
        plan.zero_grad()
        plan.forward(xs, True)
        plan.loss(ys)
        plan.backward()
        opt.step(plan.params, plan.grads)
    assert w[0, 1] == 0.0 and w[1, 0] == 0.0 and bias_vec[1] == 0.0
    assert w[0, 0] != 0.0 and bias_vec[0] != 0.0
    assert set(plan.edge_weights()) == {e.id for e in doc.edges.values()
                                        if doc.nodes[e.target.node_id].type_id == "neuron.neuron"}

    # A loaded state cannot give a neuron a connection or a bias it does not have.
    state = {key: np.ones_like(value) for key, value in plan.state_dict().items()}
    plan.load_state_dict(state)
    assert w[0, 1] == 0.0 and w[1, 0] == 0.0 and bias_vec[1] == 0.0
    assert bias_vec[0] == 1.0


def test_write_back_then_recompile_reproduces_outputs() -> None:
    doc = Document()
    x = doc.add_node("layer.input", params={"features": 3})
    dense = doc.add_node("layer.dense", params={"units": 4})
    bn = doc.add_node("layer.batchnorm")
    split = doc.add_node("layer.split", params={"size": 4})
    bias = doc.add_node("neuron.bias")
    n = doc.add_node("neuron.neuron")
    out = doc.add_node("neuron.output")
    doc.connect(x, "out", dense, "in")
    doc.connect(dense, "out", bn, "in")
    doc.connect(bn, "out", split, "in")
    for i in range(4):
        doc.connect(split, f"out{i}", n, "in")
    doc.connect(bias, "out", n, "in")
    doc.connect(n, "out", out, "in")
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=(20, 3)), rng.normal(size=20)
    plan = compile_graph(doc, seed=5)
    opt = SGD(0.1)
    for _ in range(3):
        plan.zero_grad()
        plan.forward(xs, True)
        plan.loss(ys)
        plan.backward()
        opt.step(plan.params, plan.grads)
    expected = plan.predict(xs)
    doc.apply(plan.write_back())
    assert np.allclose(doc.nodes[bn].values["running_mean"], plan.buffers[(bn, "running_mean")])
    assert all(e.weight is not None for e in doc.incoming(n))
    again = compile_graph(doc, seed=99)          # a different seed: every value comes from doc
    assert np.array_equal(again.predict(xs), expected)
    for key, value in plan.state_dict().items():
        assert np.array_equal(again.state_dict()[key], value), key


def test_values_of_the_wrong_shape_are_reinitialised() -> None:
    doc, d1, _ = dense_graph(3, 8)
    doc.set_values(d1, {"weight": np.ones((5, 5), np.float32), "bias": np.full(8, 2.0)})
    plan = compile_graph(doc, seed=0)
    fresh = compile_graph(dense_graph(3, 8)[0], seed=0)
    assert np.array_equal(plan.params[(d1, "weight")], fresh.params[(d1, "weight")])
    assert np.all(plan.params[(d1, "bias")] == 2.0)


def test_same_seed_same_initial_weights() -> None:
    doc, _ = hand_drawn(2, 5)
    a, b = compile_graph(doc, seed=4), compile_graph(doc, seed=4)
    c = compile_graph(doc, seed=5)
    for key in a.params:
        assert np.array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params[("neurons@1", "weight")], c.params[("neurons@1", "weight")])
    assert a.edge_weights() == b.edge_weights()
    assert all(w is None for w in (e.weight for e in doc.edges.values()))  # doc untouched


def test_copy_is_independent() -> None:
    doc, d1, _ = dense_graph(2, 4)
    plan = compile_graph(doc)
    twin = plan.copy()
    x = np.ones((3, 2), np.float32)
    before = twin.forward(x, False).copy()
    plan.params[(d1, "weight")] += 1.0
    assert np.array_equal(twin.forward(x, False), before)
    assert not np.array_equal(plan.forward(x, False), before)
    assert twin.layers[d1].params["weight"] is twin.params[(d1, "weight")]


def test_invalid_graph_raises_the_validation_sentence() -> None:
    doc = Document()
    x = doc.add_node("layer.input", params={"features": 3})
    dense = doc.add_node("layer.dense")
    doc.connect(x, "out", dense, "in")
    problems = [p for p in validate(doc) if p.severity == "error"]
    with pytest.raises(GraphError) as info:
        compile_graph(doc)
    assert str(info.value) == problems[0].message


def test_head_layout_targets_penalties_and_predict() -> None:
    doc = Document()
    x = doc.add_node("layer.input", params={"features": 2})
    dense = doc.add_node("layer.dense", params={"units": 3, "penalty": "l1_l2", "l1": 0.01,
                                                "l2": 0.02})
    classes = doc.add_node("layer.output", params={"loss": "cross_entropy"})
    split = doc.add_node("layer.split", params={"size": 3})
    score = doc.add_node("neuron.output", params={"loss": "bce_with_logits",
                                                  "target_column": 0})
    doc.connect(x, "out", dense, "in")
    doc.connect(dense, "out", classes, "in")
    doc.connect(dense, "out", split, "in")
    doc.connect(split, "out1", score, "in")
    plan = compile_graph(doc, dtype=np.float64)
    assert [(h.node_id, h.columns, h.target_column) for h in plan.heads] == [
        (classes, slice(0, 3), None), (score, slice(3, 4), 0)]
    xs = np.array([[0.5, -1.0], [2.0, 0.3]])
    pred = plan.forward(xs, True)
    assert np.array_equal(pred[:, 3], pred[:, 1])
    labels = np.array([2, 0])
    w = plan.params[(dense, "weight")]
    penalty = 0.01 * np.abs(w).sum() + 0.02 * (w**2).sum()
    logits = pred[:, :3]
    ce = np.mean(np.log(np.exp(logits).sum(1)) - logits[[0, 1], labels])
    z, t = pred[:, 3], labels.astype(float)
    bce = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    assert plan.loss(labels) == pytest.approx(ce + bce + penalty)
    probs = plan.predict(xs)
    assert np.allclose(probs[:, :3].sum(axis=1), 1.0)
    assert np.allclose(probs[:, 3], 1 / (1 + np.exp(-pred[:, 3])))


def test_state_dict_round_trip_and_mismatch() -> None:
    doc, _ = hand_drawn(2, 3)
    plan, other = compile_graph(doc, seed=1), compile_graph(doc, seed=2)
    other.load_state_dict(plan.state_dict())
    assert other.edge_weights() == plan.edge_weights()
    with pytest.raises(GraphError):
        other.load_state_dict({})


def test_node_outputs_give_every_node() -> None:
    doc, neurons = hand_drawn(2, 3)
    plan = compile_graph(doc)
    xs = np.arange(8, dtype=np.float32).reshape(4, 2)
    plan.forward(xs, False)
    outputs = plan.node_outputs()
    assert set(outputs) == set(doc.nodes)
    w = plan.node_weights()[neurons[0]]                # x0, x1, bias in edge order
    assert np.allclose(outputs[neurons[0]], xs @ w[:2] + w[2])
    assert isinstance(plan, Plan)


def test_input_features_read_image_pixels_and_targets_are_checked() -> None:
    doc = Document()
    image = doc.add_node("layer.input", params={"kind": "image", "channels": 1, "height": 2,
                                                "width": 2})
    pixel = doc.add_node("neuron.input_feature", params={"column": 3})
    bias = doc.add_node("neuron.bias")
    n = doc.add_node("neuron.neuron")
    out = doc.add_node("neuron.output", params={"target_column": 1})
    flat = doc.add_node("layer.flatten")
    doc.connect(image, "out", flat, "in")
    doc.connect(pixel, "out", n, "in", weight=2.0)
    doc.connect(bias, "out", n, "in", weight=0.5)
    doc.connect(n, "out", out, "in")
    plan = compile_graph(doc, dtype=np.float64)
    x = np.arange(12, dtype=float).reshape(3, 1, 2, 2)
    pred = plan.forward(x, True)
    assert np.array_equal(pred[:, 0], 2.0 * x.reshape(3, 4)[:, 3] + 0.5)
    assert plan.loss(np.zeros((3, 2))) == pytest.approx(np.mean(pred[:, 0] ** 2))
    with pytest.raises(GraphError, match="target column 1"):
        plan.loss(np.zeros(3))


def test_predict_evaluates_cnns_in_smaller_batches_than_mlps() -> None:
    def sizes(doc: Document, x: np.ndarray) -> list[int]:
        plan = compile_graph(doc)
        seen: list[int] = []
        forward = plan.forward

        def spy(xb: np.ndarray, training: bool) -> np.ndarray:
            seen.append(len(xb))
            return forward(xb, training)

        plan.forward = spy  # type: ignore[method-assign]
        whole = compile_graph(doc).predict(x, batch_size=len(x))
        np.testing.assert_allclose(plan.predict(x), whole, rtol=1e-5, atol=1e-6)
        return seen

    image = {"kind": "image", "channels": 1, "height": 28, "width": 28}
    cnn, mlp = Document(), Document()
    chain = [cnn.add_node("layer.input", params=image),
             cnn.add_node("layer.conv2d", params={"out_channels": 8, "padding": 1}),
             cnn.add_node("layer.flatten"), cnn.add_node("layer.dense", params={"units": 3}),
             cnn.add_node("layer.output", params={"loss": "cross_entropy"})]
    for a, b in itertools.pairwise(chain):
        cnn.connect(a, "out", b, "in")
    chain = [mlp.add_node("layer.input", params={"features": 4}),
             mlp.add_node("layer.dense", params={"units": 3}),
             mlp.add_node("layer.output", params={"loss": "cross_entropy"})]
    for a, b in itertools.pairwise(chain):
        mlp.connect(a, "out", b, "in")
    rng = np.random.default_rng(0)
    cnn_sizes = sizes(cnn, rng.random((300, 1, 28, 28), dtype=np.float32))
    assert 32 <= cnn_sizes[0] < 300 and sum(cnn_sizes) == 300
    assert sizes(mlp, rng.random((3000, 4), dtype=np.float32)) == [1024, 1024, 952]
