"""Acceptance: every example project, trained briefly, exported to PyTorch and ONNX, gives
the engine's outputs on its whole dataset.

Each project trains 1 epoch with its own settings (so its weights, scaler and batch-norm
statistics are real), is exported through ``export_project`` and run on the dataset's raw
inputs. PyTorch: the script's ``preprocess`` then the module, compared in float32 within
1e-5 absolute of ``Plan.forward(scaled x, training=False)``, and again with everything in
float64 within 1e-9. ONNX: the model passes ``onnx.checker`` and ONNX Runtime matches
within 1e-5 in float32.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from export_graphs import import_script

from nnstudio.export import export_plan, export_project
from nnstudio.graph.compiler import compile_graph
from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer
from nnstudio.training.datasets import load_dataset

EXAMPLES = sorted(examples_dir().glob("*.nnstudio"))
TOLERANCE = 1e-5


def test_all_examples_are_covered() -> None:
    names = {p.stem for p in EXAMPLES}
    assert {"chocolate_happiness", "linear_regression", "logistic_regression", "xor",
            "spiral_regularization", "digits_mlp", "digits_cnn", "bagging"} <= names


Example = tuple[Project, Trainer, np.ndarray]


def trained(path: Path) -> Example:
    """The example after 1 epoch of training, its trainer and the dataset's raw inputs."""
    project = load_project(path)
    trainer = Trainer(project, base_dir=path.parent)
    finished = list(trainer.run(epochs=1))[-1]
    assert finished.reason == "completed", finished.message
    trainer.apply_to(project)
    raw = load_dataset(project.dataset, base_dir=path.parent, seed=project.seed).x
    return project, trainer, raw


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> tuple[Path, Example]:
    return request.param, trained(request.param)


def test_exported_weights_are_the_trained_ones(example: tuple[Path, Example]) -> None:
    path, (project, trainer, raw) = example
    signature = trainer.prepared.signature
    plan = export_plan(project, signature)
    untrained = compile_graph(load_project(path).graph, signature, seed=project.seed)
    changed = [k for k, v in plan.state_dict().items()
               if not np.array_equal(v, untrained.state_dict()[k])]
    assert changed, "one epoch of training changed no weight"
    if not project.ensemble:    # bagging: the graph holds the first member, not the average
        x = trainer.scaler.transform(raw)
        np.testing.assert_array_equal(plan.forward(x, training=False),
                                      trainer.plan.forward(x, training=False))


def test_pytorch_export_matches_engine(example: tuple[Path, Example],
                                       tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    _, (project, trainer, raw) = example
    signature = trainer.prepared.signature
    plan = export_plan(project, signature)
    script, weights = export_project(project, "pytorch", tmp_path / "model.py", data=signature)
    assert weights == tmp_path / "model.npz"
    module = import_script(script)
    model = module.load_model()
    x_ref = trainer.scaler.transform(raw)
    x = module.preprocess(np.array(raw))
    np.testing.assert_allclose(x, x_ref, rtol=0, atol=1e-6)
    if len(project.ensemble) > 1:   # the ensemble's mean prediction, as the window shows it
        assert "bagging ensemble of 5" in script.read_text(encoding="utf-8")
        with torch.no_grad():
            got = model(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(got, trainer.predict(raw), rtol=0, atol=TOLERANCE)
        return
    expected = plan.forward(x_ref, training=False)
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
    plan64 = plan.astype(np.float64)
    with torch.no_grad():
        got64 = model.double()(torch.from_numpy(x_ref.astype(np.float64))).numpy()
    np.testing.assert_allclose(got64, plan64.forward(x_ref.astype(np.float64), training=False),
                               rtol=0, atol=1e-9)


def test_onnx_export_matches_engine(example: tuple[Path, Example],
                                    tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    _, (project, trainer, raw) = example
    signature = trainer.prepared.signature
    plan = export_plan(project, signature)
    (path,) = export_project(project, "onnx", tmp_path / "model", data=signature)
    assert path == tmp_path / "model.onnx"
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version >= 17
    x = trainer.scaler.transform(raw)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"x": x})
    expected = trainer.predict(raw) if project.ensemble else plan.forward(x, training=False)
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
