"""Read MNIST-format IDX files (raw or gzipped) into an image :class:`Dataset`.

An IDX file starts with two zero bytes, a type byte (0x08 = unsigned byte, 0x09 = signed
byte, 0x0B = int16, 0x0C = int32, 0x0D = float32, 0x0E = float64), the number of dimensions,
then one big-endian uint32 per dimension, then the values in C order, big-endian.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from nnstudio.training.datasets.dataset import Dataset
from nnstudio.training.datasets.errors import DatasetError

IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path, role: str) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DatasetError(f"The IDX {role} file {path} does not exist.", path=path) from exc
    except OSError as exc:
        raise DatasetError(
            f"Cannot read the IDX {role} file {path}: {exc.strerror}.", path=path
        ) from exc
    if raw[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(
                f"The gzipped IDX {role} file {path} is damaged or truncated.", path=path
            ) from exc
    return raw


def read_idx(path: Path | str, role: str = "data") -> np.ndarray:
    """Return the array stored in an IDX file (native byte order); ``role`` names it in errors."""
    path = Path(path)
    raw = _read_bytes(path, role)
    if len(raw) < 4:
        raise DatasetError(f"The IDX {role} file {path} is too short to hold a header.", path=path)
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise DatasetError(
            f"The file {path} is not an IDX {role} file (bad magic number 0x{raw[:4].hex()}).",
            path=path,
        )
    dtype, ndim = IDX_TYPES[raw[2]], raw[3]
    header_size = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header_size:
        raise DatasetError(f"The IDX {role} file {path} has a truncated header.", path=path)
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    found = len(raw) - header_size
    if found < expected:
        raise DatasetError(
            f"The IDX {role} file {path} is truncated: its header announces shape {shape} "
            f"({expected} bytes) but only {found} bytes follow.",
            path=path,
        )
    if found > expected:
        raise DatasetError(
            f"The IDX {role} file {path} has {found - expected} unexpected bytes after its data.",
            path=path,
        )
    values = np.frombuffer(raw, dtype=dtype, count=int(np.prod(shape)), offset=header_size)
    return values.reshape(shape).astype(dtype.newbyteorder("="))


def import_idx(images_path: Path | str, labels_path: Path | str) -> Dataset:
    """images: IDX (N, H, W) unsigned bytes -> x (N, 1, H, W) float32 in [0, 1] (value/255);
    labels: IDX (N,) integers -> y (N,) int64, class names "0".."K-1"."""
    images_path, labels_path = Path(images_path), Path(labels_path)
    images = read_idx(images_path, "images")
    labels = read_idx(labels_path, "labels")
    if images.ndim != 3:
        raise DatasetError(
            f"The IDX images file {images_path} holds shape {images.shape}; expected (N, H, W).",
            path=images_path,
        )
    if images.dtype != np.uint8:
        raise DatasetError(
            f"The IDX images file {images_path} holds {images.dtype} values; pixels must be "
            "unsigned bytes (type 0x08).",
            path=images_path,
        )
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DatasetError(
            f"The IDX labels file {labels_path} must hold one integer per image.", path=labels_path
        )
    if labels.shape[0] != images.shape[0]:
        raise DatasetError(
            f"The IDX labels file {labels_path} has {labels.shape[0]} labels but the images "
            f"file {images_path.name} has {images.shape[0]} images.",
            path=labels_path,
        )
    if images.shape[0] == 0:
        raise DatasetError(f"The IDX images file {images_path} holds no images.", path=images_path)
    if labels.min() < 0:
        raise DatasetError(
            f"The IDX labels file {labels_path} has negative labels.", path=labels_path
        )
    n_classes = int(labels.max()) + 1
    name = images_path.name.removesuffix(".gz").split(".")[0].split("-images")[0]
    return Dataset(
        name=name,
        x=(images.astype(np.float32) / 255.0)[:, None, :, :],
        y=labels.astype(np.int64),
        task="classification",
        feature_names=(),
        class_names=tuple(str(i) for i in range(n_classes)),
        description=(
            f"Imported from {images_path.name} and {labels_path.name}: {images.shape[0]} "
            f"images of {images.shape[1]}x{images.shape[2]} pixels, {n_classes} classes."
        ),
    )
