"""Issue 15, acceptance 2 and 3: the exported training runs in PyTorch and matches NN Studio.

- every example's export runs ``train.py`` for two epochs on the CPU and writes a history
  with NN Studio's columns and weights NN Studio imports;
- ``linear_regression`` with full-batch descent and no shuffling: the per-epoch losses are
  NN Studio's to 1e-5 relative, epoch by epoch;
- ``digits_mlp`` and ``digits_cnn`` (same settings, same seed) end within 1.5 points of
  NN Studio's validation accuracy, and so does ``torchrun --nproc_per_node 2`` for
  ``digits_mlp``;
- weights trained by the export and imported back predict in NN Studio what they predict
  in PyTorch, to 1e-5 (a network, a bagging ensemble, batch norm with dropout).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from project_helpers import (
    EXAMPLES,
    export_folder,
    import_file,
    nnstudio_run,
    read_history,
    relative_gap,
    run_trainings,
)

from nnstudio.export import history_csv_text
from nnstudio.export.weights_import import apply_weights, read_weights
from nnstudio.graph.files.project_file import load_project
from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer

pytestmark = [pytest.mark.torch, pytest.mark.slow]
torch = pytest.importorskip("torch")

ACCURACY_BAND = 0.015


def example(name: str) -> Project:
    return load_project(examples_dir() / f"{name}.nnstudio")


def torch_predictions(folder: Path, weights: Path, x: np.ndarray) -> np.ndarray:
    """What the exported model.py predicts with ``weights`` for raw inputs ``x`` (the
    probabilities / values NN Studio shows; an ensemble's mean)."""
    sys.path.insert(0, str(folder))
    try:
        model = import_file(folder / "model.py")
    finally:
        sys.path.remove(str(folder))
    net = model.load_model(weights)
    with torch.no_grad():
        out = net(torch.from_numpy(model.preprocess(np.array(x), weights)))
        return (out if hasattr(model, "Ensemble") else model.probabilities(out)).numpy()


def assert_same_predictions(project: Project, folder: Path, weights: Path,
                            base_dir: Path | None = None) -> None:
    """Import ``weights`` into ``project``; NN Studio's predictions equal PyTorch's."""
    base = base_dir or examples_dir()
    apply_weights(project, read_weights(project, weights, base_dir=base))
    trainer = Trainer(project, base_dir=base)
    x = trainer.dataset.x
    np.testing.assert_allclose(trainer.predict(x), torch_predictions(folder, weights, x),
                               rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def every_example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every example exported and trained 2 epochs in PyTorch (one interpreter)."""
    root = tmp_path_factory.mktemp("examples")
    folders = {}
    for name in EXAMPLES:
        folders[name] = root / name
        export_folder(example(name), folders[name])
    run_trainings([(f, ["--epochs", "2", "--threads", "1"]) for f in folders.values()])
    return folders


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_trains_in_pytorch(name: str, every_example: dict[str, Path]) -> None:
    folder = every_example[name]
    ours = read_history(folder / "output" / "history.csv")
    assert [int(r["epoch"]) for r in ours] == [1, 2]
    reference = nnstudio_run(example(name), 1)
    columns = next(csv.reader(io.StringIO(history_csv_text(reference.history))))
    assert list(ours[0]) == columns                         # NN Studio's columns, in order
    assert all(np.isfinite(float(r["train_loss"])) for r in ours)
    imported = read_weights(example(name), folder / "output" / "trained.npz",
                            base_dir=examples_dir())
    assert imported.members == (5 if name == "bagging" else 1)


def test_every_round_trip_predicts_the_same(every_example: dict[str, Path]) -> None:
    for name in ("xor", "digits_cnn", "bagging", "spiral_regularization"):
        folder = every_example[name]
        assert_same_predictions(example(name), folder, folder / "output" / "trained.npz")


def test_linear_regression_loss_is_nnstudios_epoch_by_epoch(tmp_path: Path) -> None:
    project = example("linear_regression")
    project.training = {**project.training, "batch_size": 0, "shuffle": False}
    epochs = project.training["epochs"]
    reference = nnstudio_run(project, epochs).history
    export_folder(project, tmp_path)
    done = subprocess.run([sys.executable, "train.py", "--threads", "1"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    ours = read_history(tmp_path / "output" / "history.csv")
    assert len(ours) == len(reference) == epochs
    for key in ("train_loss", "val_loss", "val_mae"):
        gap = relative_gap([float(r[key]) for r in ours], [r[key] for r in reference])
        assert gap < 1e-5, (key, gap)
    assert [int(r["step"]) for r in ours] == [r["step"] for r in reference]
    assert_same_predictions(project, tmp_path, tmp_path / "output" / "trained.npz")


@pytest.fixture(scope="module")
def digits_mlp_accuracy() -> float:
    return nnstudio_run(example("digits_mlp"), example("digits_mlp").training["epochs"]
                        ).history[-1]["val_accuracy"]


@pytest.mark.parametrize("name", ["digits_mlp", "digits_cnn"])
def test_digits_reach_nnstudios_validation_accuracy(name: str, tmp_path: Path,
                                                    digits_mlp_accuracy: float) -> None:
    project = example(name)
    if name == "digits_mlp":
        reference = digits_mlp_accuracy
    else:
        reference = nnstudio_run(project, project.training["epochs"]).history[-1][
            "val_accuracy"]
    export_folder(project, tmp_path)
    run_trainings([(tmp_path, ["--threads", "1"])])
    ours = float(read_history(tmp_path / "output" / "history.csv")[-1]["val_accuracy"])
    assert reference > 0.9 and abs(ours - reference) <= ACCURACY_BAND, (ours, reference)
    assert_same_predictions(example(name), tmp_path, tmp_path / "output" / "trained.npz")


def test_torchrun_with_two_processes_reaches_the_same_band(tmp_path: Path,
                                                          digits_mlp_accuracy: float) -> None:
    export_folder(example("digits_mlp"), tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
         "2", "train.py", "--threads", "1"], cwd=tmp_path, capture_output=True, text=True,
        timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    history = read_history(tmp_path / "output" / "history.csv")
    assert len(history) == example("digits_mlp").training["epochs"]
    ours = float(history[-1]["val_accuracy"])
    assert abs(ours - digits_mlp_accuracy) <= ACCURACY_BAND, (ours, digits_mlp_accuracy)
    assert_same_predictions(example("digits_mlp"), tmp_path,
                            tmp_path / "output" / "trained.npz")


def batchnorm_dropout_project() -> Project:
    """Moons through Dense → BatchNorm → ReLU → Dropout → Dense → softmax CE, and a
    missing connection among hand-wired neurons (a masked weight) on the side."""
    doc = Document()
    x = doc.add_node("layer.input", params={"kind": "vector", "features": 2}, title="Input")
    chain = [x]
    for type_id, params in (("layer.dense", {"units": 8}), ("layer.batchnorm", {}),
                            ("activation", {"function": "relu"}), ("layer.dropout", {"p": 0.2}),
                            ("layer.dense", {"units": 2})):
        node = doc.add_node(type_id, params=params)
        doc.connect(chain[-1], "out", node, "in")
        chain.append(node)
    out = doc.add_node("layer.output", params={"loss": "cross_entropy"}, title="Output")
    doc.connect(chain[-1], "out", out, "in")
    return Project(graph=doc, name="bn", dataset={"source": "builtin", "name": "moons"},
                   training={"optimizer": "sgd", "lr": 0.1, "momentum": 0.9,
                             "nesterov": True, "weight_decay": 1e-4, "batch_size": 16,
                             "schedule": "step", "step_size": 1, "gamma": 0.5}, seed=4)


def test_batchnorm_dropout_and_masked_neurons_round_trip(tmp_path: Path) -> None:
    bn = batchnorm_dropout_project()
    xor = example("xor")
    h2 = next(n.id for n in xor.graph.nodes.values() if n.title == "h2")
    xor.graph.disconnect(xor.graph.incoming(h2)[0].id)       # h2 loses one input
    folders = {"bn": tmp_path / "bn", "xor": tmp_path / "xor"}
    export_folder(bn, folders["bn"])
    export_folder(xor, folders["xor"])
    run_trainings([(f, ["--epochs", "3", "--threads", "1"]) for f in folders.values()])
    with np.load(folders["bn"] / "output" / "trained.npz") as trained:
        means = [trained[k] for k in trained.files if k.endswith("running_mean")]
        assert means and np.abs(means[0]).max() > 0       # the statistics were learned
    history = read_history(folders["bn"] / "output" / "history.csv")
    assert [float(r["lr"]) for r in history] == [0.1, 0.05, 0.025]    # the step schedule
    with np.load(folders["xor"] / "output" / "trained.npz") as trained:
        weight = trained["neurons_1.weight"]
    assert np.count_nonzero(weight == 0) == 1                 # the absent connection
    assert_same_predictions(bn, folders["bn"], folders["bn"] / "output" / "trained.npz")
    assert_same_predictions(xor, folders["xor"], folders["xor"] / "output" / "trained.npz")


def test_a_diverging_run_stops_with_finite_weights(tmp_path: Path) -> None:
    project = example("linear_regression")
    project.training = {**project.training, "lr": 1e6}
    export_folder(project, tmp_path)
    printed = run_trainings([(tmp_path, ["--epochs", "20", "--threads", "1"])])
    assert "Training diverged at epoch" in printed
    with np.load(tmp_path / "output" / "trained.npz") as trained:
        assert all(np.all(np.isfinite(trained[k])) for k in trained.files
                   if trained[k].dtype.kind == "f")


def test_torchrun_with_a_layer_that_feeds_no_output(tmp_path: Path) -> None:
    """A dangling Dense has parameters without gradients; DistributedDataParallel is told."""
    project = example("spiral_regularization")
    source = next(n.id for n in project.graph.nodes.values() if n.type_id == "layer.input")
    dangling = project.graph.add_node("layer.dense", params={"units": 3}, title="Unused")
    project.graph.connect(source, "out", dangling, "in")
    export_folder(project, tmp_path)
    assert "UNUSED_PARAMETERS = True" in (tmp_path / "train.py").read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
         "2", "train.py", "--threads", "1", "--epochs", "2"], cwd=tmp_path,
        capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert len(read_history(tmp_path / "output" / "history.csv")) == 2
