"""Sliding-window helpers shared by convolution and pooling (NCHW images).

A window at kernel offset (i, j) over all output positions is the strided view
``xp[:, :, i : i + sh·(ho-1) + 1 : sh, j : j + sw·(wo-1) + 1 : sw]`` of the padded input:
looping over the kh·kw offsets (never over pixels or batch items) touches every window.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.engine.base import Array


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output length along one axis: ⌊(size + 2·padding − kernel) / stride⌋ + 1."""
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ValueError(
            f"The window ({kernel}) is larger than the padded input ({size + 2 * padding})."
        )
    return out


def offset_view(xp: Array, i: int, j: int, ho: int, wo: int, sh: int, sw: int) -> Array:
    """View of ``xp: (N, C, Hp, Wp)`` at kernel offset (i, j): ``(N, C, ho, wo)``."""
    return xp[:, :, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw]


def channels_first(shape: tuple[int, ...], fill: float, dtype: np.dtype[Any]) -> Array:
    """A new ``(N, C, H, W)`` array filled with ``fill``, stored channel-major
    (memory order C, N, H, W) so that per-channel slabs of all images are contiguous."""
    n, c, h, w = shape
    return np.full((c, n, h, w), fill, dtype=dtype).transpose(1, 0, 2, 3)


def pad(x: Array, ph: int, pw: int, value: float, buffer: Array | None) -> Array:
    """``x: (N, C, H, W)`` surrounded by ``value``: ``(N, C, H+2ph, W+2pw)`` (channel-major).

    Reuses ``buffer`` when it has the right shape and dtype (its border already holds
    ``value`` because only the interior is ever written).
    """
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    shape = (n, c, h + 2 * ph, w + 2 * pw)
    if buffer is None or buffer.shape != shape or buffer.dtype != x.dtype:
        buffer = channels_first(shape, value, x.dtype)
    buffer[:, :, ph : ph + h, pw : pw + w] = x
    return buffer


def unpad(dxp: Array, ph: int, pw: int) -> Array:
    """Crop the gradient of a padded input back to ``(N, C, H, W)`` (a view)."""
    if ph == 0 and pw == 0:
        return dxp
    return dxp[:, :, ph : dxp.shape[2] - ph, pw : dxp.shape[3] - pw]
