"""Issue 16, item 12: a bagging network exports as the ensemble NN Studio shows, not as one
member. The PyTorch module and the ONNX model give ``Trainer.predict``'s numbers: the
mean of the members' predictions (probabilities for classification heads), for a trained
project (members from ``project.ensemble``) and an untrained one (member k drawn with
seed + k, as the trainer does)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from export_graphs import import_script

from nnstudio.export import export_project
from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer
from nnstudio.training.datasets import load_dataset

BAGGING = examples_dir() / "bagging.nnstudio"



def bagging_project(trained: bool) -> tuple[Project, Trainer, np.ndarray]:
    project = load_project(BAGGING)
    trainer = Trainer(project, base_dir=BAGGING.parent)
    if trained:
        assert list(trainer.run(epochs=2))[-1].reason == "completed"
        trainer.apply_to(project)
        assert len(project.ensemble) == 5
    raw = load_dataset(project.dataset, seed=project.seed).x
    return project, Trainer(project, base_dir=BAGGING.parent), raw


@pytest.fixture(scope="module", params=[True, False], ids=["trained", "untrained"])
def bagging(request: pytest.FixtureRequest) -> tuple[Project, Trainer, np.ndarray]:
    return bagging_project(request.param)


def test_the_members_really_differ(bagging: tuple[Project, Trainer, np.ndarray]) -> None:
    _, trainer, raw = bagging
    x = trainer.scaler.transform(raw)
    single = trainer.plan.predict(x)
    assert np.max(np.abs(single - trainer.predict(raw))) > 1e-3


@pytest.mark.torch
def test_pytorch_export_is_the_ensemble(bagging: tuple[Project, Trainer, np.ndarray],
                                       tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    project, trainer, raw = bagging
    script, _ = export_project(project, "pytorch", tmp_path / "bagging.py",
                               data=trainer.dataset.signature())
    text = script.read_text(encoding="utf-8")
    assert "ensemble of 5" in text
    module = import_script(script)
    model = module.load_model()
    x = trainer.scaler.transform(raw)
    if project.preprocessing:          # a trained project exports its scaler
        np.testing.assert_allclose(module.preprocess(np.array(raw)), x, atol=1e-6)
    with torch.no_grad():
        got = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, trainer.predict(raw), rtol=0, atol=1e-5)


def test_onnx_export_is_the_ensemble(bagging: tuple[Project, Trainer, np.ndarray],
                                     tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    project, trainer, raw = bagging
    (path,) = export_project(project, "onnx", tmp_path / "bagging.onnx",
                             data=trainer.dataset.signature())
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"x": trainer.scaler.transform(raw)})
    np.testing.assert_allclose(got, trainer.predict(raw), rtol=0, atol=1e-5)
