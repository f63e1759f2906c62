"""The data side of a PyTorch project: what ``data.py`` reads and the split it uses.

Built-in sets are written out as ``data/dataset.npz`` (x, y). CSV, NPZ and IDX files are
read by ``data.py`` from where the project has them, with the project's columns; after
writing, the export imports the written ``data.py`` and checks that it reads exactly
NN Studio's arrays (else it falls back to a copy in ``data/dataset.npz``).
``data/split.npz`` holds NN Studio's split (row indices) and fitted scaler.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnstudio.export.common import ExportError
from nnstudio.export.project_fields import dataset_of
from nnstudio.graph.model.project import Project
from nnstudio.training.datasets import Dataset, Scaler
from nnstudio.training.prepared import prepare_run
from nnstudio.training.settings import TrainingError, TrainingSettings

ARRAYS_FILE = "data/dataset.npz"
SPLIT_FILE = "data/split.npz"


@dataclass(frozen=True, eq=False)
class ProjectData:
    """The project's dataset as NN Studio trains on it.

    rows: row indices of each part ("train", "val", and "test" with a test fraction);
    scaler: the one NN Studio uses (the saved one if it fits, else fitted on train).
    """

    dataset: Dataset
    spec: dict[str, Any]
    rows: dict[str, np.ndarray]
    scaler: Scaler


def project_data(project: Project, base_dir: Path | None) -> ProjectData:
    """The dataset, split rows and scaler of the project's prepared run (the trainer's
    own); ExportError with one sentence if it cannot be prepared."""
    try:
        prepared = prepare_run(project, base_dir, members=1)
    except TrainingError as error:
        raise ExportError(str(error)) from None
    rows = {"train": prepared.rows.train, "val": prepared.rows.val}
    if prepared.rows.test is not None:
        rows["test"] = prepared.rows.test
    return ProjectData(prepared.dataset, dataset_of(project), rows, prepared.scaler)


def data_settings(data: ProjectData, settings: TrainingSettings,
                  base_dir: Path | None, seed: int) -> dict[str, Any]:
    """The settings block of ``data.py``."""
    ds = data.dataset
    return {
        "DATASET": reader_spec(data.spec, ds, base_dir),
        "TASK": ds.task,
        "CLASS_NAMES": list(ds.class_names or ()),
        "SEED": seed,
        "VAL_FRACTION": settings.val_fraction,
        "TEST_FRACTION": settings.test_fraction,
        "SCALING": data.scaler.kind,
    }


def reader_spec(spec: dict[str, Any], ds: Dataset, base_dir: Path | None) -> dict[str, Any]:
    """How ``data.py`` reads the data: its own copy for built-in sets, else the project's
    files (absolute paths) with their columns resolved as NN Studio resolved them."""
    source = spec.get("source")
    if source == "csv":
        targets = spec.get("target_column")
        target_list = [targets] if isinstance(targets, str | int) else list(targets or [])
        features = spec.get("feature_columns")
        return {"source": "csv", "path": _absolute(spec["path"], base_dir),
                "header": spec.get("header"),
                "features": None if features is None else list(features),
                "targets": target_list or None,
                "kind": "categorical" if ds.task in ("classification", "binary") else "numeric"}
    if source == "npz":
        return {"source": "npz", "path": _absolute(spec["path"], base_dir)}
    if source == "idx":
        return {"source": "idx", "images": _absolute(spec["images"], base_dir),
                "labels": _absolute(spec["labels"], base_dir)}
    return {"source": "arrays", "file": ARRAYS_FILE}


def _absolute(value: str, base_dir: Path | None) -> str:
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return str(path.resolve())


def write_arrays(data: ProjectData, folder: Path) -> Path:
    """``data/dataset.npz``: the dataset's x and y as NN Studio loaded them."""
    target = folder / ARRAYS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        np.savez(handle, allow_pickle=False, x=data.dataset.x, y=data.dataset.y)
    return target


def write_split(data: ProjectData, folder: Path) -> Path:
    """``data/split.npz``: n_rows, the parts' row indices and the scaler's offset and scale."""
    arrays: dict[str, np.ndarray] = {"n_rows": np.array(data.dataset.n_samples)}
    arrays.update(data.rows)
    if data.scaler.kind != "none" and data.scaler.offset is not None:
        assert data.scaler.scale is not None
        arrays["offset"], arrays["scale"] = data.scaler.offset, data.scaler.scale
    target = folder / SPLIT_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        np.savez(handle, allow_pickle=False, **arrays)
    return target


def reads_the_same(script: Path, data: ProjectData) -> str:
    """Import the written ``data.py`` and compare the arrays it reads with NN Studio's;
    returns "" when equal, else what differs (one phrase)."""
    name = f"_nnstudio_export_data_{abs(hash(str(script)))}"
    spec = importlib.util.spec_from_file_location(name, script)
    if spec is None or spec.loader is None:
        return "data.py cannot be imported"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        x, y = module.read_dataset()
        if not (np.array_equal(x, data.dataset.x) and np.array_equal(y, data.dataset.y)
                and x.dtype == data.dataset.x.dtype and y.dtype == data.dataset.y.dtype):
            return "data.py reads other numbers than NN Studio"
    except Exception as error:  # any failure means: keep a copy instead
        return f"data.py cannot read the data ({type(error).__name__}: {error})"
    finally:
        sys.modules.pop(name, None)
    return ""
