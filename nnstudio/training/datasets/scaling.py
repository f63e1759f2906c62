"""Input scaling fitted on the training split only, and stored in the project as JSON.

Tables ``(N, F)`` are scaled per feature; images ``(N, C, H, W)`` per channel (one offset
and scale for all pixels of a channel, so spatial patterns are kept). The transform is
``(x - offset) / scale``: standardize uses the mean and standard deviation, minmax the
minimum and range (training data then spans 0..1). Constant features get scale 1.
"""

from __future__ import annotations

import dataclasses
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


_BLOCK_VALUES = 1 << 20
"""Values per block of rows: the float64 arithmetic of fitting and scaling needs
temporaries of one block, never of the whole table (8 MB instead of twice its size)."""


def _row_blocks(x: np.ndarray) -> list[slice]:
    """Slices of consecutive rows of about ``_BLOCK_VALUES`` values each."""
    per_row = max(1, int(np.prod(x.shape[1:])))
    step = max(1, _BLOCK_VALUES // per_row)
    return [slice(i, i + step) for i in range(0, x.shape[0], step)]


def _mean_std(x: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature (or per-channel) mean and standard deviation in float64, two passes
    over blocks of rows."""
    count = x.size // x.shape[1]
    total = sum(x[rows].sum(axis=axes, dtype=np.float64) for rows in _row_blocks(x))
    mean = np.asarray(total) / count
    shaped = mean.reshape((1, -1) if x.ndim == 2 else (1, -1, 1, 1))
    squares = sum(np.square(x[rows] - shaped).sum(axis=axes) for rows in _row_blocks(x))
    return mean, np.sqrt(np.asarray(squares) / count)


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

    def fit(self, x: np.ndarray) -> Scaler:
        """Learn offset and scale from ``x`` (the TRAINING inputs only); returns self."""
        if self.kind == "none":
            return self
        axes = _reduce_axes(x)
        if x.shape[0] == 0:
            raise DatasetError("A scaler cannot be fitted on zero samples.")
        if self.kind == "standardize":
            offset, spread = _mean_std(x, axes)
        else:
            offset = x.min(axis=axes).astype(np.float64)
            spread = x.max(axis=axes).astype(np.float64) - offset
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
        """x: (N, F) or (N, C, H, W) -> scaled float32 array of the same shape."""
        if self.kind == "none":
            return np.asarray(x, dtype=np.float32)
        offset, scale = self._shaped(x)
        out = np.empty(x.shape, np.float32)
        for rows in _row_blocks(x):  # float64 arithmetic per block, float32 result only
            out[rows] = (x[rows] - offset) / scale
        return out

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        """Undo :meth:`transform` (e.g. to show inputs in their original units)."""
        if self.kind == "none":
            return np.asarray(x, dtype=np.float32)
        offset, scale = self._shaped(x)
        out = np.empty(x.shape, np.float32)
        for rows in _row_blocks(x):
            out[rows] = x[rows] * scale + offset
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


def saved_or_fitted_scaler(kind: str, preprocessing: Any, train_x: np.ndarray) -> Scaler:
    """The project's saved scaler if it is of ``kind`` and fits ``train_x``, else a new one
    fitted on ``train_x`` (the training split). Raises DatasetError for an unknown kind.

    A trained project keeps the scaler its weights were trained with, so continuing training
    (or stepping through backprop) sees the inputs scaled the same way.
    """
    saved = preprocessing.get("scaler") if isinstance(preprocessing, dict) else None
    if isinstance(saved, dict) and saved.get("kind") == kind:
        try:
            scaler = Scaler.from_dict(saved)
            scaler.transform(train_x[:1])
            return scaler
        except DatasetError:
            pass  # saved for other data: fit anew
    return Scaler(kind).fit(train_x)  # type: ignore[arg-type]
