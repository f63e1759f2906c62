"""A new project from a dataset spec (CSV with chosen columns, NPZ or IDX), no Qt.

It follows ``nnstudio.training.new_project.new_project_from_data`` (the function behind
``nnstudio new``) and reuses its ``build_graph``; the spec form adds what the import
dialog can choose and the command line cannot (feature columns, header, IDX images).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nnstudio.graph.model.project import Project
from nnstudio.training.datasets import DatasetError, load_dataset
from nnstudio.training.new_project import build_graph
from nnstudio.training.settings import TrainingError, TrainingSettings
from nnstudio.ui.data_import.describe import describe_dataset, spec_file_names


def project_from_spec(spec: Mapping[str, Any], hidden: Sequence[int] = (32, 16), *,
                      base_dir: Path | None = None, seed: int = 0) -> Project:
    """A ready-to-train project for ``spec``; raises TrainingError with one sentence.

    Input and Output are sized to the data, Dense + ReLU per entry of ``hidden`` between
    them, the loss fits the task; Adam, lr 0.01, mini-batches of 32 (full batch for ≤ 64
    samples), 100 epochs, standardised inputs, 20 % validation — as ``nnstudio new``.
    """
    if any(int(u) < 1 for u in hidden):
        raise TrainingError("Every hidden layer needs at least one unit.")
    try:
        ds = load_dataset(spec, base_dir=base_dir, seed=seed)
    except DatasetError as error:
        raise TrainingError(str(error)) from None
    batch = 32 if ds.n_samples > 64 else 0
    settings = TrainingSettings(optimizer="adam", lr=0.01, batch_size=batch, epochs=100,
                                scaling="standardize", val_fraction=0.2)
    files = spec_file_names(spec)
    name = Path(files[0]).name.split(".")[0] if files else ds.name
    description = (f"Created from {' and '.join(files) or ds.name}: {describe_dataset(ds)} "
                   f"Hidden layers: {', '.join(map(str, hidden)) or 'none'}.")
    return Project(graph=build_graph(ds, hidden), name=name, description=description,
                   dataset=dict(spec), training=settings.to_dict(), seed=seed)
