"""Build the lecture's example projects from code and save them as ``examples/*.nnstudio``.

Run from the repository root:  ``python examples/make_examples.py``. Every project is
saved UNTRAINED (no weights, no history) with training settings that reach the targets
listed in ``bench/examples.py``. The same text goes into each project's ``description``
and into ``examples/README.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from nnstudio.graph.compiler import compile_graph  # noqa: E402
from nnstudio.graph.files.project_file import save_project  # noqa: E402
from nnstudio.graph.model.document import Document  # noqa: E402
from nnstudio.graph.model.project import Project  # noqa: E402
from nnstudio.training.settings import TrainingSettings  # noqa: E402

ROW_STEP = 200.0  # vertical distance between rows of a wrapped layer chain, px
X_STEP = 200.0   # horizontal distance between columns of nodes, px
Y_STEP = 110.0   # vertical distance between stacked neurons, px


def _settings(**changes: Any) -> dict[str, Any]:
    return TrainingSettings(**changes).to_dict()


def _column(n: int, x: float, centre: float = 0.0) -> list[tuple[float, float]]:
    """``n`` positions stacked vertically in column ``x``, centred on ``centre``."""
    top = centre - (n - 1) * Y_STEP / 2
    return [(x, top + i * Y_STEP) for i in range(n)]


def chocolate_happiness() -> Project:
    d = Document()
    x = d.add_node("neuron.input_feature", (0, 0), {"column": 0}, "x (chocolate)")
    b1 = d.add_node("neuron.bias", (0, Y_STEP * 1.5), title="b1 (bias)")
    h = d.add_node("neuron.neuron", (X_STEP, 0), title="h = w1·x + b1")
    b2 = d.add_node("neuron.bias", (X_STEP, Y_STEP * 1.5), title="b2 (bias)")
    g = d.add_node("neuron.neuron", (2 * X_STEP, 0), title="g = w2·h + b2")
    out = d.add_node("neuron.output", (3 * X_STEP, 0), {"loss": "mse"}, "happiness (MSE)")
    d.connect(x, "out", h, "in")
    d.connect(b1, "out", h, "in")
    d.connect(h, "out", g, "in")
    d.connect(b2, "out", g, "in")
    d.connect(g, "out", out, "in")
    return Project(
        graph=d, name="Chocolate → happiness", description=DESCRIPTIONS["chocolate_happiness"],
        dataset={"source": "builtin", "name": "chocolate", "params": {}},
        training=_settings(optimizer="sgd", lr=0.1, batch_size=0, epochs=200, scaling="none",
                           val_fraction=0.25),
        seed=1)


def linear_regression() -> Project:
    d = Document()
    x = d.add_node("neuron.input_feature", (0, 0), {"column": 0}, "x")
    b = d.add_node("neuron.bias", (0, Y_STEP * 1.5), title="bias")
    n = d.add_node("neuron.neuron", (X_STEP, 0), title="ŷ = w·x + b")
    out = d.add_node("neuron.output", (2 * X_STEP, 0), {"loss": "mse"}, "y (MSE)")
    d.connect(x, "out", n, "in")
    d.connect(b, "out", n, "in")
    d.connect(n, "out", out, "in")
    return Project(
        graph=d, name="Linear regression", description=DESCRIPTIONS["linear_regression"],
        dataset={"source": "builtin", "name": "line", "params": {}},
        training=_settings(optimizer="sgd", lr=0.1, batch_size=16, epochs=60, scaling="none"),
        seed=1)


def logistic_regression() -> Project:
    d = Document()
    x = d.add_node("neuron.input_feature", (0, 0), {"column": 0}, "x")
    b = d.add_node("neuron.bias", (0, Y_STEP * 1.5), title="bias")
    n = d.add_node("neuron.neuron", (X_STEP, 0), title="z = w·x + b")
    s = d.add_node("activation", (2 * X_STEP, 0), {"function": "sigmoid"}, "σ(z)")
    out = d.add_node("neuron.output", (3 * X_STEP, 0), {"loss": "binary_cross_entropy"},
                     "class (binary cross-entropy)")
    d.connect(x, "out", n, "in")
    d.connect(b, "out", n, "in")
    d.connect(n, "out", s, "in")
    d.connect(s, "out", out, "in")
    return Project(
        graph=d, name="Logistic regression", description=DESCRIPTIONS["logistic_regression"],
        dataset={"source": "builtin", "name": "logistic", "params": {}},
        training=_settings(optimizer="sgd", lr=1.0, batch_size=16, epochs=80, scaling="none"),
        seed=1)


def xor(hidden: int = 6) -> Project:
    d = Document()
    x1 = d.add_node("neuron.input_feature", (0, -Y_STEP), {"column": 0}, "x1")
    x2 = d.add_node("neuron.input_feature", (0, Y_STEP), {"column": 1}, "x2")
    bias_in = d.add_node("neuron.bias", (0, 3 * Y_STEP), title="bias")
    neurons = []
    for i, (pos_n, pos_a) in enumerate(zip(_column(hidden, X_STEP), _column(hidden, 2 * X_STEP),
                                           strict=True), start=1):
        n = d.add_node("neuron.neuron", pos_n, title=f"h{i}")
        a = d.add_node("activation", pos_a, {"function": "tanh"}, f"tanh(h{i})")
        for src in (x1, x2, bias_in):
            d.connect(src, "out", n, "in")
        d.connect(n, "out", a, "in")
        neurons.append(a)
    y = d.add_node("neuron.neuron", (3 * X_STEP, 0), title="z (output neuron)")
    bias_out = d.add_node("neuron.bias", (3 * X_STEP, 3 * Y_STEP), title="bias")
    for a in neurons:
        d.connect(a, "out", y, "in")
    d.connect(bias_out, "out", y, "in")
    out = d.add_node("neuron.output", (4 * X_STEP, 0), {"loss": "bce_with_logits"},
                     "class (sigmoid + BCE)")
    d.connect(y, "out", out, "in")
    return Project(
        graph=d, name="XOR with a hidden layer", description=DESCRIPTIONS["xor"],
        dataset={"source": "builtin", "name": "xor", "params": {"padding": 0.1},
                 "task": "binary"},
        training=_settings(optimizer="adam", lr=0.05, batch_size=16, epochs=200),
        seed=1)


def _chain(d: Document, specs: list[tuple[str, dict[str, Any], str]],
           y: float = 0.0, rows: tuple[int, ...] | None = None) -> list[str]:
    """Add layer nodes left to right and connect each to the next; returns their ids.

    ``rows`` splits a long chain into rows of these lengths (it wraps like text, so it
    stays readable on screen); by default everything is in one row.
    """
    places = [(r, c) for r, n in enumerate(rows or (len(specs),)) for c in range(n)]
    assert len(places) == len(specs), "rows must add up to the number of nodes"
    ids: list[str] = []
    for (row, column), (type_id, params, title) in zip(places, specs, strict=True):
        node = d.add_node(type_id, (column * X_STEP, y + row * ROW_STEP), params, title)
        if ids:
            d.connect(ids[-1], "out", node, "in")
        ids.append(node)
    return ids


def spiral_regularization() -> Project:
    d = Document()
    l2 = {"penalty": "l2", "l2": 1e-4}
    _chain(d, [
        ("layer.input", {"kind": "vector", "features": 2}, "Input (x1, x2)"),
        ("layer.dense", {"units": 64, **l2}, "Dense 64 (L2)"),
        ("activation", {"function": "relu"}, "ReLU"),
        ("layer.dropout", {"p": 0.1}, "Dropout 10 %"),
        ("layer.dense", {"units": 64, **l2}, "Dense 64 (L2)"),
        ("activation", {"function": "relu"}, "ReLU"),
        ("layer.dropout", {"p": 0.1}, "Dropout 10 %"),
        ("layer.dense", {"units": 2, **l2}, "Dense 2 (logits)"),
        ("layer.output", {"loss": "cross_entropy"}, "Output (softmax CE)"),
    ], rows=(4, 3, 2))  # one row per hidden block, then the classifier
    return Project(
        graph=d, name="Spiral with regularization",
        description=DESCRIPTIONS["spiral_regularization"],
        dataset={"source": "builtin", "name": "spiral", "params": {"n_samples": 600}},
        training=_settings(optimizer="adam", lr=0.01, batch_size=32, epochs=400,
                           early_stopping=True, patience=40, restore_best=True),
        seed=1)


def digits_mlp() -> Project:
    d = Document()
    _chain(d, [
        ("layer.input", {"kind": "image", "channels": 1, "height": 8, "width": 8},
         "Input 1×8×8"),
        ("layer.flatten", {}, "Flatten (64)"),
        ("layer.dense", {"units": 64}, "Dense 64"),
        ("activation", {"function": "relu"}, "ReLU"),
        ("layer.dense", {"units": 10}, "Dense 10 (logits)"),
        ("layer.output", {"loss": "cross_entropy"}, "Output (softmax CE)"),
    ])
    return Project(
        graph=d, name="Digits with a dense network", description=DESCRIPTIONS["digits_mlp"],
        dataset={"source": "builtin", "name": "digits", "params": {}},
        training=_settings(optimizer="adam", lr=0.003, batch_size=32, epochs=30),
        seed=1)


def digits_cnn() -> Project:
    d = Document()
    _chain(d, [
        ("layer.input", {"kind": "image", "channels": 1, "height": 8, "width": 8},
         "Input 1×8×8"),
        ("layer.conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1},
         "Conv 8 filters 3×3"),
        ("activation", {"function": "relu"}, "ReLU"),
        ("layer.maxpool2d", {"kernel_size": 2}, "MaxPool 2×2"),
        ("layer.conv2d", {"out_channels": 16, "kernel_size": 3, "padding": 1},
         "Conv 16 filters 3×3"),
        ("activation", {"function": "relu"}, "ReLU"),
        ("layer.maxpool2d", {"kernel_size": 2}, "MaxPool 2×2"),
        ("layer.flatten", {}, "Flatten (64)"),
        ("layer.dense", {"units": 10}, "Dense 10 (logits)"),
        ("layer.output", {"loss": "cross_entropy"}, "Output (softmax CE)"),
    ], rows=(4, 3, 3))  # one row per convolution block, then the classifier
    return Project(
        graph=d, name="Digits with a convolutional network",
        description=DESCRIPTIONS["digits_cnn"],
        dataset={"source": "builtin", "name": "digits", "params": {}},
        training=_settings(optimizer="adam", lr=0.01, batch_size=32, epochs=25),
        seed=1)


def bagging() -> Project:
    d = Document()
    _chain(d, [
        ("layer.input", {"kind": "vector", "features": 2}, "Input (x1, x2)"),
        ("layer.dense", {"units": 16}, "Dense 16"),
        ("activation", {"function": "tanh"}, "tanh"),
        ("layer.dense", {"units": 2}, "Dense 2 (logits)"),
        ("layer.output", {"loss": "cross_entropy"}, "Output (softmax CE)"),
    ])
    return Project(
        graph=d, name="Bagging on noisy moons", description=DESCRIPTIONS["bagging"],
        dataset={"source": "builtin", "name": "moons", "params": {"noise": 0.3}},
        training=_settings(optimizer="adam", lr=0.03, batch_size=16, epochs=60,
                           bagging_members=5),
        seed=1)


DESCRIPTIONS: dict[str, str] = {
    "chocolate_happiness": (
        "The lecture's \"very simple example\" built neuron by neuron: x is normalised "
        "chocolate consumption (0–1), y is happiness (0/1). One hidden neuron computes "
        "h = w1·x + b1 and the output neuron g = w2·h + b2, each bias coming from its own "
        "Bias node, and the loss is the mean squared error (1/N)·Σ(yᵢ − gᵢ)². Training uses "
        "batch gradient descent on the whole training set, so every step follows exactly "
        "the backpropagation formulas of the lecture: ∂L/∂w1 = −(2/N)·Σ eᵢ·w2·xᵢ, "
        "∂L/∂b1 = −(2/N)·Σ eᵢ·w2, ∂L/∂w2 = −(2/N)·Σ eᵢ·hᵢ, ∂L/∂b2 = −(2/N)·Σ eᵢ with "
        "eᵢ = yᵢ − gᵢ. Watch the four numbers on the edges and the loss fall; a straight "
        "line cannot hit 0 and 1 exactly, so the loss levels off above zero."),
    "linear_regression": (
        "Linear regression as a neural network: one neuron with no activation computes "
        "ŷ = w·x + b, the input edge's weight is the slope and the Bias edge's weight the "
        "intercept. Trained with mini-batch gradient descent on mean squared error over "
        "points scattered around y = 2·x + 0.5, the weight moves towards 2 and the bias "
        "towards 0.5 — the same line ordinary least squares would find."),
    "logistic_regression": (
        "Logistic regression as a neural network: the same single neuron z = w·x + b, "
        "followed by a sigmoid activation σ(z) = 1/(1 + e^(−z)) that squashes the output "
        "into (0, 1), the lecture's choice of output activation for binary classification. "
        "The loss is binary cross-entropy. The decision border is where σ(z) = 0.5, i.e. "
        "x = −b/w; the neuron learns to put it between the two classes and to make the "
        "sigmoid steep, classifying almost every point correctly."),
    "xor": (
        "Why activation functions matter: XOR (class 1 where x1 and x2 have the same sign) "
        "cannot be separated by one straight line, and without activations any stack of "
        "layers collapses into one linear model. Here a hand-drawn hidden layer of six "
        "neurons, each with its own bias and a tanh activation, feeds one output neuron "
        "with a sigmoid and binary cross-entropy (the Output node applies them to the "
        "logit). Each hidden neuron learns one line; the output combines them into the "
        "two diagonal quadrants. Look at the per-neuron maps to see the lines."),
    "spiral_regularization": (
        "With great complexity comes great regularization: a network of two dense layers of "
        "64 ReLU units can memorise two interleaved spirals, noise included. Three remedies "
        "from the lecture are switched on: an L2 penalty on every weight matrix (the "
        "penalization term added to the loss), dropout after each hidden layer (randomly "
        "silenced units during training only), and early stopping that watches the "
        "validation loss, stops after 40 epochs without improvement and restores the "
        "weights of the best epoch — the bias–variance trade-off made visible."),
    "digits_mlp": (
        "Multiclass classification of the 8×8 handwritten digits with a plain multi-layer "
        "perceptron: the image is flattened into 64 inputs, one hidden layer of 64 ReLU "
        "units, and 10 output logits with softmax cross-entropy (the lecture's output "
        "activation for multiclass problems). Mini-batch training with Adam for 30 epochs "
        "reaches about 97 % validation accuracy; the model ignores that neighbouring "
        "pixels belong together."),
    "digits_cnn": (
        "The same digits with a small convolutional network: convolution (8 filters of 3×3) "
        "→ ReLU → max-pooling → convolution (16 filters) → ReLU → max-pooling → a dense layer "
        "of 10 logits. Filters share their weights across the image, so the network learns "
        "local stroke detectors with far fewer weights than a dense layer; open the filter "
        "panel during training to watch the 3×3 kernels turn into edge and stroke "
        "detectors, and the feature maps of one digit light up."),
    "bagging": (
        "Bagging (bootstrap aggregating) against variance: five copies of a small network "
        "are each trained on a bootstrap sample of the noisy moons data (drawn with "
        "replacement, so every member sees a slightly different set), and the ensemble "
        "predicts the average of their probabilities. Single members overfit the noise in "
        "different ways; their average is smoother, and its validation loss is never "
        "worse than the mean loss of the members."),
}

EXAMPLES: dict[str, Callable[[], Project]] = {
    "chocolate_happiness": chocolate_happiness,
    "linear_regression": linear_regression,
    "logistic_regression": logistic_regression,
    "xor": xor,
    "spiral_regularization": spiral_regularization,
    "digits_mlp": digits_mlp,
    "digits_cnn": digits_cnn,
    "bagging": bagging,
}


def write_readme(folder: Path) -> None:
    lines = ["# Example projects", "",
             "The lecture's examples as ready-to-train NN Studio projects (saved untrained, the "
             "neuron-level ones with their starting weights on the edges; "
             "open one in the app and press Train, or run `nnstudio train "
             "examples/NAME.nnstudio`). They are generated by `python "
             "examples/make_examples.py`; `python bench/examples.py` trains each and checks "
             "its target.", ""]
    for name, build in EXAMPLES.items():
        lines += [f"## `{name}.nnstudio` — {build().name}", "", DESCRIPTIONS[name], ""]
    (folder / "README.md").write_text("\n".join(lines), encoding="utf-8")


#: Neuron-level examples ship with their starting weights on the edges, so a student sees
#: w1, b1, … before pressing Train. They are the weights training would draw from the
#: project's seed anyway, so a run is the same with or without them.
SHOW_STARTING_WEIGHTS = ("chocolate_happiness", "linear_regression", "logistic_regression",
                         "xor")


def with_starting_weights(project: Project) -> Project:
    """Write the weights ``compile_graph`` draws from the project's seed into its graph."""
    plan = compile_graph(project.graph, seed=project.seed)
    project.graph.apply(plan.write_back())
    return project


def build_example(name: str) -> Project:
    """The example project ``name`` exactly as it is saved."""
    project = EXAMPLES[name]()
    return with_starting_weights(project) if name in SHOW_STARTING_WEIGHTS else project


def main(folder: Path = HERE) -> int:
    for name in EXAMPLES:
        save_project(build_example(name), folder / f"{name}.nnstudio")
        print(f"wrote {folder / (name + '.nnstudio')}")
    write_readme(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
