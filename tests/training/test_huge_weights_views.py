"""Stored weights at float32's largest value (a file may hold them): the live views'
snapshot and confusion matrix compute without a RuntimeWarning (found by the project
corpus in the window: 'overflow encountered in matmul' from the map, the evaluator and the
canvas overlays)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from nnstudio.graph.files.project_file import load_project
from nnstudio.training import Finished, Trainer
from nnstudio.training.remote import _Evaluator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BIG = float(np.finfo(np.float32).max)


@pytest.mark.parametrize("name", ["xor", "digits_cnn"])
def test_snapshots_and_evaluations_of_huge_weights_warn_nothing(name: str) -> None:
    project = load_project(EXAMPLES / f"{name}.nnstudio")
    trainer = Trainer(project, snapshot_interval_s=0.0)
    for key, value in trainer.plan.params.items():
        trainer.plan.params[key][...] = np.full_like(value, BIG)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        snapshot = trainer.snapshot()
        evaluation = _Evaluator(trainer, 1.0).evaluate(1, 1)
        finished = list(trainer.run(epochs=1))[-1]
    assert snapshot.weights and evaluation is not None
    assert isinstance(finished, Finished) and finished.reason in ("diverged", "completed")
