"""Qt-free logic behind the window of issue 13: settings that do not apply, the dataset
choice (lecture scaling, Inputs that follow the data) and network-wide regularization."""

from __future__ import annotations

import numpy as np

from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.regularization import (
    common_penalty,
    dropout_edits,
    overrides_penalty,
    penalty_edits,
)
from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.applicability import inapplicable
from nnstudio.training.dataset_choice import builtin_choice
from nnstudio.training.settings import TrainingSettings


def test_settings_that_do_not_apply_say_why() -> None:
    assert set(inapplicable({"early_stopping": True, "schedule": "step"})) == {
        "plateau_patience", "plateau_factor"}  # SGD uses everything else
    assert "nesterov" not in inapplicable({"optimizer": "sgd"})
    adam = inapplicable({"optimizer": "adam"})
    assert "momentum" in adam and "nesterov" in adam and "Adam" in adam["momentum"]
    assert "momentum" not in inapplicable({"optimizer": "rmsprop"})
    assert "nesterov" in inapplicable({"optimizer": "rmsprop"})
    off = inapplicable({"early_stopping": False})
    assert off["patience"] == off["restore_best"] == "Used only when early stopping is on."
    assert "patience" not in inapplicable({"early_stopping": True})
    constant = inapplicable({"schedule": "constant"})
    assert "step_size" in constant and "gamma" in constant
    assert "gamma" not in inapplicable({"schedule": "exponential"})
    assert not {"gamma", "step_size"} & set(inapplicable({"schedule": "step"}))


def test_chocolate_in_a_new_project_keeps_the_lectures_zero_to_one_x() -> None:
    project = Project()
    project.apply(builtin_choice(project, "chocolate"))
    settings = TrainingSettings.from_dict(project.training)
    assert settings.scaling == "none" and settings.batch_size == 0
    chosen = Project(training={"scaling": "standardize"})
    chosen.apply(builtin_choice(chosen, "chocolate"))
    assert chosen.training["scaling"] == "standardize"  # a choice already made stays


def test_choosing_digits_refits_the_input_in_the_same_step() -> None:
    project = Project()
    node = project.graph.add_node("layer.input")
    inverse = project.apply(builtin_choice(project, "digits"))
    params = project.graph.nodes[node].params
    assert (params["kind"], params["channels"], params["height"], params["width"]) == \
        ("image", 1, 8, 8)
    project.apply(inverse)
    assert project.graph.nodes[node].params["kind"] == "vector" and not project.dataset


def test_one_penalty_and_one_dropout_switch_for_the_whole_network() -> None:
    doc = Document()
    a = doc.add_node("layer.dense", params={"penalty": "l2", "l2": 0.0001})
    b = doc.add_node("layer.dense", params={"penalty": "l2", "l2": 0.0001})
    c = doc.add_node("neuron.neuron", params={"penalty": "none", "l2": 0.0001})
    d = doc.add_node("layer.dropout", params={"p": 0.3})
    assert common_penalty(doc) == ("l2", 0.0001)
    assert overrides_penalty(doc.nodes[c], "l2", 0.0001)
    for edit in penalty_edits(doc, "none", 0.0001):
        doc.apply(edit)
    for node in (a, b, c):
        assert doc.nodes[node].params["penalty"] == "none"
        assert doc.nodes[node].params["l1"] == doc.nodes[node].params["l2"] == 0.0
    for edit in dropout_edits(doc, False):
        doc.apply(edit)
    assert doc.nodes[d].params == {"p": 0.3, "active": False}


def test_a_switched_off_dropout_passes_its_input_on_in_training() -> None:
    doc = Document()
    x = doc.add_node("layer.input", params={"features": 4})
    drop = doc.add_node("layer.dropout", params={"p": 0.5, "active": False})
    out = doc.add_node("layer.output", params={"loss": "mse"})
    doc.connect(x, "out", drop, "in")
    doc.connect(drop, "out", out, "in")
    plan = compile_graph(doc, DataSignature((4,), "regression", 4))
    data = np.arange(8, dtype=np.float32).reshape(2, 4)
    assert np.array_equal(plan.forward(data, training=True), data)
