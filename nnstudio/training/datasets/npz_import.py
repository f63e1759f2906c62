"""Read a NumPy ``.npz`` file with arrays ``X`` and ``y`` into a :class:`Dataset`.

Optional arrays: ``feature_names`` and ``class_names`` (string arrays) and ``task``
(a 0-d string). Without ``task``: integer or boolean ``y`` of shape (N,) or (N, 1)
means classification, float ``y`` means regression. ``X`` may be (N, F), (N, H, W)
(a channel axis is added) or (N, C, H, W).

Safety: the archive must be a regular file; each array's ``.npy`` header is read and
checked first (plain numeric or string types only — pickled objects are refused — a size
within ``MAX_ARRAY_BYTES``, matching what the zip declares, and fitting in the memory free
now); then the values are streamed from the zip member in pieces straight into float32,
so a float64 ``X`` never exists whole in memory.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from nnstudio.safe_io import (
    FileRefusedError,
    clip,
    echo,
    memory_shortfall,
    open_regular,
    shown_path,
)
from nnstudio.training.datasets.dataset import TASKS, Dataset, Task, all_finite
from nnstudio.training.datasets.errors import DatasetError, Progress, no_progress
from nnstudio.training.datasets.limits import (
    MAX_ARRAY_BYTES,
    MAX_DATA_FILE_BYTES,
    MAX_NAMES,
    MAX_NPZ_MEMBERS,
)
from nnstudio.training.datasets.targets import check_classes, class_count_problem

NPY_MAGIC = b"\x93NUMPY"
_PIECE_BYTES = 4 << 20
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError, OverflowError)


@dataclass(frozen=True)
class NpyHeader:
    """An array as its header announces it: name, dtype, shape, C or Fortran order."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran: bool

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.count * self.dtype.itemsize


class _Archive:
    """An open NPZ archive whose members are read through checked headers."""

    def __init__(self, path: Path, stream: BinaryIO) -> None:
        self.path = path
        self.name = shown_path(path)
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except _ZIP_ERRORS:
            raise self.error("is not a readable NPZ archive") from None
        self.members = {i.filename.removesuffix(".npy"): i for i in infos
                        if i.filename.endswith(".npy")}
        if len(infos) > MAX_NPZ_MEMBERS:
            raise self.error(f"holds {len(infos):,} files; an NPZ dataset holds a few arrays")

    def error(self, clause: str, array: str | None = None) -> DatasetError:
        if array is None:
            return DatasetError(f"The NPZ file {self.name} {clause}.", path=self.path)
        return DatasetError(f"Array '{array}' in {self.name} {clause}.", path=self.path,
                            array=array)

    @contextmanager
    def member(self, key: str) -> Iterator[tuple[NpyHeader, IO[bytes]]]:
        info = self.members[key]
        try:
            with self.zip.open(info) as fp:
                header = self._header(key, fp)
                if info.file_size != fp.tell() + header.nbytes:
                    raise self.error("is damaged (its size does not match its header)", key)
                yield header, fp
        except _ZIP_ERRORS as error:
            raise self.error(f"is damaged ({echo(str(error), 80)})", key) from None

    def _header(self, key: str, fp: IO[bytes]) -> NpyHeader:
        fmt = np.lib.format
        version = fmt.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(fp)
        else:
            raise self.error(f"uses .npy format version {version}, which NN Studio does not "
                             "read", key)
        if dtype.hasobject:
            raise self.error("holds Python objects, which NN Studio does not load", key)
        if dtype.names is not None or dtype.subdtype is not None or dtype.kind not in "biufUS":
            raise self.error(f"has the type {echo(str(dtype), 40)}; NN Studio reads numbers "
                             "and strings", key)
        header = NpyHeader(key, dtype, tuple(int(d) for d in shape), bool(fortran))
        if header.nbytes > MAX_ARRAY_BYTES:
            raise self.error(f"announces shape {clip(str(header.shape), 80)}, larger than "
                             f"the {MAX_ARRAY_BYTES // 2**30} GB NN Studio reads", key)
        return header

    def read(self, key: str, out_dtype: np.dtype | None = None,
             progress: Progress = no_progress, done: int = 0, total: int = 0) -> np.ndarray:
        """The array ``key`` (in ``out_dtype`` if given), read in pieces."""
        with self.member(key) as (header, fp):
            dtype = np.dtype(out_dtype) if out_dtype is not None else header.dtype
            shortfall = memory_shortfall(header.count * dtype.itemsize)
            if shortfall is not None:
                raise self.error(f"of shape {header.shape} {shortfall}", key)
            flat = np.empty(header.count, dtype)
            per = max(1, _PIECE_BYTES // max(header.dtype.itemsize, 1))
            for start in range(0, header.count, per):
                n = min(per, header.count - start)
                raw = fp.read(n * header.dtype.itemsize)
                if len(raw) != n * header.dtype.itemsize:
                    raise self.error("is truncated", key)
                with np.errstate(over="ignore", invalid="ignore"):
                    flat[start:start + n] = np.frombuffer(raw, header.dtype)
                done += len(raw)
                progress(done, total)
            if fp.read(1):
                raise self.error("has bytes after its data", key)
        if header.fortran:
            return flat.reshape(header.shape[::-1]).transpose()
        return flat.reshape(header.shape)


@contextmanager
def _open_archive(path: Path) -> Iterator[_Archive]:
    try:
        stream = open_regular(path, "NPZ file", MAX_DATA_FILE_BYTES)
    except FileRefusedError as error:
        raise DatasetError(str(error), path=path) from None
    with stream:
        if stream.read(len(NPY_MAGIC)) == NPY_MAGIC:
            raise DatasetError(f"The file {shown_path(path)} is a single array, not an NPZ "
                               "archive.", path=path)
        stream.seek(0)
        archive = _Archive(path, stream)
        with archive.zip:
            yield archive


def npz_headers(path: Path | str) -> list[NpyHeader | str]:
    """The arrays an NPZ archive announces, without reading their values: a header per
    array, or the name of an array whose header is unreadable (raises DatasetError for a
    file that is not an archive)."""
    out: list[NpyHeader | str] = []
    with _open_archive(Path(path)) as archive:
        for key in archive.members:
            try:
                with archive.member(key) as (header, _fp):
                    out.append(header)
            except DatasetError:
                out.append(key)
    return out


def import_npz(path: Path | str, progress: Progress = no_progress) -> Dataset:
    """Read ``X`` and ``y`` from ``path``; see the module docstring for the rules."""
    path = Path(path)
    with _open_archive(path) as archive:
        keys = archive.members
        x_key = next((k for k in ("X", "x") if k in keys), None)
        y_key = next((k for k in ("y", "Y") if k in keys), None)
        for key, label in ((x_key, "X"), (y_key, "y")):
            if key is None:
                found = ", ".join(clip(k, 30) for k in list(keys)[:12]) or "none"
                raise DatasetError(f"The NPZ file {shown_path(path)} has no array '{label}' "
                                   f"(arrays found: {found}).", path=path, array=label)
        assert x_key is not None and y_key is not None
        with archive.member(x_key) as (x_header, _fp):
            pass
        if x_header.dtype.kind not in "biuf":
            raise archive.error(f"must hold numbers, not {x_header.dtype}", "X")
        x = archive.read(x_key, np.dtype(np.float32), progress, 0, x_header.nbytes)
        y = archive.read(y_key)
        feature_names = _names(archive, "feature_names")
        class_names = _names(archive, "class_names")
        task_name = _task(archive)
    return _build(archive, x, y, feature_names, class_names, task_name)


def _names(archive: _Archive, key: str) -> tuple[str, ...] | None:
    if key not in archive.members:
        return None
    with archive.member(key) as (header, _fp):
        if len(header.shape) != 1 or header.dtype.kind not in "US" or header.count > MAX_NAMES:
            raise archive.error("must be a 1-D array of strings", key)
    return tuple(str(v) for v in archive.read(key).tolist())


def _task(archive: _Archive) -> str | None:
    if "task" not in archive.members:
        return None
    with archive.member("task") as (header, _fp):
        if header.shape != () or header.dtype.kind not in "US" or header.nbytes > 400:
            raise archive.error("must be a short string such as 'regression'", "task")
    return str(archive.read("task"))


def _infer_task(y: np.ndarray, archive: _Archive) -> Task:
    if y.dtype.kind in "biu":
        return "classification"
    if y.dtype.kind == "f":
        return "regression"
    raise archive.error(f"has unsupported type {echo(str(y.dtype), 40)}", "y")


def _build(archive: _Archive, x: np.ndarray, y: np.ndarray,
           feature_names: tuple[str, ...] | None, class_names: tuple[str, ...] | None,
           task_name: str | None) -> Dataset:
    path, name = archive.path, archive.name
    if x.ndim == 3:
        x = x[:, None, :, :]
    if x.ndim not in (2, 4):
        raise archive.error(f"has shape {x.shape}; expected (N, F), (N, H, W) or (N, C, H, W)",
                            "X")
    if y.ndim == 0 or y.shape[0] != x.shape[0]:
        raise DatasetError(
            f"Arrays 'X' and 'y' in {name} have different lengths ({x.shape[0]} and "
            f"{y.shape[0] if y.ndim else 'a scalar'}).", path=path, array="y")
    if x.shape[0] == 0:
        raise archive.error("holds no samples", "X")
    if not all_finite(x):
        raise archive.error("holds NaN or infinite values, or values beyond float32's range "
                            "(±3.4e38)", "X")
    if task_name is not None and task_name not in TASKS:
        raise archive.error(f"names unknown task {echo(task_name)}", "task")
    task: Task = task_name if task_name is not None else _infer_task(y, archive)  # type: ignore[assignment]
    if task == "classification":
        y = _labels(archive, y, class_names)
        n_classes = len(class_names) if class_names is not None else int(y.max()) + 1
        check_classes(n_classes, y, f"Array 'y' in {name}", names=class_names, path=path,
                      array="y")
        if class_names is None:
            class_names = tuple(str(i) for i in range(n_classes))
    else:
        if y.dtype.kind not in "biuf":
            raise archive.error("must hold numbers", "y")
        with np.errstate(over="ignore", invalid="ignore"):
            y = y.astype(np.float32).reshape(y.shape[0], -1)
        if not all_finite(y):
            raise archive.error("holds NaN or infinite values, or values beyond float32's "
                                "range", "y")
    if x.ndim == 2 and feature_names is None:
        feature_names = tuple(f"x{i + 1}" for i in range(x.shape[1]))
    try:
        return Dataset(
            name=path.stem,
            x=np.ascontiguousarray(x),
            y=y,
            task=task,
            feature_names=feature_names if x.ndim == 2 and feature_names else (),
            class_names=class_names,
            description=f"Imported from {path.name}: {x.shape[0]} samples.",
        )
    except DatasetError as exc:
        raise DatasetError(f"The arrays in {name} do not fit: {exc}", path=path) from exc


def _labels(archive: _Archive, y: np.ndarray, class_names: tuple[str, ...] | None
            ) -> np.ndarray:
    """Classification labels (N,) int64, bounded before any class list is made."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.dtype.kind not in "biu" or (y.size and y.min() < 0):
        raise archive.error("must hold non-negative integer class labels of shape (N,)", "y")
    top = int(y.max())
    problem = class_count_problem(top + 1)
    if problem is not None and class_names is None:
        raise archive.error(f"has class labels up to {top:,}, which {problem}", "y")
    if class_names is not None and top >= len(class_names):
        raise archive.error(f"has class label {top:,} but 'class_names' names only "
                            f"{len(class_names):,} classes", "y")
    return y.astype(np.int64)
