"""Helpers for the PyTorch-project tests: exporting, importing an exported ``data.py`` and
running exported ``train.py`` scripts (several in one interpreter, so torch loads once)."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from nnstudio.export import export_project
from nnstudio.graph.model.project import Project
from nnstudio.paths import examples_dir
from nnstudio.training import Trainer

EXAMPLES = sorted(p.stem for p in examples_dir().glob("*.nnstudio"))
RUNNER = Path(__file__).with_name("torch_runner.py")


def export_folder(project: Project, folder: Path, base_dir: Path | None = None) -> list[Path]:
    return export_project(project, "pytorch-project", folder,
                          base_dir=base_dir or examples_dir(),
                          project_file=(base_dir or examples_dir()) / "project.nnstudio")


def import_file(path: Path) -> ModuleType:
    """Import a generated file as a fresh module (it may import its folder's siblings)."""
    name = f"gen_{path.stem}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_trainings(jobs: list[tuple[Path, list[str]]], *, timeout: float = 600) -> str:
    """Run ``train.main(args)`` of each folder in ONE fresh interpreter; returns stdout."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(RUNNER),
                           json.dumps([[str(f), a] for f, a in jobs])],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def read_history(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def nnstudio_run(project: Project, epochs: int, base_dir: Path | None = None) -> Trainer:
    """NN Studio's own run of ``epochs`` epochs (the project is not changed)."""
    trainer = Trainer(project, base_dir=base_dir or examples_dir())
    finished = list(trainer.run(epochs=epochs))[-1]
    assert finished.reason in ("completed", "early_stopped"), finished.message
    return trainer


def relative_gap(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))
