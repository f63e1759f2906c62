"""The sentences and number labels of the backprop view (plain strings, no Qt)."""

from __future__ import annotations

import numpy as np

from nnstudio.graph.compiler.backprop_trace import BackpropTrace, NodeTrace
from nnstudio.training.backprop.batch import Batch

_LOSS_GRADS = {
    "mse": "MSE: ∂L/∂ŷᵢ = −2/N·(yᵢ − ŷᵢ)",
    "binary_cross_entropy": "binary cross-entropy: ∂L/∂pᵢ = (pᵢ − yᵢ) / (pᵢ(1 − pᵢ)·N)",
    "bce_with_logits": "cross-entropy on a logit: ∂L/∂zᵢ = (σ(zᵢ) − yᵢ) / N",
    "multilabel": "cross-entropy on logits: ∂L/∂zᵢ = (σ(zᵢ) − yᵢ) / N",
    "cross_entropy": "softmax cross-entropy: ∂L/∂zᵢ = (softmax(zᵢ) − one-hot(yᵢ)) / N",
}


def num(value: float) -> str:
    """A number in 4 significant digits with a real minus sign."""
    return f"{value:.4g}".replace("-", "−")


def vector(values: np.ndarray, shown: int = 3) -> str:
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    text = ", ".join(num(float(v)) for v in flat[:shown])
    return text + (f", … ({flat.size})" if flat.size > shown else "")


def batch_text(batch: Batch | None, trace: BackpropTrace) -> str:
    name = batch.dataset_name if batch is not None else "the dataset"
    scaling = "" if batch is None or batch.scaling == "none" else \
        f", scaled ({batch.scaling}) as in training"
    return (f"Batch: the first {trace.n_samples} training samples of '{name}'{scaling}. "
            f"Loss L = {num(trace.loss)}. Labels on the canvas: green = value (mean over "
            f"the batch), orange = gradient (sum over the batch).")


def value_label(node: NodeTrace) -> str:
    mean = node.value_mean
    if node.type_id in ("neuron.output", "layer.output"):
        return f"ŷ = {num(float(mean.mean()))}" if mean.size == 1 else \
            f"ŷ: {mean.size} outputs"
    if mean.size == 1:
        return f"{node.symbol} = {num(float(mean[0]))}"
    return f"{node.symbol}: mean {num(float(mean.mean()))}"


def grad_label(trace: BackpropTrace, node: NodeTrace) -> str:
    assert node.grad is not None
    if node.type_id in ("neuron.output", "layer.output"):
        return f"L = {num(trace.loss)}"
    total = node.grad.sum(axis=0)
    if total.size == 1:
        return f"Σᵢ ∂L/∂{node.symbol}ᵢ = {num(float(total[0]))}"
    return f"‖∂L/∂{node.symbol}‖ = {num(float(np.linalg.norm(node.grad)))}"


def _neuron_sum(trace: BackpropTrace, node: NodeTrace) -> str:
    parts = []
    for edge_id in node.incoming:
        edge = trace.doc.edges[edge_id]
        source = trace.symbols[edge.source.node_id]
        weight = f"{trace.weight_symbols[edge_id]}={num(trace.edge_weights[edge_id])}"
        is_bias = trace.doc.nodes[edge.source.node_id].type_id == "neuron.bias"
        parts.append(weight if is_bias else f"{weight}·{source}")
    return " + ".join(parts)


def explain(trace: BackpropTrace, phase: str, node: NodeTrace) -> str:
    """One or two sentences on what happens at this node in this pass."""
    t, kind, sym = trace, node.type_id, node.symbol
    params = t.doc.nodes[node.node_id].params
    if phase == "forward":
        if kind == "neuron.input_feature":
            return f"{sym} reads column {params['column']} of every sample."
        if kind == "layer.input":
            return f"{sym} holds the batch, {node.value.shape[0]} samples."
        if kind == "neuron.bias":
            return f"{sym} is the constant +1; the weight of its connection is a bias."
        if kind == "neuron.neuron":
            return f"{sym} = {_neuron_sum(t, node)}, for every sample (table below)."
        if kind == "activation":
            return f"{sym} applies {params['function']} to its input, sample by sample."
        if kind in ("neuron.output", "layer.output"):
            return (f"The prediction meets the target: loss L = {num(t.loss)} "
                    f"({params['loss']}, mean over {t.n_samples} samples). The forward pass "
                    "is done; Step now walks back.")
        return f"{node.title} computes its output (shape {node.shape}) from its input."
    if kind in ("neuron.output", "layer.output"):
        return ("Backprop starts at the loss. For every sample the derivative of the loss "
                f"by the prediction: {_LOSS_GRADS.get(str(params['loss']), '')}.")
    grads = [f"∂L/∂{t.weight_symbols[e]} = {num(t.edge_grads[e])}" for e in node.incoming
             if e in t.weight_symbols]
    arrived = (f"δ = ∂L/∂{sym} has arrived from the nodes {sym} feeds (chain rule: the "
               "gradient there times their local slope, summed).")
    if kind == "neuron.neuron":
        return (f"{arrived} Each incoming weight gets ∂L/∂w = Σᵢ δᵢ·inputᵢ: "
                f"{'; '.join(grads)}. Then δ moves on: ∂L/∂input = δ·w.")
    if kind == "activation":
        return f"{arrived} It passes δ·{params['function']}′(input) on to its input."
    weights = [f"‖∂L/∂{sym}.{name}‖ = {num(float(np.linalg.norm(t.param_grads[key])))}"
               for name in ("weight", "bias") if (key := (node.node_id, name)) in t.param_grads]
    return f"{arrived} {'; '.join(weights)}".strip()
