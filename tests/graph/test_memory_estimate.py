"""Issue 16, item 6: a memory estimate before building or training.

On main a Dense of 20000×20000 was built without a word (6.3 GB, float64 drawn before the
cast to float32). Now validation estimates parameters, gradients, optimizer state and the
values of one batch, refuses above the limit (the memory free, or
``$NNSTUDIO_MEMORY_LIMIT_MB``) and warns above half of it; the compiler refuses a network
whose parameters alone do not fit, and initial weights are drawn in chunks straight into
float32. The limit is set by the environment here so the tests do not depend on the
machine.
"""

from __future__ import annotations

import itertools
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli.main import main
from nnstudio.engine.init import initialize
from nnstudio.graph.checks.memory import LIMIT_ENV, estimate_memory, memory_problems
from nnstudio.graph.checks.validation import validate
from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.errors import GraphError
from nnstudio.graph.files.project_file import save_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.shapes import infer_shapes
from nnstudio.training.prepared import data_signature, prepare_run
from nnstudio.training.readiness import training_blocker
from nnstudio.training.settings import TrainingError

XOR = {"source": "builtin", "name": "xor", "task": "binary"}


def wide(features: int, units: int) -> Document:
    """Input(features) → Dense(units, 'Wide') → Dense(1) → Output (logits)."""
    doc = Document()
    ids = [doc.add_node("layer.input", params={"features": features}),
           doc.add_node("layer.dense", params={"units": units}, title="Wide"),
           doc.add_node("layer.dense", params={"units": 1}),
           doc.add_node("layer.output", params={"loss": "bce_with_logits"})]
    for src, dst in itertools.pairwise(ids):
        doc.connect(src, "out", dst, "in")
    return doc


def test_the_estimate_counts_parameters_state_and_batch_values() -> None:
    doc = wide(100, 50)
    shapes = infer_shapes(doc)
    sgd = estimate_memory(doc, shapes, batch=10)
    params = 100 * 50 + 50 + 50 * 1 + 1
    assert sgd.parameters == params * 4 * 4          # value, gradient, work, restore copy
    assert sgd.optimizer == 0
    values = 2 * (100 + 50 + 1)                     # each output and its gradient
    assert sgd.values == values * 10 * 4
    adam = estimate_memory(doc, shapes, batch=10, optimizer="adam", members=3)
    assert adam.optimizer == params * 3 * 2 * 4 and adam.parameters == 3 * sgd.parameters
    assert adam.largest == "n2"


def test_item6_a_20000_by_20000_dense_layer_is_refused_before_it_is_built(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LIMIT_ENV, "1000")
    doc = wide(20_000, 20_000)
    errors = [p for p in validate(doc, None, {"optimizer": "adam"}) if p.severity == "error"]
    assert len(errors) == 1 and errors[0].node_id == "n2"
    message = errors[0].message
    assert message.startswith("Training this network needs about 9.0 GB of memory")
    assert "Dense 'Wide' holds most of it" in message and "1,000.0 MB available" in message
    tracemalloc.start()
    try:
        with pytest.raises(GraphError, match=r"Building this network needs about 1\.5 GB"):
            compile_graph(doc)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_item6_training_refuses_with_the_sentence(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The batch counts too: 2 features into 4,000 units fits as a network, but not with
    a million-sample batch in 40 MB; ``check`` and ``train`` say so, and nothing is built."""
    monkeypatch.setenv(LIMIT_ENV, "40")
    project = Project(graph=wide(2, 4000), dataset={**XOR, "params": {"n_samples": 1_000_000}},
                      training={"batch_size": 0, "epochs": 1})
    with pytest.raises(TrainingError, match=r"Training this network needs about .* GB"):
        prepare_run(project)
    path = tmp_path / "big.nnstudio"
    save_project(project, path)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "node 'Wide' (n2): Training this network needs about" in out
    assert main(["train", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "more than the 40.0 MB available" in err


def test_the_window_turns_train_off_with_the_same_sentence(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Readiness (Train's enabled state and tooltip) counts the batch as check does, so
    the window does not offer a run the training child would refuse."""
    monkeypatch.setenv(LIMIT_ENV, "40")
    project = Project(graph=wide(2, 4000), dataset={**XOR, "params": {"n_samples": 1_000_000}},
                      training={"batch_size": 0, "epochs": 1})
    data, _reason = data_signature(project)
    blocker = training_blocker(project, data)
    assert blocker is not None and blocker.node_id == "n2"
    assert "Training this network needs about" in blocker.reason
    project.training["batch_size"] = 32  # a small batch fits
    assert training_blocker(project, data) is None


def test_near_the_limit_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = wide(1000, 1000)
    shapes = infer_shapes(doc)
    need = estimate_memory(doc, shapes, batch=32).total
    problems = memory_problems(doc, shapes, {}, None, limit=int(need * 1.5))
    assert [p.severity for p in problems] == ["warning"]
    assert "more than half of the" in problems[0].message
    assert memory_problems(doc, shapes, {}, None, limit=need * 3) == []
    monkeypatch.setenv(LIMIT_ENV, "100000")
    assert not [p for p in validate(doc, None, {}) if "memory" in p.message]


def test_initial_weights_are_drawn_into_float32_without_a_float64_copy() -> None:
    rng = np.random.default_rng(0)
    shape = (2000, 4000)                               # 32 MB in float32, 64 MB in float64
    tracemalloc.start()
    try:
        weight = initialize("he_normal", shape, 4000, 2000, rng)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert weight.dtype == np.float32 and weight.shape == shape
    assert peak < 1.2 * weight.nbytes
    again = np.random.default_rng(0).normal(0.0, np.sqrt(2.0 / 4000), size=shape)
    np.testing.assert_array_equal(weight, again.astype(np.float32))  # the same numbers
