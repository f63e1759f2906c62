"""The convolution explainer's cells equal the engine's Conv2D and pooling outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnstudio.engine.conv import Conv2D
from nnstudio.engine.pooling import AvgPool2D, MaxPool2D
from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.document_types import PortRef
from nnstudio.graph.model.shapes import infer_shapes
from nnstudio.training.conv_explain import (
    cell_equation,
    explain_layer,
    explain_pool,
    number,
    size_arithmetic,
)
from nnstudio.training.explain_data import node_input_output, training_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GEOMETRIES = [(stride, padding) for stride in (1, 2) for padding in (0, 1)]


def _input(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(3, 2, 7, 6)).astype(np.float32)


@pytest.mark.parametrize("stride, padding", GEOMETRIES)
def test_every_conv_cell_equals_the_engine(stride: int, padding: int) -> None:
    layer = Conv2D(2, 3, 3, stride=stride, padding=padding, rng=np.random.default_rng(1))
    layer.params["bias"][...] = [0.5, -0.25, 0.1]
    x = _input()
    engine = layer.forward(x, training=False)
    for sample in range(3):
        for out_channel in range(3):
            for channel in range(2):
                exp = explain_layer(layer, x[sample], channel, out_channel)
                assert exp.output.shape == engine.shape[2:]
                np.testing.assert_allclose(exp.output, engine[sample, out_channel],
                                           rtol=1e-5, atol=1e-5)
                for cell in exp.cells:
                    assert cell.value == exp.output[cell.row, cell.col]
                    assert cell.shown_sum + cell.other_channels + cell.bias == pytest.approx(
                        cell.value, abs=1e-12)
                    np.testing.assert_array_equal(
                        cell.window,
                        exp.padded[cell.top:cell.top + 3, cell.left:cell.left + 3])


@pytest.mark.parametrize("stride, padding", GEOMETRIES)
@pytest.mark.parametrize("cls", [MaxPool2D, AvgPool2D])
def test_every_pool_cell_equals_the_engine(cls, stride: int, padding: int) -> None:  # type: ignore[no-untyped-def]
    layer = cls(3, stride=stride, padding=padding)
    x = _input(2)
    engine = layer.forward(x, training=False)
    for sample in range(3):
        for channel in range(2):
            exp = explain_layer(layer, x[sample], channel)
            np.testing.assert_allclose(exp.output, engine[sample, channel], rtol=1e-6,
                                       atol=1e-6)
            if cls is MaxPool2D:
                for cell in exp.cells:
                    assert cell.winner is not None
                    assert cell.window[cell.winner] == cell.value


def test_max_pool_shows_the_first_maximum_as_the_engine_routes_its_gradient() -> None:
    x = np.array([[[1.0, 3.0], [3.0, 0.0]]], dtype=np.float32)
    exp = explain_pool(x, "max", (2, 2), (2, 2), (0, 0))
    assert exp.cells[0].winner == (0, 1)
    layer = MaxPool2D(2)
    layer.forward(x[None], training=True)
    dx = layer.backward(np.ones((1, 1, 1, 1), dtype=np.float32))
    assert dx[0, 0, 0, 1] == 1.0 and dx.sum() == 1.0


def test_padding_is_drawn_around_the_input() -> None:
    x = _input()[0]
    exp = explain_layer(MaxPool2D(2, stride=1, padding=1), x, 1)
    assert exp.padded.shape == (9, 8)
    assert exp.pad_value == -np.inf and np.isinf(exp.padded[0]).all()
    assert exp.is_padding(0, 3) and exp.is_padding(4, 7) and not exp.is_padding(1, 1)
    np.testing.assert_array_equal(exp.padded[1:-1, 1:-1], x[1])


@pytest.mark.parametrize("size, kernel, stride, padding, text", [
    (8, 3, 1, 1, "(8 − 3 + 2·1) / 1 + 1 = 7 + 1 = 8"),
    (8, 2, 2, 0, "(8 − 2 + 2·0) / 2 + 1 = 3 + 1 = 4"),
    (7, 3, 2, 0, "(7 − 3 + 2·0) / 2 + 1 = 2 + 1 = 3"),
    (8, 3, 2, 0, "⌊(8 − 3 + 2·0) / 2⌋ + 1 = ⌊2.5⌋ + 1 = 3"),
    (6, 3, 2, 1, "⌊(6 − 3 + 2·1) / 2⌋ + 1 = ⌊2.5⌋ + 1 = 3"),
])
def test_size_arithmetic(size: int, kernel: int, stride: int, padding: int, text: str) -> None:
    assert size_arithmetic(size, kernel, stride, padding) == text


def test_the_digits_cnn_nodes_explained_from_the_project() -> None:
    """Each conv and pool node of the example: the explainer's maps equal the plan's
    output for that sample, and the arithmetic gives the node's output shape."""
    project = load_project(EXAMPLES / "digits_cnn.nnstudio")
    data = training_data(project)
    shapes = infer_shapes(project.graph)
    for node_id, node in project.graph.nodes.items():
        if node.type_id not in ("layer.conv2d", "layer.maxpool2d"):
            continue
        x_in, out = node_input_output(data.plan, project.graph, node_id, data.x[7])
        layer = data.plan.layers[node_id]
        shape = shapes[PortRef(node_id, "out")]
        for k in range(out.shape[0]):
            exp = explain_layer(layer, x_in, 0 if node.type_id == "layer.conv2d" else k, k)
            np.testing.assert_allclose(exp.output, out[k], rtol=1e-5, atol=1e-5)
            assert exp.geometry.output == shape[1:]
            last = [line.rsplit("= ", 1)[1] for line in exp.geometry.lines()]
            assert tuple(int(v) for v in last) == shape[1:]


def test_cell_equations_carry_the_numbers() -> None:
    layer = Conv2D(2, 1, 2, rng=np.random.default_rng(0))
    x = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3) / 10
    exp = explain_layer(layer, x, 1, 0)
    lines = cell_equation(exp, exp.cells[0])
    assert lines[0].startswith("channel 2: 0.90·")
    assert lines[0].count("·") == 4
    assert lines[1].endswith(f"= {number(exp.cells[0].value)}")
    assert "other channel" in lines[1] and "bias" in lines[1]
    pool = explain_pool(x, "avg", (2, 2), (1, 1), (0, 0))
    assert cell_equation(pool, pool.cells[0]) == ["(0.00 + 0.10 + 0.30 + 0.40) / 4 = 0.20"]
    assert number(-0.001) == "0.00" and number(-1.5) == "−1.50"


def test_bad_channel_is_one_sentence() -> None:
    with pytest.raises(ValueError, match="no filter 4"):
        explain_layer(Conv2D(1, 3, 3), _input()[0, :1], 0, 3)
