"""Read a NumPy ``.npz`` file with arrays ``X`` and ``y`` into a :class:`Dataset`.

Optional arrays: ``feature_names`` and ``class_names`` (string arrays) and ``task``
(a 0-d string). Without ``task``: integer or boolean ``y`` of shape (N,) or (N, 1)
means classification, float ``y`` means regression. ``X`` may be (N, F), (N, H, W)
(a channel axis is added) or (N, C, H, W). Pickled objects are refused.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from nnstudio.training.datasets.dataset import TASKS, Dataset, Task
from nnstudio.training.datasets.errors import DatasetError


def _read_array(data: np.lib.npyio.NpzFile, key: str, path: Path) -> np.ndarray:
    try:
        array = np.asarray(data[key])
    except ValueError as exc:  # object arrays need pickle, which is disabled
        raise DatasetError(
            f"Array '{key}' in {path} holds Python objects, which NN Studio does not load.",
            path=path,
            array=key,
        ) from exc
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(
            f"Array '{key}' in {path} is damaged ({exc}).", path=path, array=key
        ) from exc
    if array.dtype == object:
        raise DatasetError(f"Array '{key}' in {path} holds Python objects.", path=path, array=key)
    return array


def _names(data: np.lib.npyio.NpzFile, key: str, path: Path) -> tuple[str, ...] | None:
    if key not in data.files:
        return None
    array = _read_array(data, key, path)
    if array.ndim != 1 or array.dtype.kind not in "US":
        raise DatasetError(
            f"Array '{key}' in {path} must be a 1-D array of strings.", path=path, array=key
        )
    return tuple(str(v) for v in array)


def _infer_task(y: np.ndarray, path: Path) -> Task:
    if y.dtype.kind in "biu":
        return "classification"
    if y.dtype.kind == "f":
        return "regression"
    raise DatasetError(f"Array 'y' in {path} has unsupported type {y.dtype}.", path=path, array="y")


def import_npz(path: Path | str) -> Dataset:
    """Read ``X`` and ``y`` from ``path``; see the module docstring for the rules."""
    path = Path(path)
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError as exc:
        raise DatasetError(f"The NPZ file {path} does not exist.", path=path) from exc
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(f"The file {path} is not a readable NPZ archive.", path=path) from exc
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise DatasetError(f"The file {path} is a single array, not an NPZ archive.", path=path)
    with data:
        x_key = next((k for k in ("X", "x") if k in data.files), None)
        y_key = next((k for k in ("y", "Y") if k in data.files), None)
        for key, label in ((x_key, "X"), (y_key, "y")):
            if key is None:
                found = ", ".join(data.files) or "none"
                raise DatasetError(
                    f"The NPZ file {path} has no array '{label}' (arrays found: {found}).",
                    path=path,
                    array=label,
                )
        assert x_key is not None and y_key is not None
        x = _read_array(data, x_key, path)
        y = _read_array(data, y_key, path)
        feature_names = _names(data, "feature_names", path)
        class_names = _names(data, "class_names", path)
        task_name = str(_read_array(data, "task", path)) if "task" in data.files else None
    return _build(path, x, y, feature_names, class_names, task_name)


def _build(
    path: Path,
    x: np.ndarray,
    y: np.ndarray,
    feature_names: tuple[str, ...] | None,
    class_names: tuple[str, ...] | None,
    task_name: str | None,
) -> Dataset:
    if x.dtype.kind not in "biuf":
        raise DatasetError(
            f"Array 'X' in {path} must hold numbers, not {x.dtype}.", path=path, array="X"
        )
    if x.ndim == 3:
        x = x[:, None, :, :]
    if x.ndim not in (2, 4):
        raise DatasetError(
            f"Array 'X' in {path} has shape {x.shape}; expected (N, F), (N, H, W) or (N, C, H, W).",
            path=path,
            array="X",
        )
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise DatasetError(
            f"Arrays 'X' and 'y' in {path} have different lengths ({x.shape[0]} and "
            f"{y.shape[0] if y.ndim else 'a scalar'}).",
            path=path,
            array="y",
        )
    if x.shape[0] == 0:
        raise DatasetError(f"The NPZ file {path} holds no samples.", path=path, array="X")
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        raise DatasetError(
            f"Array 'X' in {path} contains NaN or infinite values.", path=path, array="X"
        )
    if task_name is not None and task_name not in TASKS:
        raise DatasetError(
            f"Array 'task' in {path} names unknown task '{task_name}'.", path=path, array="task"
        )
    task: Task = task_name if task_name is not None else _infer_task(y, path)  # type: ignore[assignment]
    if task == "classification":
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.dtype.kind not in "biu" or (y.size and y.min() < 0):
            raise DatasetError(
                f"Array 'y' in {path} must hold non-negative integer class labels of shape (N,).",
                path=path,
                array="y",
            )
        y = y.astype(np.int64)
        if class_names is None:
            class_names = tuple(str(i) for i in range(int(y.max()) + 1))
    else:
        y = y.astype(np.float32).reshape(y.shape[0], -1)
    if x.ndim == 2 and feature_names is None:
        feature_names = tuple(f"x{i + 1}" for i in range(x.shape[1]))
    try:
        return Dataset(
            name=path.stem,
            x=x.astype(np.float32),
            y=y,
            task=task,
            feature_names=feature_names if x.ndim == 2 and feature_names else (),
            class_names=class_names,
            description=f"Imported from {path.name}: {x.shape[0]} samples.",
        )
    except DatasetError as exc:
        raise DatasetError(f"The arrays in {path} do not fit: {exc}", path=path) from exc
