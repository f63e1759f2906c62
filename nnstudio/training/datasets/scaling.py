"""Input scaling fitted on the training split only, and stored in the project as JSON.

Tables ``(N, F)`` are scaled per feature; images ``(N, C, H, W)`` per channel (one offset
and scale for all pixels of a channel, so spatial patterns are kept). The transform is
``(x - offset) / scale``: standardize uses the mean and standard deviation, minmax the
minimum and range (training data then spans 0..1). Constant features get scale 1.

Memory: ``fit`` reads the rows it is given block by block (statistics in float64, never a
float64 copy of the data) and ``scale_in_place`` scales a float32 batch where it lies, so a
run scales each batch as it reads it instead of keeping a scaled copy of the whole dataset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Literal

import numpy as np

from nnstudio.training.datasets.errors import DatasetError
from nnstudio.training.datasets.split import Split

ScalerKind = Literal["none", "standardize", "minmax"]
SCALER_KINDS: tuple[str, ...] = ("none", "standardize", "minmax")


def _reduce_axes(x: np.ndarray) -> tuple[int, ...]:
    if x.ndim == 2:
        return (0,)
    if x.ndim == 4:
        return (0, 2, 3)
    raise DatasetError(f"Scaling needs inputs of shape (N, F) or (N, C, H, W), not {x.shape}.")


_BLOCK_VALUES = 1 << 18
"""Values per block of rows: the float64 arithmetic of fitting and scaling needs
temporaries of one block, never of the whole table (2 MB instead of twice its size)."""


def _row_blocks(x: np.ndarray, n: int | None = None) -> list[slice]:
    """Slices of consecutive rows (of ``n`` rows, default all of ``x``) of about
    ``_BLOCK_VALUES`` values each."""
    per_row = max(1, int(np.prod(x.shape[1:])))
    step = max(1, _BLOCK_VALUES // per_row)
    return [slice(i, i + step) for i in range(0, x.shape[0] if n is None else n, step)]


def _blocks(x: np.ndarray, rows: np.ndarray | None) -> Iterator[np.ndarray]:
    """``x[rows]`` (all of ``x`` when ``rows`` is None), one float64 block at a time."""
    for block in _row_blocks(x, None if rows is None else len(rows)):
        yield (x[block] if rows is None else x[rows[block]]).astype(np.float64)


def _mean_std(x: np.ndarray, axes: tuple[int, ...], rows: np.ndarray | None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature (or per-channel) mean and standard deviation of ``x[rows]`` in float64,
    two passes over blocks of rows."""
    count = (x.shape[0] if rows is None else len(rows)) * (x[0].size // x.shape[1])
    mean = np.asarray(sum(b.sum(axis=axes) for b in _blocks(x, rows))) / count
    shaped = mean.reshape((1, -1) if x.ndim == 2 else (1, -1, 1, 1))

    def squares(block: np.ndarray) -> np.ndarray:
        block -= shaped
        return np.square(block, out=block)

    total = sum(squares(b).sum(axis=axes) for b in _blocks(x, rows))
    return mean, np.sqrt(np.asarray(total) / count)


class Scaler:
    """Per-feature (tables) or per-channel (images) affine scaling of inputs."""

    def __init__(self, kind: ScalerKind = "standardize") -> None:
        if kind not in SCALER_KINDS:
            raise DatasetError(f"Unknown scaling '{kind}' (use none, standardize or minmax).")
        self.kind: ScalerKind = kind
        self.offset: np.ndarray | None = None  # (F,) or (C,) float64
        self.scale: np.ndarray | None = None

    @property
    def fitted(self) -> bool:
        return self.kind == "none" or self.offset is not None

    def fit(self, x: np.ndarray, rows: np.ndarray | None = None) -> Scaler:
        """Learn offset and scale from ``x[rows]`` (the TRAINING inputs only; ``rows``
        default: all of ``x``); returns self."""
        if self.kind == "none":
            return self
        axes = _reduce_axes(x)
        if (x.shape[0] if rows is None else len(rows)) == 0:
            raise DatasetError("A scaler cannot be fitted on zero samples.")
        if self.kind == "standardize":
            offset, spread = _mean_std(x, axes, rows)
        else:
            offset = np.min([b.min(axis=axes) for b in _blocks(x, rows)], axis=0)
            spread = np.max([b.max(axis=axes) for b in _blocks(x, rows)], axis=0) - offset
        self.offset = offset
        self.scale = np.where(spread > 1e-12, spread, 1.0)
        return self

    def _shaped(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.offset is None or self.scale is None:
            raise DatasetError("The scaler must be fitted on the training data before use.")
        shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
        _reduce_axes(x)
        if x.shape[1] != self.offset.shape[0]:
            raise DatasetError(
                f"The scaler was fitted on {self.offset.shape[0]} features or channels, "
                f"but the data have {x.shape[1]}."
            )
        return self.offset.reshape(shape), self.scale.reshape(shape)

    def transform(self, x: np.ndarray) -> np.ndarray:
        """x: (N, F) or (N, C, H, W) -> scaled float32 array of the same shape (new)."""
        if self.kind == "none":
            return np.asarray(x, dtype=np.float32)
        return self._scale_into(x, np.empty(x.shape, np.float32))

    def scale_in_place(self, x: np.ndarray) -> np.ndarray:
        """Scale the writable float32 array ``x`` (N, F) or (N, C, H, W) where it lies, to
        exactly what ``transform`` gives; returns ``x``."""
        if self.kind == "none":
            return x
        return self._scale_into(x, x)

    def _scale_into(self, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        offset, scale = self._shaped(x)
        for rows in _row_blocks(x):  # float64 arithmetic per block, float32 result only
            wide = x[rows].astype(np.float64)  # converted first: ufuncs mixing float32 and
            wide -= offset                     # float64 arrays cast through small buffers,
            wide /= scale                      # 8x slower
            out[rows] = wide
        return out

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform` (e.g. to show inputs in their original units)."""
        if self.kind == "none":
            return np.asarray(x, dtype=np.float32)
        offset, scale = self._shaped(x)
        out = np.empty(x.shape, np.float32)
        for rows in _row_blocks(x):
            wide = x[rows].astype(np.float64)
            wide *= scale
            wide += offset
            out[rows] = wide
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able state: ``{"kind", "offset", "scale"}`` (lists of floats, or None)."""
        return {
            "kind": self.kind,
            "offset": None if self.offset is None else [float(v) for v in self.offset],
            "scale": None if self.scale is None else [float(v) for v in self.scale],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scaler:
        """Rebuild a scaler saved by :meth:`to_dict`."""
        try:
            scaler = cls(d["kind"])
            offset, scale = d.get("offset"), d.get("scale")
        except (KeyError, TypeError, AttributeError) as exc:
            raise DatasetError("The saved scaler has no valid 'kind'.") from exc
        if (offset is None) != (scale is None):
            raise DatasetError("The saved scaler has an offset without a scale or vice versa.")
        if offset is not None and scale is not None:
            try:
                off = np.asarray(offset, dtype=np.float64)
                sc = np.asarray(scale, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise DatasetError("The saved scaler's offset and scale must be numbers.") from exc
            if off.ndim != 1 or off.shape != sc.shape or not np.all(np.isfinite(off)):
                raise DatasetError(
                    "The saved scaler's offset and scale must be equal-length lists."
                )
            if not np.all(np.isfinite(sc)) or np.any(sc <= 0):
                raise DatasetError("The saved scaler's scale values must be positive numbers.")
            scaler.offset, scaler.scale = off, sc
        return scaler


def scale_split(split: Split, kind: ScalerKind) -> tuple[Split, Scaler]:
    """Fit a scaler on ``split.train`` and apply it to every part."""
    scaler = Scaler(kind).fit(split.train.x)

    def apply(part: Any) -> Any:
        return None if part is None else part.with_x(scaler.transform(part.x))

    scaled = dataclasses.replace(
        split, train=apply(split.train), val=apply(split.val), test=apply(split.test)
    )
    return scaled, scaler


def saved_or_fitted_scaler(kind: str, preprocessing: Any, x: np.ndarray,
                           rows: np.ndarray | None = None) -> Scaler:
    """The project's saved scaler if it is of ``kind`` and fits ``x``, else a new one
    fitted on ``x[rows]`` (the training split; ``rows`` default: all of ``x``). Raises
    DatasetError for an unknown kind.

    A trained project keeps the scaler its weights were trained with, so continuing training
    (or stepping through backprop) sees the inputs scaled the same way.
    """
    saved = preprocessing.get("scaler") if isinstance(preprocessing, dict) else None
    if isinstance(saved, dict) and saved.get("kind") == kind:
        try:
            scaler = Scaler.from_dict(saved)
            scaler.transform(x[:1])
            return scaler
        except DatasetError:
            pass  # saved for other data: fit anew
    return Scaler(kind).fit(x, rows)  # type: ignore[arg-type]
