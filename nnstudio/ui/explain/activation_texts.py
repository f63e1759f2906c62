"""The lecture's activation table in words: formula, range, derivative, typical use.

Formulas are small HTML (sub/superscripts) for QLabel rich text. The values drawn next to
them come from ``nnstudio.engine.activations`` (see ``activations.curves``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationInfo:
    """One row of the table; ``key`` is the engine's name (``ACTIVATIONS``)."""

    key: str
    name: str
    formula: str
    range: str
    derivative: str
    use: str
    note: str = ""


ACTIVATION_TABLE: tuple[ActivationInfo, ...] = (
    ActivationInfo(
        "identity", "Identity (linear)", "f(x) = x", "(−∞, ∞)", "f′(x) = 1",
        "Output of a regression network (the lecture: regression — linear activation). "
        "Between layers it adds nothing: two linear layers make one linear layer."),
    ActivationInfo(
        "sigmoid", "Sigmoid", "f(x) = 1 / (1 + e<sup>−x</sup>)", "(0, 1)",
        "f′(x) = f(x)·(1 − f(x))",
        "Binary classification and multilabel outputs (a probability per label); hidden "
        "layers of small networks. Its gradient is at most 0.25 and vanishes far from 0."),
    ActivationInfo(
        "tanh", "Tanh", "f(x) = (e<sup>x</sup> − e<sup>−x</sup>) / (e<sup>x</sup> + "
        "e<sup>−x</sup>)", "(−1, 1)", "f′(x) = 1 − f(x)²",
        "Hidden layers; zero-centred outputs help the next layer learn."),
    ActivationInfo(
        "relu", "ReLU", "f(x) = max(0, x)", "[0, ∞)", "f′(x) = 1 for x > 0, else 0",
        "The default for most hidden layers: cheap, and its gradient does not shrink for "
        "positive inputs. A unit whose input stays negative stops learning (“dying ReLU”)."),
    ActivationInfo(
        "leaky_relu", "Leaky ReLU", "f(x) = max(a·x, x), a = 0.01", "(−∞, ∞)",
        "f′(x) = 1 for x > 0, else a",
        "Hidden layers; the small slope a keeps a gradient for negative inputs, which "
        "avoids the dying-ReLU problem.",
        "Drawn with a = 0.1 so that the slope is visible."),
    ActivationInfo(
        "softmax", "Softmax", "f(x)<sub>i</sub> = e<sup>x<sub>i</sub></sup> / "
        "Σ<sub>j</sub> e<sup>x<sub>j</sub></sup>", "(0, 1), the outputs sum to 1",
        "∂f<sub>i</sub>/∂x<sub>i</sub> = f<sub>i</sub>(1 − f<sub>i</sub>), "
        "∂f<sub>i</sub>/∂x<sub>j</sub> = −f<sub>i</sub>f<sub>j</sub>",
        "Output layer of multiclass classification: one probability per class.",
        "Drawn for two inputs (x, 0): the first output is exactly σ(x)."),
    ActivationInfo(
        "swish", "Swish", "f(x) = x·σ(x)", "[−0.28, ∞)",
        "f′(x) = σ(x)·(1 + x·(1 − σ(x)))",
        "A recent, smooth alternative to ReLU with better-behaved gradients; it dips "
        "slightly below zero (minimum −0.28 at x ≈ −1.28)."),
    ActivationInfo(
        "gelu", "GELU", "f(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))", "[−0.17, ∞)",
        "f′(x) = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 0.134x²)",
        "High-performing activation in transformers; like swish, smooth and slightly "
        "negative for small negative x."),
)
ACTIVATIONS_BY_KEY = {a.key: a for a in ACTIVATION_TABLE}
CHOOSING = ("Which one at the output? Regression: linear. Binary classification: sigmoid. "
            "Multiclass: softmax. Multilabel: sigmoid on every output.")
