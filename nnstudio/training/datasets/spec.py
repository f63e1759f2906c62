"""Build a dataset from the JSON spec a project file stores.

Specs::

    {"source": "builtin", "name": "xor", "params": {"noise": 0.1}, "task": "binary"?}
    {"source": "csv", "path": "data.csv", "feature_columns": [...] | None,
     "target_column": "label", "target_kind": "auto", "task": None, "header": None}
    {"source": "npz", "path": "data.npz"}
    {"source": "idx", "images": "train-images.idx3-ubyte.gz", "labels": "...idx1-ubyte.gz"}

Relative paths resolve against ``base_dir`` (the project's folder), else the working
directory. A builtin spec may ask for ``"task": "binary"`` to use a 2-class set with a
single sigmoid output.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nnstudio.training.datasets.builtin import load_builtin
from nnstudio.training.datasets.csv_import import import_csv
from nnstudio.training.datasets.dataset import Dataset, as_binary
from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.datasets.idx_import import import_idx
from nnstudio.training.datasets.npz_import import import_npz

_KEYS: dict[str, set[str]] = {
    "builtin": {"name", "params", "task"},
    "csv": {"path", "feature_columns", "target_column", "target_kind", "task", "header"},
    "npz": {"path"},
    "idx": {"images", "labels"},
}


def _path(spec: Mapping[str, Any], key: str, base_dir: Path | None) -> Path:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise DatasetError(f"The {spec['source']} dataset spec needs a file path in '{key}'.")
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def load_dataset(spec: Mapping[str, Any], base_dir: Path | None = None, seed: int = 0) -> Dataset:
    """Load the dataset a project's spec describes (see the module docstring)."""
    if not isinstance(spec, Mapping):
        raise DatasetError("The dataset spec must be a JSON object.")
    source = spec.get("source")
    if source not in _KEYS:
        raise DatasetError(f"Unknown dataset source {source!r} (use one of {', '.join(_KEYS)}).")
    extra = sorted(set(spec) - _KEYS[source] - {"source"})
    if extra:
        raise DatasetError(f"The {source} dataset spec has unknown keys: {', '.join(extra)}.")
    if source == "builtin":
        params = spec.get("params") or {}
        if not isinstance(params, Mapping):
            raise DatasetError("The 'params' of a builtin dataset spec must be a JSON object.")
        ds = load_builtin(str(spec.get("name")), seed=seed, **dict(params))
        task = spec.get("task")
        if task in (None, ds.task):
            return ds
        if task == "binary":
            return as_binary(ds)
        raise DatasetError(f"Built-in dataset '{ds.name}' cannot be used for task '{task}'.")
    if source == "csv":
        return import_csv(
            _path(spec, "path", base_dir),
            feature_columns=spec.get("feature_columns"),
            target_column=spec.get("target_column"),
            target_kind=spec.get("target_kind", "auto"),
            task=spec.get("task"),
            header=spec.get("header"),
        )
    if source == "npz":
        return import_npz(_path(spec, "path", base_dir))
    return import_idx(_path(spec, "images", base_dir), _path(spec, "labels", base_dir))
