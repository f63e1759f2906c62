"""validate(): L1/L2 settings that do nothing, and 0..1 losses on targets outside 0..1."""

from __future__ import annotations

import numpy as np
import pytest
from test_document_builders import build_chocolate, build_mlp

from nnstudio.graph.checks.validation import validate
from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.registry import node_type
from nnstudio.graph.model.signature import DataSignature
from nnstudio.training.datasets.dataset import Dataset

TABLE4_3CLASSES = DataSignature((4,), "classification", 3)


def messages(doc: Document, node_id: str, data: DataSignature | None = None
             ) -> list[tuple[str, str]]:
    return [(p.severity, p.message) for p in validate(doc, data) if p.node_id == node_id]


# --- L1/L2 penalties ---------------------------------------------------------------------

def test_l2_penalty_with_zero_strength_is_a_warning() -> None:
    doc, ids = build_mlp()
    doc.set_param(ids["hidden"], "penalty", "l2")
    assert messages(doc, ids["hidden"]) == [(
        "warning", "Dense 'Hidden' asks for an L2 penalty but its L2 strength is 0, so the "
                   "penalty does nothing; set l2 > 0 (e.g. 0.001).")]
    doc.set_param(ids["hidden"], "l2", 0.001)
    assert messages(doc, ids["hidden"]) == []


def test_l1_penalty_with_zero_strength_on_a_neuron() -> None:
    doc = build_chocolate()
    doc.set_param("n3", "penalty", "l1")
    assert messages(doc, "n3") == [(
        "warning", "Neuron 'h' asks for an L1 penalty but its L1 strength is 0, so the penalty "
                   "does nothing; set l1 > 0 (e.g. 0.001).")]


def test_l1_l2_with_both_or_one_strength_zero() -> None:
    doc = Document()
    conv = doc.add_node("layer.conv2d", title="conv1", params={"penalty": "l1_l2"})
    assert messages(doc, conv)[-1] == (
        "warning", "Conv2D 'conv1' asks for an L1+L2 penalty but its L1 and L2 strengths are 0, "
                   "so the penalty does nothing; set l1 and l2 > 0 (e.g. 0.001).")
    doc.set_param(conv, "l1", 0.0005)
    assert messages(doc, conv)[-1] == (
        "warning", "Conv2D 'conv1' asks for an L1+L2 penalty but its L2 strength is 0, so only "
                   "the L1 part (l1 = 0.0005) acts; set l2 > 0 (e.g. 0.001) or choose l1.")
    doc.set_param(conv, "l2", 0.01)
    assert [m for m in messages(doc, conv) if "penalty" in m[1]] == []


def test_strength_without_a_penalty_is_ignored_and_said_so() -> None:
    doc, ids = build_mlp()
    doc.set_param(ids["logits"], "l1", 0.01)
    assert messages(doc, ids["logits"]) == [(
        "warning", "Dense 'Logits' has l1 = 0.01 but its penalty is 'none', so it is ignored; "
                   "choose l1 or l1_l2.")]
    doc.set_param(ids["logits"], "l2", 0.002)
    assert messages(doc, ids["logits"]) == [(
        "warning", "Dense 'Logits' has l1 = 0.01 and l2 = 0.002 but its penalty is 'none', so "
                   "they are ignored; choose l1_l2.")]
    doc.set_param(ids["logits"], "penalty", "l1")
    assert messages(doc, ids["logits"]) == [(
        "warning", "Dense 'Logits' has l2 = 0.002 but its penalty is 'l1', so it is ignored; "
                   "choose l2 or l1_l2.")]


def test_penalty_warnings_do_not_block_compiling() -> None:
    doc, ids = build_mlp()
    doc.set_param(ids["hidden"], "penalty", "l2")
    assert [p.severity for p in validate(doc, TABLE4_3CLASSES)] == ["warning"]
    plan = compile_graph(doc, TABLE4_3CLASSES)
    assert plan.heads  # compiled despite the warning


def test_strength_params_show_six_decimals_and_say_they_must_be_positive() -> None:
    for type_id in ("neuron.neuron", "layer.dense", "layer.conv2d"):
        for name in ("l1", "l2"):
            spec = node_type(type_id).param(name)
            assert spec.default == 0.0 and spec.decimals == 6 and spec.step == 0.0001
            assert "above 0" in spec.help
            assert spec.coerce("0.000125") == 0.000125
    assert node_type("layer.dense").param("units").decimals is None


# --- 0..1 losses against the targets' range ----------------------------------------------

def _regression(low: float, high: float, columns: int = 1) -> DataSignature:
    return DataSignature((1,), "regression", columns, target_min=low, target_max=high)


def test_bce_on_targets_outside_0_1_is_an_error_with_the_range() -> None:
    doc = build_chocolate()
    doc.set_param("n6", "loss", "binary_cross_entropy")
    doc.set_title("n6", "class")
    data = _regression(-1.0, 1.0)
    assert messages(doc, "n6", data) == [(
        "error", "Scalar output 'class' uses binary cross-entropy, which needs targets between 0 "
                 "and 1, but the data's targets run from −1.00 to 1.00; use mse for regression.")]
    with pytest.raises(GraphError, match=r"run from −1\.00 to 1\.00"):
        compile_graph(doc, data)


def test_bce_with_logits_and_multilabel_heads_too() -> None:
    doc, ids = build_mlp(features=1, classes=1)
    doc.set_param(ids["output"], "loss", "bce_with_logits")
    assert messages(doc, ids["output"], _regression(0.25, 3.5)) == [(
        "error", "Output 'out' uses binary cross-entropy with logits, which needs targets "
                 "between 0 and 1, but the data's targets run from 0.25 to 3.50; use mse for "
                 "regression.")]
    doc.set_param(ids["output"], "loss", "multilabel")
    assert messages(doc, ids["output"], _regression(-0.004, 1.0)) == [(
        "error", "Output 'out' uses multilabel (sigmoid + binary cross-entropy), which needs "
                 "targets between 0 and 1, but the data's targets run from −0.004 to 1.00; use "
                 "mse for regression.")]


def test_soft_labels_inside_0_1_and_unknown_ranges_stay_a_warning() -> None:
    doc, ids = build_mlp(features=1, classes=1)
    doc.set_param(ids["output"], "loss", "binary_cross_entropy")
    expected = [("warning", "Output 'out' uses binary_cross_entropy, which needs targets between "
                            "0 and 1, but this dataset has real-valued targets (1 column); use "
                            "mse.")]
    assert messages(doc, ids["output"], _regression(0.0, 1.0)) == expected
    assert messages(doc, ids["output"], DataSignature((1,), "regression", 1)) == expected
    compile_graph(doc, _regression(0.1, 0.9))  # a warning does not block


def test_scalar_output_on_one_of_several_columns_is_only_warned() -> None:
    doc = build_chocolate()
    doc.set_param("n6", "loss", "bce_with_logits")
    assert messages(doc, "n6", _regression(-2.0, 0.5, columns=3)) == [(
        "warning", "Scalar output 'happiness' uses binary cross-entropy with logits, which needs "
                   "targets between 0 and 1, but the data's targets run from −2.00 to 0.50 (over "
                   "all 3 target columns); use mse for regression.")]


def test_dataset_signature_carries_the_target_range() -> None:
    x = np.zeros((3, 2), np.float32)
    sig = Dataset("r", x, np.array([[-1.0], [0.5], [1.0]], np.float32), "regression").signature()
    assert (sig.target_min, sig.target_max) == (-1.0, 1.0)
    labels = Dataset("c", x, np.array([0, 1, 2], np.int64), "classification").signature()
    assert (labels.target_min, labels.target_max) == (None, None)
    assert DataSignature((2,), "binary", 1).target_min is None  # old callers keep working


def test_a_title_with_a_line_break_still_gives_one_line() -> None:
    doc = Document()
    act = doc.add_node("activation", title="0\n0")
    assert messages(doc, act)[0] == (
        "error", "Activation '0 0' has no input connected; connect something to its input.")
