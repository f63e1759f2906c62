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

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nnstudio.graph.model.fields import DATASET_KEYS
from nnstudio.safe_io import clip, echo, shown_path
from nnstudio.training.datasets import recent
from nnstudio.training.datasets.builtin import load_builtin
from nnstudio.training.datasets.csv_import import import_csv
from nnstudio.training.datasets.dataset import Dataset, as_binary
from nnstudio.training.datasets.errors import DatasetError, Progress, no_progress
from nnstudio.training.datasets.idx_import import import_idx
from nnstudio.training.datasets.npz_import import import_npz

_KEYS = DATASET_KEYS  # the keys of each source, declared with the project's fields


def _path(spec: Mapping[str, Any], key: str, base_dir: Path | None) -> Path:
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        raise DatasetError(f"The {spec['source']} dataset spec needs a file path in '{key}'.")
    path = Path(value)
    with contextlib.suppress(RuntimeError):  # "~someone" without a home: keep it as written
        path = path.expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def _column_refs(value: Any, key: str, many: bool, where: str) -> Any:
    """A column reference (name or index), or a list of them when ``many``; else an error."""

    def is_ref(item: Any) -> bool:
        return isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool))

    if value is None or is_ref(value):
        return value
    if many and isinstance(value, list) and all(is_ref(v) for v in value):
        return value
    raise DatasetError(f"The dataset spec for {where} has a '{key}' that is not a column "
                       f"name or number{' or a list of them' if many else ''}.")


def _csv_options(spec: Mapping[str, Any], path: Path) -> dict[str, Any]:
    where = shown_path(path)
    features = _column_refs(spec.get("feature_columns"), "feature_columns", True, where)
    if features is not None and not isinstance(features, list):
        features = [features]
    options = {"feature_columns": features,
               "target_column": _column_refs(spec.get("target_column"), "target_column", True,
                                             where),
               "target_kind": spec.get("target_kind", "auto"), "task": spec.get("task"),
               "header": spec.get("header")}
    for key, kinds in (("target_kind", str), ("task", (str, type(None))),
                       ("header", (bool, type(None)))):
        if not isinstance(options[key], kinds):
            raise DatasetError(f"The dataset spec for {where} has a '{key}' of the wrong "
                               f"type ({type(options[key]).__name__}).")
    return options


def load_dataset(spec: Mapping[str, Any], base_dir: Path | None = None, seed: int = 0,
                 progress: Progress = no_progress) -> Dataset:
    """Load the dataset a project's spec describes (see the module docstring).

    progress(done, total): bytes of the data file read so far; it may raise LoadCancelledError.
    """
    if not isinstance(spec, Mapping):
        raise DatasetError("The dataset spec must be a JSON object.")
    source = spec.get("source")
    if source not in _KEYS:
        raise DatasetError(f"Unknown dataset source {echo(str(source))} "
                           f"(use one of {', '.join(_KEYS)}).")
    extra = sorted(str(k) for k in set(spec) - _KEYS[source] - {"source"})
    if extra:
        shown = ", ".join(clip(k, 40) for k in extra[:5]) + (", …" if len(extra) > 5 else "")
        raise DatasetError(f"The {source} dataset spec has unknown keys: {shown}.")
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
    return _load_file(source, spec, base_dir, progress)


def _load_file(source: str, spec: Mapping[str, Any], base_dir: Path | None,
               progress: Progress) -> Dataset:
    """A CSV, NPZ or IDX dataset; the last one loaded is reused while its files are
    unchanged (``recent``)."""
    keys = ("images", "labels") if source == "idx" else ("path",)
    paths = [_path(spec, key, base_dir) for key in keys]
    options = _csv_options(spec, paths[0]) if source == "csv" else {}
    spec_key = repr((source, [str(p.absolute()) for p in paths], sorted(options.items())))
    dataset = recent.recall(spec_key, paths)
    if dataset is not None:
        return dataset
    if source == "csv":
        dataset = import_csv(paths[0], **options, progress=progress)
    elif source == "npz":
        dataset = import_npz(paths[0], progress)
    else:
        dataset = import_idx(paths[0], paths[1], progress)
    recent.keep(spec_key, paths, dataset)
    return dataset
