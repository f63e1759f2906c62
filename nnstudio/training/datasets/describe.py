"""Plain helpers for dataset specs that point at files: stored paths and short descriptions.

No Qt here: the dialog, the File actions and the training panel all use these.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nnstudio.training.datasets import Dataset

FILE_SOURCES = ("csv", "npz", "idx")


def stored_path(path: Path, project_dir: Path | None) -> str:
    """How a spec stores ``path``: relative to ``project_dir`` when given, else absolute."""
    absolute = path.expanduser().resolve()
    if project_dir is None:
        return str(absolute)
    with contextlib.suppress(ValueError):  # ValueError: another drive on Windows
        return os.path.relpath(absolute, project_dir.resolve())
    return str(absolute)


def spec_file_names(spec: Mapping[str, Any]) -> list[str]:
    """The file names a file spec refers to (empty for built-in sets)."""
    keys = ("images", "labels") if spec.get("source") == "idx" else ("path",)
    return [Path(str(spec[k])).name for k in keys if spec.get(k)] \
        if spec.get("source") in FILE_SOURCES else []


def _columns(refs: Any, most: int = 5) -> str:
    """Column names (numbers 1-based), at most ``most`` of them then "… (N in all)"."""
    names = [str(r + 1) if isinstance(r, int) else str(r) for r in refs]
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f", … ({len(names)} in all)"


def describe_file_spec(spec: Mapping[str, Any]) -> str:
    """A few lines for a file spec, e.g. ``iris.csv`` / ``features: a, b`` / ``target: …``."""
    source = spec.get("source")
    names = spec_file_names(spec)
    if source == "csv":
        features = spec.get("feature_columns")
        target = spec.get("target_column")
        feature_text = _columns(features) if features else "all but the target"
        target_text = (str(target + 1) if isinstance(target, int) else str(target)) \
            if target is not None else "the last column"
        kind = spec.get("task") or spec.get("target_kind") or "auto"
        return (f"{names[0] if names else '?'}\nfeatures: {feature_text}\n"
                f"target: {target_text} ({kind})")
    if source == "npz":
        return f"{names[0] if names else '?'}\ninputs X, targets y"
    if source == "idx":
        return "\n".join(names) + "\nimages and labels (IDX)"
    return ""


def describe_dataset(ds: Dataset) -> str:
    """What a loaded dataset holds, e.g. ``150 samples × 4 features; classification …``."""
    if ds.is_image:
        c, h, w = ds.x.shape[1:]
        inputs = f"{ds.n_samples} images of {c}×{h}×{w}"
    else:
        inputs = f"{ds.n_samples} samples × {ds.n_features} features"
    if ds.task == "classification":
        names = list(ds.class_names or ())
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        task = f"classification into {ds.n_classes} classes ({shown})"
    elif ds.task == "binary":
        pair = f" ({', '.join(ds.class_names)})" if ds.class_names else ""
        task = f"binary classification{pair}"
    elif ds.task == "regression":
        task = f"regression of {ds.n_targets} value{'s' if ds.n_targets > 1 else ''}"
    else:
        task = f"multilabel with {ds.n_targets} labels"
    return f"{inputs}; {task}."
