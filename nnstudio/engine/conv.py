"""2-D convolution (cross-correlation, as in PyTorch) on NCHW images via im2col.

Forward, with K = C·kh·kw and P = N·ho·wo output positions:
    cols[c, i, j, n, y, x] = xp[n, c, y·sh + i, x·sw + j]        (one copy per offset i, j)
    out = W.reshape(O, K) @ cols.reshape(K, P) + b                (one matrix product)
Backward:
    dW = dy.reshape(O, P) @ colsᵀ,  db = Σ_P dy,  dcols = Wᵀ @ dy,  dx = col2im(dcols)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from nnstudio.engine.base import Array, Layer, check_float_dtype, pair, resolve_rng
from nnstudio.engine.init import init_weight_and_bias
from nnstudio.engine.windows import offset_view, output_size, pad, unpad


class Conv2D(Layer):
    """``x: (N, in_channels, H, W)`` → ``y: (N, out_channels, ho, wo)``.

    ``weight: (out_channels, in_channels, kh, kw)``, ``bias: (out_channels,)``;
    ho = ⌊(H + 2·ph − kh) / sh⌋ + 1 (same for wo).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        *,
        init: str = "default",
        bias_init: str | None = None,
        dtype: DTypeLike = np.float32,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if in_channels < 1 or out_channels < 1:
            raise ValueError("A convolution needs at least one input and one output channel.")
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError("Kernel size and stride must be positive and padding not negative.")
        kh, kw = self.kernel_size
        w, b = init_weight_and_bias(
            (self.out_channels, self.in_channels, kh, kw),
            self.in_channels * kh * kw,
            self.out_channels * kh * kw,
            init,
            bias_init,
            resolve_rng(rng),
            check_float_dtype(dtype),
        )
        self._add_param("weight", w)
        if bias:
            self._add_param("bias", b)
        self._cols: Array | None = None
        self._xp: Array | None = None
        self._x_shape: tuple[int, ...] = ()

    def forward(self, x: Array, training: bool = True) -> Array:
        """``x: (N, C, H, W)`` → ``(N, O, ho, wo)`` (stored channel-major, a transposed view)."""
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"Conv2D expects input (batch, {self.in_channels}, height, width), got {x.shape}."
            )
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        ho, wo = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
        xp = pad(x, ph, pw, 0.0, self._xp)
        if xp is not x:
            self._xp = xp
        xp_cn = xp.transpose(1, 0, 2, 3)  # (C, N, Hp, Wp)
        shape = (c, kh, kw, n, ho, wo)
        cols = self._cols
        if cols is None or cols.shape != shape or cols.dtype != x.dtype:
            cols = np.empty(shape, dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[:, i, j] = offset_view(xp_cn, i, j, ho, wo, sh, sw)
        self._cols = cols
        self._x_shape = x.shape
        o = self.out_channels
        y = self.params["weight"].reshape(o, -1) @ cols.reshape(c * kh * kw, -1)  # (O, P)
        if "bias" in self.params:
            y += self.params["bias"][:, None]
        return y.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)

    def backward(self, dy: Array) -> Array:
        """``dy: (N, O, ho, wo)`` → ``dx: (N, C, H, W)`` (channel-major view)."""
        assert self._cols is not None, "backward called before forward"
        n, c, h, w = self._x_shape
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        o, ho, wo = self.out_channels, dy.shape[2], dy.shape[3]
        cols = self._cols.reshape(c * kh * kw, -1)  # (K, P)
        dy2 = dy.transpose(1, 0, 2, 3).reshape(o, -1)  # (O, P)
        weight = self.params["weight"]
        self.grads["weight"] += (dy2 @ cols.T).reshape(weight.shape)
        if "bias" in self.grads:
            self.grads["bias"] += np.add.reduce(dy2, axis=1)
        if not self.input_grad:
            return np.zeros(self._x_shape, dtype=dy.dtype)
        dcols = (weight.reshape(o, -1).T @ dy2).reshape(c, kh, kw, n, ho, wo)
        dxp = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=dy.dtype)  # channel-major
        for i in range(kh):
            for j in range(kw):
                view = offset_view(dxp, i, j, ho, wo, sh, sw)
                view += dcols[:, i, j]
        return unpad(dxp.transpose(1, 0, 2, 3), ph, pw)

    def __repr__(self) -> str:
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding})"
        )
