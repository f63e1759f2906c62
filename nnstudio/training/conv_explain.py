"""The arithmetic of one convolution or pooling node, cell by cell, with real numbers.

The explainer recomputes every output cell of one output map by its own sums (float64),
independently of the engine's im2col code, so a student can read each number:

    conv: out[o, r, c] = Σ_ch Σ_i,j xp[ch, r·S + i, c·S + j] · W[o, ch, i, j] + b[o]
    max:  out[ch, r, c] = max over the window (padding is −∞; the first maximum wins)
    avg:  out[ch, r, c] = Σ window / (kh·kw) (padding counts as 0, as in PyTorch)

where xp is the input padded with P cells on each side. One input channel is shown; a
convolution over several channels adds the other channels' sums as one number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnstudio.engine.base import Layer
from nnstudio.engine.conv import Conv2D
from nnstudio.engine.pooling import AvgPool2D, MaxPool2D

Kind = Literal["conv", "max", "avg"]


def size_arithmetic(size: int, kernel: int, stride: int, padding: int) -> str:
    """The output-size formula with these numbers, e.g.
    ``(8 − 3 + 2·1) / 1 + 1 = 8``; with a remainder ``⌊(8 − 3 + 2·0) / 2⌋ + 1 = 3``."""
    top = size - kernel + 2 * padding
    out = top // stride + 1
    formula = f"({size} − {kernel} + 2·{padding}) / {stride}"
    if stride == 1:
        return f"{formula} + 1 = {top} + 1 = {out}"
    if top % stride == 0:
        return f"{formula} + 1 = {top // stride} + 1 = {out}"
    return f"⌊{formula}⌋ + 1 = ⌊{top / stride:g}⌋ + 1 = {out}"


@dataclass(frozen=True)
class Geometry:
    """Input (height, width), kernel, stride and padding (each (h, w)), output size."""

    size: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]

    @property
    def output(self) -> tuple[int, int]:
        return (_out(self.size[0], self.kernel[0], self.stride[0], self.padding[0]),
                _out(self.size[1], self.kernel[1], self.stride[1], self.padding[1]))

    def lines(self) -> tuple[str, str]:
        """("height: …", "width: …") with the numbers of this node."""
        return (
            "height: " + size_arithmetic(self.size[0], self.kernel[0], self.stride[0],
                                         self.padding[0]),
            "width: " + size_arithmetic(self.size[1], self.kernel[1], self.stride[1],
                                        self.padding[1]))


def _out(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


@dataclass(frozen=True)
class Cell:
    """One output cell. ``top, left``: the window's corner in padded coordinates;
    ``window``: the shown channel's padded inputs ``(kh, kw)``; ``kernel``: the filter's
    weights for that channel ``(kh, kw)`` (None for pooling); ``shown_sum``: the shown
    channel's sum of products (pooling: the window's sum); ``other_channels``: the other
    input channels' sums; ``bias``; ``winner``: (i, j) of the first maximum (max pooling);
    ``value``: the output."""

    row: int
    col: int
    top: int
    left: int
    window: np.ndarray
    kernel: np.ndarray | None
    shown_sum: float
    other_channels: float
    bias: float
    winner: tuple[int, int] | None
    value: float


@dataclass(frozen=True)
class Explanation:
    """A node's arithmetic for one output map. ``padded``: the shown input channel with
    its padding ``(H + 2ph, W + 2pw)`` (pad cells hold ``pad_value``); ``kernel``: the
    shown filter slice ``(kh, kw)`` or None; ``output``: every cell's value ``(ho, wo)``;
    ``cells``: row-major, ``ho·wo`` of them."""

    kind: Kind
    geometry: Geometry
    in_channels: int
    channel: int
    out_channel: int
    padded: np.ndarray
    pad_value: float
    kernel: np.ndarray | None
    output: np.ndarray
    cells: tuple[Cell, ...]

    def cell(self, row: int, col: int) -> Cell:
        return self.cells[row * self.output.shape[1] + col]

    def is_padding(self, i: int, j: int) -> bool:
        """Whether padded position (i, j) is a padding cell, not an input."""
        (ph, pw), (h, w) = self.geometry.padding, self.geometry.size
        return not (ph <= i < ph + h and pw <= j < pw + w)


def _padded(x: np.ndarray, ph: int, pw: int, value: float) -> np.ndarray:
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (ph, ph), (pw, pw)),
                  constant_values=value)


def explain_conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                 stride: tuple[int, int], padding: tuple[int, int],
                 out_channel: int = 0, channel: int = 0) -> Explanation:
    """x: ``(C, H, W)`` one sample; weight: ``(O, C, kh, kw)``; bias: ``(O,)`` or None."""
    c, h, w = x.shape
    o, _, kh, kw = weight.shape
    _check(out_channel, o, "filter")
    _check(channel, c, "input channel")
    geo = Geometry((h, w), (kh, kw), stride, padding)
    ho, wo = geo.output
    xp = _padded(x, padding[0], padding[1], 0.0)
    filt = np.asarray(weight[out_channel], dtype=np.float64)
    b = 0.0 if bias is None else float(bias[out_channel])
    cells = []
    output = np.empty((ho, wo))
    for r in range(ho):
        for col in range(wo):
            top, left = r * stride[0], col * stride[1]
            windows = xp[:, top:top + kh, left:left + kw]
            sums = (windows * filt).sum(axis=(1, 2))
            shown = float(sums[channel])
            others = float(sums.sum() - sums[channel])
            value = float(sums.sum()) + b
            output[r, col] = value
            cells.append(Cell(r, col, top, left, windows[channel].copy(),
                              filt[channel], shown, others, b, None, value))
    return Explanation("conv", geo, c, channel, out_channel, xp[channel], 0.0,
                       filt[channel], output, tuple(cells))


def explain_pool(x: np.ndarray, kind: Literal["max", "avg"], kernel: tuple[int, int],
                 stride: tuple[int, int], padding: tuple[int, int],
                 channel: int = 0) -> Explanation:
    """x: ``(C, H, W)``; pooling works on each channel alone, so the output map is
    ``channel``'s."""
    c, h, w = x.shape
    _check(channel, c, "channel")
    kh, kw = kernel
    geo = Geometry((h, w), kernel, stride, padding)
    ho, wo = geo.output
    pad_value = -math.inf if kind == "max" else 0.0
    xp = _padded(x[channel:channel + 1], padding[0], padding[1], pad_value)[0]
    cells = []
    output = np.empty((ho, wo))
    for r in range(ho):
        for col in range(wo):
            top, left = r * stride[0], col * stride[1]
            window = xp[top:top + kh, left:left + kw].copy()
            total = float(window[np.isfinite(window)].sum())
            winner: tuple[int, int] | None = None
            if kind == "max":
                flat = int(np.argmax(window))  # the first maximum, as the engine
                winner = (flat // kw, flat % kw)
                value = float(window[winner])
            else:
                value = total / (kh * kw)
            output[r, col] = value
            cells.append(Cell(r, col, top, left, window, None, total, 0.0, 0.0, winner, value))
    return Explanation(kind, geo, c, channel, channel, xp, pad_value, None, output,
                       tuple(cells))


def explain_layer(layer: Layer, x: np.ndarray, channel: int = 0,
                  out_channel: int = 0) -> Explanation:
    """Dispatch on the engine layer (Conv2D, MaxPool2D, AvgPool2D); x: ``(C, H, W)``."""
    if isinstance(layer, Conv2D):
        bias = layer.params.get("bias")
        return explain_conv(x, layer.params["weight"], bias, layer.stride, layer.padding,
                            out_channel, channel)
    if isinstance(layer, MaxPool2D | AvgPool2D):
        kind: Literal["max", "avg"] = "max" if isinstance(layer, MaxPool2D) else "avg"
        return explain_pool(x, kind, layer.kernel_size, layer.stride, layer.padding, channel)
    raise ValueError(f"{type(layer).__name__} is not a convolution or pooling layer.")


def _check(index: int, count: int, what: str) -> None:
    if not 0 <= index < count:
        raise ValueError(f"There is no {what} {index + 1}: this node has {count}.")


def number(value: float, decimals: int = 2) -> str:
    """A number for an equation, with a true minus sign (−0.25) and no "−0.00"."""
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def _factor(value: float, decimals: int) -> str:
    text = number(value, decimals)
    return f"({text})" if text.startswith("−") else text


def cell_equation(exp: Explanation, cell: Cell, decimals: int = 2) -> list[str]:
    """The cell's arithmetic with its numbers, one or two lines, e.g.
    ``["0.31·(−0.12) + … = 0.66", "0.66 + bias 0.05 = 0.71"]`` (conv),
    ``["max(0.1, 0.7, …) = 0.7"]``, ``["(0.1 + 0.7 + …) / 4 = 0.4"]``."""
    kh, kw = cell.window.shape
    values = [float(cell.window[i, j]) for i in range(kh) for j in range(kw)]
    if exp.kind == "max":
        listed = ", ".join(number(v, decimals) for v in values)
        return [f"max({listed}) = {number(cell.value, decimals)}"]
    if exp.kind == "avg":
        listed = " + ".join(_factor(v, decimals) for v in values)
        return [f"({listed}) / {kh * kw} = {number(cell.value, decimals)}"]
    assert cell.kernel is not None
    terms = [f"{_factor(a, decimals)}·{_factor(k, decimals)}"
             for a, k in zip(values, cell.kernel.reshape(-1).tolist(), strict=True)]
    shown = number(cell.shown_sum, decimals)
    first = f"{' + '.join(terms)} = {shown}"
    rest = f"bias {_factor(cell.bias, decimals)}"
    if exp.in_channels > 1:
        first = f"channel {exp.channel + 1}: {first}"
        others = "channel" if exp.in_channels == 2 else f"{exp.in_channels - 1} channels"
        rest = f"other {others} {_factor(cell.other_channels, decimals)} + {rest}"
    return [first, f"{shown} + {rest} = {number(cell.value, decimals)}"]
