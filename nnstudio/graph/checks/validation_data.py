"""Problems between a network and the chosen dataset: input sizes, output widths and losses."""

from __future__ import annotations

from nnstudio.graph.checks.problems import Problem, dims, plural
from nnstudio.graph.model.document_types import GraphView, Node, PortRef
from nnstudio.graph.model.naming import label_start
from nnstudio.graph.model.shapes import Shape
from nnstudio.graph.model.signature import DataSignature

_SUGGESTED_LOSS = {
    "regression": "mse",
    "binary": "bce_with_logits",
    "classification": "cross_entropy",
    "multilabel": "multilabel",
}
_BCE = ("binary_cross_entropy", "bce_with_logits", "multilabel")
_LOSS_WORDS = {
    "binary_cross_entropy": "binary cross-entropy",
    "bce_with_logits": "binary cross-entropy with logits",
    "multilabel": "multilabel (sigmoid + binary cross-entropy)",
}


def _number(value: float) -> str:
    """Two decimals with a real minus sign; more digits if two would hide a value outside 0..1."""
    value += 0.0  # −0.0 → 0.0
    text = f"{value:.2f}"
    if float(text) in (0.0, 1.0) and value not in (0.0, 1.0):
        text = f"{value:.6g}"
    return text.replace("-", "−")


def _bce_range_problem(node: Node, loss: str, data: DataSignature) -> Problem | None:
    """An error when a 0..1 loss meets known targets outside 0..1 (e.g. −1..1 regression)."""
    low, high = data.target_min, data.target_max
    if low is None or high is None or (low >= 0.0 and high <= 1.0):
        return None
    span = f"{_number(low)} to {_number(high)}"
    # The range covers all target columns; the one column a Scalar output reads may still lie
    # inside 0..1, so then it is only a warning.
    one_of_several = node.type_id == "neuron.output" and data.n_targets > 1
    if one_of_several:
        span += f" (over all {data.n_targets} target columns)"
    message = (f"{label_start(node)} uses {_LOSS_WORDS[loss]}, which needs targets between 0 "
               f"and 1, but the data's targets run from {span}; use mse for regression.")
    return Problem(node.id, "in", message, "warning" if one_of_several else "error")


def _data_text(data: DataSignature) -> str:
    if len(data.input_shape) == 1:
        return f"{plural(data.input_shape[0], 'feature')} per sample (a table)"
    return f"images {dims(data.input_shape)}"


def _targets_text(data: DataSignature) -> str:
    if data.target_kind == "classification":
        return f"class labels ({plural(data.n_targets, 'class', 'classes')})"
    words = {"regression": "real-valued", "binary": "0/1", "multilabel": "0/1"}
    return f"{words[data.target_kind]} targets ({plural(data.n_targets, 'column')})"


def _input_problems(node: Node, data: DataSignature) -> list[Problem]:
    label = label_start(node)
    p = node.params
    table = len(data.input_shape) == 1
    if node.type_id == "neuron.input_feature":
        column = int(p["column"])
        if not table:
            return [Problem(node.id, "out",
                            f"{label} reads one column, but this dataset has "
                            f"{_data_text(data)}; use an Input node of kind image.")]
        count = data.input_shape[0]
        if column >= count:
            return [Problem(node.id, "out",
                            f"{label} reads column {column} but the dataset has only "
                            f"{plural(count, 'feature column')} (0–{count - 1}).")]
        return []
    if p["kind"] == "vector":
        features = int(p["features"])
        if not table:
            return [Problem(node.id, "out",
                            f"{label} is a vector of {features} features but the dataset has "
                            f"{_data_text(data)}; set its kind to image.", code="input_kind")]
        if features != data.input_shape[0]:
            return [Problem(node.id, "out",
                            f"{label} gives {features} features but the dataset has "
                            f"{data.input_shape[0]}; set features to {data.input_shape[0]}.",
                            code="input_features")]
        return []
    image = (int(p["channels"]), int(p["height"]), int(p["width"]))
    if table:
        return [Problem(node.id, "out",
                        f"{label} expects images {dims(image)} but the dataset has "
                        f"{_data_text(data)}; set its kind to vector.", code="input_kind")]
    if image != tuple(data.input_shape):
        return [Problem(node.id, "out",
                        f"{label} expects images {dims(image)} but the dataset has images "
                        f"{dims(data.input_shape)}; set channels, height and width to "
                        f"{', '.join(str(d) for d in data.input_shape)}.",
                        code="input_image_shape")]
    return []


def _loss_kind_problem(node: Node, loss: str, data: DataSignature) -> Problem | None:
    """A loss that does not fit the kind of targets (class labels, real numbers, 0/1)."""
    label = label_start(node)
    kind = data.target_kind
    suggest = _SUGGESTED_LOSS[kind]
    if node.type_id == "neuron.output" and kind == "classification":
        return Problem(node.id, "in",
                       f"{label} predicts one number but this dataset has {_targets_text(data)}; "
                       "use a layer Output with cross_entropy.")
    if (loss == "cross_entropy") != (kind == "classification"):
        return Problem(node.id, "in",
                       f"{label} uses {loss}, but this dataset has {_targets_text(data)}; "
                       f"use {suggest}.", code="loss_kind")
    if loss in _BCE and kind == "regression":
        out_of_range = _bce_range_problem(node, loss, data)
        if out_of_range is not None:
            return out_of_range
        return Problem(node.id, "in",
                       f"{label} uses {loss}, which needs targets between 0 and 1, but this "
                       f"dataset has {_targets_text(data)}; use mse.", "warning", "loss_kind")
    return None


def _output_problems(node: Node, shapes: dict[PortRef, Shape],
                     data: DataSignature) -> list[Problem]:
    label = label_start(node)
    loss = str(node.params["loss"])
    problem = _loss_kind_problem(node, loss, data)
    if problem is not None:
        return [problem]
    if node.type_id == "neuron.output":
        column, count = int(node.params["target_column"]), data.n_targets
        if column >= count:
            return [Problem(node.id, "in",
                            f"{label} predicts target column {column} but the dataset has only "
                            f"{plural(count, 'target column')} (0–{count - 1}).")]
        return []
    shape = shapes.get(PortRef(node.id, "in"))
    if shape is None or len(shape) != 1 or shape[0] == data.n_targets:
        return []
    if loss == "cross_entropy":
        return [Problem(node.id, "in",
                        f"{label} gets {plural(shape[0], 'output')} but the dataset has "
                        f"{plural(data.n_targets, 'class', 'classes')}; cross_entropy needs "
                        "one output per class.", code="output_width")]
    return [Problem(node.id, "in",
                    f"{label} gets {plural(shape[0], 'output')} but the dataset has "
                    f"{plural(data.n_targets, 'target column')}; {loss} needs one output per "
                    "target column.", code="output_width")]


def data_problems(doc: GraphView, shapes: dict[PortRef, Shape],
                  data: DataSignature) -> list[Problem]:
    """Every mismatch between the network's inputs/outputs and dataset ``data``."""
    problems: list[Problem] = []
    for node in doc.nodes.values():
        if node.type_id in ("layer.input", "neuron.input_feature"):
            problems += _input_problems(node, data)
        elif node.type_id in ("layer.output", "neuron.output"):
            problems += _output_problems(node, shapes, data)
    return problems
