"""A new project from a data file: Input and Output sized to the data, a hidden stack.

Used by ``nnstudio new`` (``new_project_from_data``) and the app's "New from data…"
(``project_from_spec``: the spec form adds what the import dialog can choose and the
command line cannot: feature columns, header, IDX images).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nnstudio.graph.model.document import Document
from nnstudio.graph.model.project import Project
from nnstudio.graph.model.registry import MAX_UNITS
from nnstudio.safe_io import clip
from nnstudio.training.datasets import Dataset, DatasetError, idx_partner, load_dataset
from nnstudio.training.datasets.describe import describe_dataset, spec_file_names
from nnstudio.training.settings import TrainingError, TrainingSettings

X_STEP = 200.0
_TASK_KINDS = {"classification": "categorical", "regression": "numeric"}


MAX_HIDDEN_LAYERS = 100


def parse_hidden(text: str) -> list[int]:
    """"32,16" -> [32, 16] (hidden layer sizes); raises ValueError with a sentence."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    shown = text if len(text) <= 40 else text[:40] + "…"
    if len(parts) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"At most {MAX_HIDDEN_LAYERS} hidden layers, not {len(parts)}.")
    if not all(p.isascii() and p.isdigit() and len(p) <= 7 and 0 < int(p) <= MAX_UNITS
               for p in parts):
        raise ValueError(f"Hidden layer sizes must be whole numbers from 1 to {MAX_UNITS:,} "
                         f"like 32,16, not {shown!r}.")
    return [int(p) for p in parts]


def _stored(path: Path, project_dir: Path | None) -> str:
    """``path`` absolute, or relative to ``project_dir``; a symbolic link stays a link."""
    stored = str(path.absolute())
    if project_dir is not None:
        with contextlib.suppress(ValueError):  # ValueError: another drive on Windows
            stored = os.path.relpath(path.absolute(), project_dir.absolute())
    return stored


def _is_idx(path: Path) -> bool:
    name = path.name.lower()
    return "idx" in name or "ubyte" in name


def data_spec(path: Path | str, target: str | None = None, task: str | None = None,
              project_dir: Path | None = None) -> dict[str, Any]:
    """The project's dataset spec for a CSV, NPZ or IDX file (paths relative to
    ``project_dir``). For IDX, either file of an MNIST-style pair may be given; its partner
    (``train-images-idx3-ubyte`` ↔ ``train-labels-idx1-ubyte``) must lie beside it."""
    path = Path(path)
    suffix = path.suffix.lower()
    if task is not None and task not in _TASK_KINDS:
        raise TrainingError(f"Unknown task '{task}' (use classification or regression).")
    stored = _stored(path, project_dir)
    if _is_idx(path) and suffix not in (".csv", ".txt", ".tsv", ".npz"):
        if target is not None or task == "regression":
            raise TrainingError("IDX files hold images and class labels; leave out the "
                                "target column and the regression task.")
        partner = idx_partner(path)
        if partner is None:
            raise TrainingError(f"Cannot find the IDX file that belongs to {path.name} "
                                "beside it (train-images-idx3-ubyte goes with "
                                "train-labels-idx1-ubyte).")
        images, labels = (partner, path) if "label" in path.name.lower() else (path, partner)
        return {"source": "idx", "images": _stored(images, project_dir),
                "labels": _stored(labels, project_dir)}
    if suffix in (".csv", ".txt", ".tsv"):
        spec: dict[str, Any] = {"source": "csv", "path": stored}
        if target is not None:
            spec["target_column"] = target
        if task is not None:
            spec["target_kind"] = _TASK_KINDS[task]
        return spec
    if suffix == ".npz":
        if target is not None:
            raise TrainingError("An NPZ file holds its target in the array 'y'; "
                                "leave out the target column.")
        return {"source": "npz", "path": stored}
    raise TrainingError(f"Cannot make a project from {clip(path.name, 80)}: use a .csv, "
                        ".npz or IDX file.")


def build_graph(ds: Dataset, hidden: Sequence[int]) -> Document:
    """Input → (Dense + ReLU) per entry of ``hidden`` → Dense sized to the targets → Output."""
    d = Document()
    if ds.is_image:
        c, h, w = ds.x.shape[1:]
        params: dict[str, Any] = {"kind": "image", "channels": c, "height": h, "width": w}
        chain = [d.add_node("layer.input", (0.0, 0.0), params, f"Input {c}×{h}×{w}"),
                 d.add_node("layer.flatten", (X_STEP, 0.0), title="Flatten")]
        d.connect(chain[0], "out", chain[1], "in")
    else:
        chain = [d.add_node("layer.input", (0.0, 0.0),
                            {"kind": "vector", "features": ds.n_features},
                            f"Input ({ds.n_features} features)")]

    def add(type_id: str, params: dict[str, Any], title: str) -> None:
        node = d.add_node(type_id, (len(chain) * X_STEP, 0.0), params, title)
        d.connect(chain[-1], "out", node, "in")
        chain.append(node)

    for units in hidden:
        add("layer.dense", {"units": int(units)}, f"Dense {units}")
        add("activation", {"function": "relu"}, "ReLU")
    if ds.task == "classification":
        add("layer.dense", {"units": ds.n_classes}, f"Dense {ds.n_classes} (logits)")
        add("layer.output", {"loss": "cross_entropy"}, "Output (softmax CE)")
    elif ds.task == "binary":
        add("layer.dense", {"units": 1}, "Dense 1 (logit)")
        add("layer.output", {"loss": "bce_with_logits"}, "Output (sigmoid + BCE)")
    elif ds.task == "multilabel":
        add("layer.dense", {"units": ds.n_targets}, f"Dense {ds.n_targets} (logits)")
        add("layer.output", {"loss": "multilabel"}, "Output (multilabel)")
    else:
        add("layer.dense", {"units": ds.n_targets}, f"Dense {ds.n_targets}")
        add("layer.output", {"loss": "mse"}, "Output (MSE)")
    return d


def new_project_from_data(path: Path | str, *, target: str | None = None,
                          hidden: Sequence[int] = (32, 16), task: str | None = None,
                          project_dir: Path | None = None, seed: int = 0) -> Project:
    """A ready-to-train project for a CSV/NPZ file; raises TrainingError with one sentence.

    ``project_dir`` is where the project will be saved (the data path is stored relative
    to it). ``task`` ("classification" or "regression") overrides the automatic choice.
    """
    path = Path(path)
    if any(int(u) < 1 for u in hidden):
        raise TrainingError("Every hidden layer needs at least one unit.")
    spec = data_spec(path, target, task, project_dir)
    try:
        ds = load_dataset(data_spec(path, target, task), seed=seed)
    except DatasetError as error:
        raise TrainingError(str(error)) from None
    if task is not None and (ds.task == "regression") != (task == "regression"):
        raise TrainingError(f"The data in {path.name} is {ds.task}, not {task}.")
    batch = 32 if ds.n_samples > 64 else 0
    settings = TrainingSettings(optimizer="adam", lr=0.01, batch_size=batch, epochs=100,
                                scaling="standardize", val_fraction=0.2)
    shape = "×".join(str(s) for s in ds.x.shape[1:])
    kind = {"classification": f"classification into {ds.n_targets} classes"}.get(
        ds.task, ds.task)
    description = (f"Created from {path.name}: {ds.n_samples} samples of {shape} inputs, "
                   f"{kind}; hidden layers {', '.join(map(str, hidden)) or 'none'}.")
    return Project(graph=build_graph(ds, hidden), name=path.stem, description=description,
                   dataset=spec, training=settings.to_dict(), seed=seed)


def project_from_spec(spec: Mapping[str, Any], hidden: Sequence[int] = (32, 16), *,
                      base_dir: Path | None = None, seed: int = 0,
                      dataset: Dataset | None = None) -> Project:
    """A ready-to-train project for ``spec``; raises TrainingError with one sentence.

    dataset: the data ``spec`` describes when already read (the import dialog reads it in
    the background), so the file is not read again here.

    Input and Output are sized to the data, Dense + ReLU per entry of ``hidden`` between
    them, the loss fits the task; Adam, lr 0.01, mini-batches of 32 (full batch for ≤ 64
    samples), 100 epochs, standardised inputs, 20 % validation — as ``nnstudio new``.
    """
    if any(int(u) < 1 for u in hidden):
        raise TrainingError("Every hidden layer needs at least one unit.")
    try:
        ds = dataset if dataset is not None else load_dataset(spec, base_dir=base_dir,
                                                               seed=seed)
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
