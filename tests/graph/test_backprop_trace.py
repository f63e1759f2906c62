"""The backprop trace: chain-rule products equal the plan's gradients, and the lecture's
closed forms (slides 29–32) come out for the chocolate network."""

from __future__ import annotations

import numpy as np
import pytest

from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.compiler.backprop_trace import short_symbol, trace_backprop, weight_symbol
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document


def chocolate(w1: float = 0.7, b1: float = -0.2, w2: float = 1.3, b2: float = 0.1
              ) -> tuple[Document, dict[str, str]]:
    d = Document()
    x = d.add_node("neuron.input_feature", (0, 0), {"column": 0}, "x (chocolate)")
    bias1 = d.add_node("neuron.bias", (0, 150), title="b1 (bias)")
    h = d.add_node("neuron.neuron", (200, 0), title="h = w1·x + b1")
    bias2 = d.add_node("neuron.bias", (200, 150), title="b2 (bias)")
    g = d.add_node("neuron.neuron", (400, 0), title="g = w2·h + b2")
    out = d.add_node("neuron.output", (600, 0), {"loss": "mse"}, "happiness (MSE)")
    ids = {"x": x, "h": h, "g": g, "out": out, "bias1": bias1, "bias2": bias2,
           "w1": d.connect(x, "out", h, "in", weight=w1),
           "b1": d.connect(bias1, "out", h, "in", weight=b1),
           "w2": d.connect(h, "out", g, "in", weight=w2),
           "b2": d.connect(bias2, "out", g, "in", weight=b2)}
    d.connect(g, "out", out, "in")
    return d, ids


X = np.array([[0.1], [0.4], [0.8], [0.95]])
Y = np.array([[0.0], [0.0], [1.0], [1.0]])


def plan_gradients(doc: Document, x: np.ndarray, y: np.ndarray) -> tuple[object, object]:
    plan = compile_graph(doc, dtype=np.float64)
    plan.zero_grad()
    plan.forward(x, training=True)
    plan.loss(y)
    plan.backward()
    return plan, plan.edge_grads()


def test_chocolate_reproduces_the_lecture_closed_forms() -> None:
    w1, b1, w2, b2 = 0.7, -0.2, 1.3, 0.1
    doc, ids = chocolate(w1, b1, w2, b2)
    plan = compile_graph(doc, dtype=np.float64)
    trace = trace_backprop(plan, doc, X, Y)
    x, y = X[:, 0], Y[:, 0]
    h = w1 * x + b1
    g = w2 * h + b2
    e = y - g
    n = len(x)
    lecture = {"w1": -2 / n * np.sum(e * w2 * x), "b1": -2 / n * np.sum(e * w2),
               "w2": -2 / n * np.sum(e * h), "b2": -2 / n * np.sum(e)}
    _, grads = plan_gradients(doc, X, Y)
    for name, expected in lecture.items():
        rule = trace.explain_edge(ids[name])
        assert rule.target == name
        assert rule.total == pytest.approx(expected, rel=1e-12)
        assert rule.plan_gradient == pytest.approx(expected, rel=1e-12)
        assert grads[ids[name]] == pytest.approx(expected, rel=1e-12)  # type: ignore[index]
        assert len(rule.terms) == 1
    sentence = trace.explain_edge(ids["w1"]).sentence()
    assert sentence.startswith("∂L/∂w1 = ∂L/∂g · ∂g/∂h · ∂h/∂w1 = −2/N Σᵢ eᵢ · w2 · xᵢ")
    assert "eᵢ = yᵢ − gᵢ" in sentence and "−2/4 ·" in sentence and "✓" in sentence
    assert f"{lecture['w1']:.4g}".replace("-", "−") in sentence
    factors = trace.explain_edge(ids["w1"]).terms[0].factors
    assert [f.symbol for f in factors] == ["∂L/∂g", "∂g/∂h", "∂h/∂w1"]
    np.testing.assert_allclose(factors[0].values, e)          # eᵢ, with −2/N in front
    assert factors[0].scale == pytest.approx(-2 / n)
    np.testing.assert_allclose(factors[1].values, w2)
    np.testing.assert_allclose(factors[2].values, x)
    b1_text = trace.explain_edge(ids["b1"]).sentence()
    assert b1_text.startswith("∂L/∂b1 = ∂L/∂g · ∂g/∂h · ∂h/∂b1 = −2/N Σᵢ eᵢ · w2 · 1")


def test_chocolate_values_gradients_and_step_order() -> None:
    doc, ids = chocolate()
    trace = trace_backprop(compile_graph(doc), doc, X, Y)
    assert trace.backward_order == (ids["out"], ids["g"], ids["h"])
    assert [s.node_id for s in trace.steps] == list(reversed(trace.forward_order))
    assert trace.forward_order.index(ids["x"]) < trace.forward_order.index(ids["h"])
    h = 0.7 * X[:, 0] - 0.2
    g = 1.3 * h + 0.1
    np.testing.assert_allclose(trace.nodes[ids["h"]].value[:, 0], h, rtol=1e-6)
    np.testing.assert_allclose(trace.nodes[ids["g"]].value_mean, [g.mean()], rtol=1e-6)
    dg = -2 / 4 * (Y[:, 0] - g)
    grad_g = trace.nodes[ids["g"]].grad
    grad_h = trace.nodes[ids["h"]].grad
    assert grad_g is not None and grad_h is not None
    np.testing.assert_allclose(grad_g[:, 0], dg, rtol=1e-6)
    np.testing.assert_allclose(grad_h[:, 0], dg * 1.3, rtol=1e-6)
    assert trace.nodes[ids["x"]].grad is None and trace.nodes[ids["bias1"]].grad is None
    assert trace.loss == pytest.approx(np.mean((Y[:, 0] - g) ** 2), rel=1e-6)


def tanh_mlp(rng: np.random.Generator) -> tuple[Document, list[str]]:
    """2 inputs → 3 tanh neurons (one skip edge x0 → out) → 1 output neuron, penalty L2."""
    d = Document()
    xs = [d.add_node("neuron.input_feature", params={"column": c}) for c in range(2)]
    bias = d.add_node("neuron.bias")
    out_neuron = d.add_node("neuron.neuron", params={"penalty": "l2", "l2": 0.05})
    weighted = []
    for _ in range(3):
        n = d.add_node("neuron.neuron")
        a = d.add_node("activation", params={"function": "tanh"})
        for x in xs:
            weighted.append(d.connect(x, "out", n, "in", weight=float(rng.normal())))
        weighted.append(d.connect(bias, "out", n, "in", weight=float(rng.normal())))
        d.connect(n, "out", a, "in")
        weighted.append(d.connect(a, "out", out_neuron, "in", weight=float(rng.normal())))
    weighted.append(d.connect(xs[0], "out", out_neuron, "in", weight=0.3))
    out = d.add_node("neuron.output", params={"loss": "mse"})
    d.connect(out_neuron, "out", out, "in")
    return d, weighted


def test_tanh_mlp_every_edge_chain_rule_equals_the_plan_gradient() -> None:
    rng = np.random.default_rng(3)
    doc, edges = tanh_mlp(rng)
    x, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    trace = trace_backprop(compile_graph(doc, dtype=np.float64), doc, x, y)
    _, grads = plan_gradients(doc, x, y)
    for edge_id in edges:
        rule = trace.explain_edge(edge_id)
        assert rule.total == pytest.approx(grads[edge_id], rel=1e-9, abs=1e-12)  # type: ignore[index]
        assert rule.total == pytest.approx(rule.plan_gradient, rel=1e-9, abs=1e-12)
    first = trace.explain_edge(edges[0])          # x0 → neuron → tanh → out neuron → L
    assert [f.symbol.split("/")[0] for f in first.terms[0].factors][:1] == ["∂L"]
    assert any("tanh′" in f.formula for f in first.terms[0].factors)
    penalised = trace.explain_edge(edges[2 + 1])   # a tanh → out-neuron edge (L2 penalty)
    assert penalised.penalty != 0.0
    assert penalised.total == pytest.approx(penalised.plan_gradient, rel=1e-9)


def test_layer_level_graph_dense_conv_batchnorm() -> None:
    d = Document()
    inp = d.add_node("layer.input", params={"kind": "image", "channels": 1, "height": 5,
                                             "width": 5})
    conv = d.add_node("layer.conv2d", params={"out_channels": 2, "kernel_size": 3,
                                              "padding": 1, "stride": 2})
    bn = d.add_node("layer.batchnorm")
    act = d.add_node("activation", params={"function": "relu"})
    flat = d.add_node("layer.flatten")
    dense1 = d.add_node("layer.dense", params={"units": 4})
    act2 = d.add_node("activation", params={"function": "tanh"})
    dense2 = d.add_node("layer.dense", params={"units": 3})
    out = d.add_node("layer.output", params={"loss": "cross_entropy"})
    for a, b in [(inp, conv), (conv, bn), (bn, act), (act, flat), (flat, dense1),
                 (dense1, act2), (act2, dense2), (dense2, out)]:
        d.connect(a, "out", b, "in")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 1, 5, 5)), np.array([0, 2, 1, 2])
    plan = compile_graph(d, seed=2)
    trace = trace_backprop(plan, d, x, y)
    ref = plan.astype(np.float64)
    ref.forward(x, training=True)
    ref.loss(y)
    ref.backward()
    cases = [(dense1, "weight", 7), (dense1, "bias", 2), (dense2, "weight", 5),
             (conv, "weight", 13), (conv, "bias", 1), (bn, "weight", 1), (bn, "bias", 0)]
    for node_id, name, index in cases:
        rule = trace.explain_param(node_id, name, index)
        expected = float(ref.grads[(node_id, name)].reshape(-1)[index])
        assert rule.total == pytest.approx(expected, rel=1e-8, abs=1e-12), (node_id, name)
    dense_rule = trace.explain_param(dense1, "weight", 7)   # → tanh → 3 logits → loss
    assert len(dense_rule.terms) == 3
    with pytest.raises(GraphError):
        trace.explain_param(dense1, "weight", 10_000)
    with pytest.raises(GraphError):
        trace.explain_edge("e1")


def test_many_paths_end_with_the_backpropagated_delta() -> None:
    d = Document()
    inp = d.add_node("layer.input", params={"features": 3})
    dense1 = d.add_node("layer.dense", params={"units": 20})
    dense2 = d.add_node("layer.dense", params={"units": 20})
    out = d.add_node("layer.output", params={"loss": "mse"})
    for a, b in [(inp, dense1), (dense1, dense2), (dense2, out)]:
        d.connect(a, "out", b, "in")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(3, 3)), rng.normal(size=(3, 20))
    trace = trace_backprop(compile_graph(d), d, x, y)
    rule = trace.explain_param(dense1, "weight", 4)     # 20 paths > 16: one δ term
    assert len(rule.terms) == 1
    assert "backpropagated" in rule.terms[0].factors[0].formula
    assert rule.total == pytest.approx(rule.plan_gradient, rel=1e-9)


def test_names() -> None:
    assert short_symbol("h = w1·x + b1") == "h"
    assert short_symbol("x (chocolate)") == "x"
    assert short_symbol("Neuron 2") == "Neuron 2"
    doc, ids = chocolate()
    symbols = {n: short_symbol(node.title) for n, node in doc.nodes.items()}
    assert weight_symbol(doc, ids["w2"], symbols) == "w2"
    assert weight_symbol(doc, ids["b2"], symbols) == "b2"
    doc.set_title(ids["h"], "Neuron 1")
    assert weight_symbol(doc, ids["w1"], symbols | {ids["h"]: "Neuron 1"}) == "w(x→Neuron 1)"
