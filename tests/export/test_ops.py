"""Every op of the plan IR exported to PyTorch and ONNX gives the engine's outputs.

One small hand-built network per op (``graphs.CASES``) with random non-trivial values for
every parameter and buffer (batch-norm running statistics included). Compared in float32
with an absolute tolerance of 1e-5 against ``Plan.forward(x, training=False)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from export_graphs import CASES, import_script, sample_inputs

from nnstudio.export import pytorch_source, write_onnx, write_pytorch
from nnstudio.graph.compiler import Plan, compile_graph

TOLERANCE = 1e-5


def randomized_plan(name: str, seed: int = 0) -> tuple[Plan, dict[str, str]]:
    """The case's plan with every param and buffer drawn at random (masks kept)."""
    build, _ = CASES[name]
    doc = build()
    plan = compile_graph(doc, seed=seed)
    rng = np.random.default_rng(seed + 10)
    state = plan.state_dict()
    for key, array in state.items():
        values = rng.normal(0.0, 0.7, size=array.shape)
        if key.endswith("running_var"):
            values = np.abs(values) + 0.3
        state[key] = values.astype(array.dtype)
    plan.load_state_dict(state)
    for step in plan.steps:     # load_state_dict re-masks weights, not biases: do it here
        if step.op == "neuron_group" and "bias" in step.param_keys:
            plan.params[step.param_keys["bias"]] *= step.attrs["bias_mask"]
    return plan, {nid: node.title for nid, node in doc.nodes.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_contains_its_op(name: str) -> None:
    build, op = CASES[name]
    plan = compile_graph(build())
    assert op in {s.op for s in plan.steps}


@pytest.mark.parametrize("name", sorted(CASES))
def test_source_is_valid_python_without_torch(name: str) -> None:
    plan, titles = randomized_plan(name)
    source = pytorch_source(plan, titles=titles, name=name, weights_file="w.npz")
    compile(source, f"{name}.py", "exec")
    assert "class Network(nn.Module)" in source


@pytest.mark.parametrize("name", sorted(CASES))
def test_pytorch_matches_engine(name: str, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    plan, titles = randomized_plan(name)
    script, weights = write_pytorch(plan, tmp_path / f"{name}.py", titles=titles, name=name)
    assert weights.is_file()
    module = import_script(script)
    model = module.load_model()
    x = sample_inputs(plan.input_shape)
    expected = plan.forward(x, training=False)
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE, err_msg=name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_onnx_matches_engine(name: str, tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    plan, titles = randomized_plan(name)
    path = write_onnx(plan, tmp_path / f"{name}.onnx", titles=titles, name=name)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = sample_inputs(plan.input_shape)
    expected = plan.forward(x, training=False)
    (got,) = session.run(None, {"x": x})
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE, err_msg=name)


def test_masked_neuron_weights_stay_zero_in_the_export(tmp_path: Path) -> None:
    plan, titles = randomized_plan("neuron_group")
    _, weights = write_pytorch(plan, tmp_path / "n.py", titles=titles)
    with np.load(weights) as arrays:
        hidden = arrays["neurons_1.weight"]       # rows h1, h2; columns x1 (col 2), x2 (col 0)
        bias = arrays["neurons_1.bias"]
    assert hidden.shape == (2, 2)
    assert hidden[1, 0] == 0.0 and hidden[0, 0] != 0.0 and hidden[1, 1] != 0.0
    assert bias[1] == 0.0 and bias[0] != 0.0


def test_layers_are_named_after_node_titles(tmp_path: Path) -> None:
    plan, titles = randomized_plan("neuron_group")
    source = pytorch_source(plan, titles=titles, name="n", weights_file="n.npz")
    assert "'h1', 'h2'" in source            # the group's comment names its neurons
    assert "self.t2 = nn.Sigmoid()" in source
    assert "self.t1 = nn.Tanh()" in source
    assert "out = torch.flatten(" in source


def test_heads_are_concatenated_in_column_order(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    plan, titles = randomized_plan("heads")
    assert [h.columns for h in plan.heads] == [slice(0, 3), slice(3, 4)]
    script, _ = write_pytorch(plan, tmp_path / "heads.py", titles=titles)
    module = import_script(script)
    assert module.HEADS == [("Class", "cross_entropy", 0, 3), ("Value", "mse", 3, 4)]
    x = sample_inputs(plan.input_shape)
    with torch.no_grad():
        out = module.load_model()(torch.from_numpy(x))
        probs = module.probabilities(out).numpy()
    np.testing.assert_allclose(probs, plan.predict(x), rtol=0, atol=TOLERANCE)
