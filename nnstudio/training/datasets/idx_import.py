"""Read MNIST-format IDX files (raw or gzipped) into an image :class:`Dataset`.

An IDX file starts with two zero bytes, a type byte (0x08 = unsigned byte, 0x09 = signed
byte, 0x0B = int16, 0x0C = int32, 0x0D = float32, 0x0E = float64), the number of dimensions,
then one big-endian uint32 per dimension, then the values in C order, big-endian.

Safety: only regular files are opened; a gzipped file is decompressed as a stream. The
header is read first and its size checked against ``MAX_ARRAY_BYTES`` and the memory free
now; then exactly the announced bytes are read into place, and any bytes after them are an
error found by reading a little more — a gzip bomb is never decompressed whole.
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from nnstudio.safe_io import (
    FileRefusedError,
    format_bytes,
    memory_shortfall,
    open_regular,
    shown_path,
)
from nnstudio.training.datasets.dataset import Dataset
from nnstudio.training.datasets.errors import DatasetError, Progress, no_progress
from nnstudio.training.datasets.limits import MAX_ARRAY_BYTES, MAX_DATA_FILE_BYTES
from nnstudio.training.datasets.targets import check_classes, class_count_problem

IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"
_PIECE_BYTES = 4 << 20
_TRAILING_PROBE = 1 << 16
MAX_IDX_DIMS = 8  # MNIST images have 3, labels 1
_STREAM_ERRORS = (OSError, EOFError, zlib.error)


def idx_partner(path: Path) -> Path | None:
    """The labels file beside an images file (``train-images-idx3`` → ``train-labels-idx1``),
    or the images file beside a labels file; None if it is not there."""
    name = path.name
    swaps = ([("images", "labels"), ("idx3", "idx1")] if "images" in name
             else [("labels", "images"), ("idx1", "idx3")])
    for old, new in swaps:
        name = name.replace(old, new)
    other = path.with_name(name)
    return other if other != path and other.is_file() else None


class _Reader:
    """One IDX file opened as a (possibly gunzipped) stream; errors name it and its role."""

    def __init__(self, path: Path, role: str) -> None:
        self.path, self.role = path, role
        try:
            self.file = open_regular(path, f"IDX {role} file", MAX_DATA_FILE_BYTES)
        except FileRefusedError as error:
            raise DatasetError(str(error), path=path) from None
        self.size = max(self.file.seek(0, 2), 1)
        self.file.seek(0)
        self.gzipped = self.file.read(2) == GZIP_MAGIC
        self.file.seek(0)
        self.stream: BinaryIO = (gzip.GzipFile(fileobj=self.file, mode="rb")  # type: ignore[assignment]
                                 if self.gzipped else self.file)

    def error(self, clause: str) -> DatasetError:
        kind = "gzipped IDX" if self.gzipped else "IDX"
        return DatasetError(f"The {kind} {self.role} file {shown_path(self.path)} {clause}.",
                            path=self.path)

    def read(self, count: int) -> bytes:
        """Up to ``count`` bytes (fewer only at the end of the data)."""
        try:
            return self.stream.read(count)
        except _STREAM_ERRORS:
            if self.gzipped:
                raise self.error("is damaged or truncated") from None
            raise self.error("cannot be read") from None

    def close(self) -> None:
        self.stream.close()
        self.file.close()


def read_idx(path: Path | str, role: str = "data", progress: Progress = no_progress,
             done: int = 0, total: int = 0) -> np.ndarray:
    """Return the array stored in an IDX file (native byte order); ``role`` names it in errors.

    progress(done, total) is told the compressed bytes read so far (offset by ``done``).
    """
    reader = _Reader(Path(path), role)
    try:
        return _read(reader, progress, done, total or reader.size)
    finally:
        reader.close()


def _read(reader: _Reader, progress: Progress, done: int, total: int) -> np.ndarray:
    head = reader.read(4)
    if len(head) < 4:
        raise reader.error("is too short to hold a header")
    if head[0] != 0 or head[1] != 0 or head[2] not in IDX_TYPES:
        raise DatasetError(f"The file {shown_path(reader.path)} is not an IDX {reader.role} "
                           f"file (bad magic number 0x{head.hex()}).", path=reader.path)
    dtype, ndim = IDX_TYPES[head[2]], head[3]
    if ndim > MAX_IDX_DIMS:
        raise reader.error(f"announces {ndim} dimensions; IDX data have at most "
                           f"{MAX_IDX_DIMS}")
    dims = reader.read(4 * ndim)
    if ndim == 0 or len(dims) < 4 * ndim:
        raise reader.error("has a truncated header")
    shape = tuple(int(d) for d in np.frombuffer(dims, dtype=">u4"))
    count = math.prod(shape)
    expected = count * dtype.itemsize
    if expected > MAX_ARRAY_BYTES:
        raise reader.error(f"announces shape {shape} ({format_bytes(expected)}), more than "
                           f"the {format_bytes(MAX_ARRAY_BYTES)} NN Studio reads")
    if not reader.gzipped and reader.size - 4 - 4 * ndim < expected:
        found = reader.size - 4 - 4 * ndim
        raise reader.error(f"is truncated: its header announces shape {shape} ({expected} "
                           f"bytes) but only {found} bytes follow")
    shortfall = memory_shortfall(expected)
    if shortfall is not None:
        raise reader.error(f"announces shape {shape}, which {shortfall}")
    data = np.empty(count, dtype)
    raw = data.view(np.uint8)
    filled = 0
    while filled < expected:
        piece = reader.read(min(_PIECE_BYTES, expected - filled))
        if not piece:
            raise reader.error(f"is truncated: its header announces shape {shape} "
                               f"({expected} bytes) but only {filled} bytes follow")
        raw[filled:filled + len(piece)] = np.frombuffer(piece, np.uint8)
        filled += len(piece)
        progress(done + min(reader.file.tell(), total), done + total)
    extra = len(reader.read(_TRAILING_PROBE))
    if extra:
        amount = f"{extra} unexpected bytes" if extra < _TRAILING_PROBE else \
            f"more than {format_bytes(_TRAILING_PROBE)} of unexpected bytes"
        raise reader.error(f"has {amount} after its data")
    return data.reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def import_idx(images_path: Path | str, labels_path: Path | str,
               progress: Progress = no_progress) -> Dataset:
    """images: IDX (N, H, W) unsigned bytes -> x (N, 1, H, W) float32 in [0, 1] (value/255);
    labels: IDX (N,) integers -> y (N,) int64, class names "0".."K-1"."""
    images_path, labels_path = Path(images_path), Path(labels_path)
    labels = read_idx(labels_path, "labels")
    where = f"The IDX labels file {shown_path(labels_path)}"
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DatasetError(f"{where} must hold one integer per image.", path=labels_path)
    if labels.size and labels.min() < 0:
        raise DatasetError(f"{where} has negative labels.", path=labels_path)
    top = int(labels.max()) if labels.size else 0
    problem = class_count_problem(top + 1)
    if problem is not None:
        raise DatasetError(f"{where} has labels up to {top:,}, which {problem}.",
                           path=labels_path)
    images = read_idx(images_path, "images", progress)
    if images.ndim != 3:
        raise DatasetError(
            f"The IDX images file {shown_path(images_path)} holds shape {images.shape}; "
            "expected (N, H, W).", path=images_path)
    if images.dtype != np.uint8:
        raise DatasetError(
            f"The IDX images file {shown_path(images_path)} holds {images.dtype} values; "
            "pixels must be unsigned bytes (type 0x08).", path=images_path)
    if labels.shape[0] != images.shape[0]:
        raise DatasetError(
            f"{where} has {labels.shape[0]} labels but the images file {images_path.name} "
            f"has {images.shape[0]} images.", path=labels_path)
    if images.shape[0] == 0:
        raise DatasetError(f"The IDX images file {shown_path(images_path)} holds no images.",
                           path=images_path)
    n_classes = top + 1
    check_classes(n_classes, labels, where, path=labels_path)
    x = np.empty((images.shape[0], 1, *images.shape[1:]), np.float32)
    np.divide(images, np.float32(255), out=x[:, 0])
    name = images_path.name.removesuffix(".gz").split(".")[0].split("-images")[0]
    return Dataset(
        name=name,
        x=x,
        y=labels.astype(np.int64),
        task="classification",
        feature_names=(),
        class_names=tuple(str(i) for i in range(n_classes)),
        description=(
            f"Imported from {images_path.name} and {labels_path.name}: {images.shape[0]} "
            f"images of {images.shape[1]}x{images.shape[2]} pixels, {n_classes} classes."
        ),
    )
