"""Max and average pooling over kh×kw windows of NCHW images (no parameters).

Both loop over the kh·kw kernel offsets and work on whole strided views of the input
(see ``windows.py``). Max pooling keeps, per output, the index of the *first* maximal
offset (as PyTorch does on ties), and routes the gradient to that input only. Average
pooling divides by kh·kw, counting zero padding (PyTorch's ``count_include_pad=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnstudio.engine.base import Array, Layer, pair
from nnstudio.engine.windows import channels_first, offset_view, output_size, pad, unpad


class _Pool2D(Layer):
    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")
        self.padding = pair(padding, "padding")
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        if min(self.kernel_size) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError("Kernel size and stride must be positive and padding not negative.")
        if ph > kh // 2 or pw > kw // 2:
            raise ValueError("Pooling padding may be at most half the kernel size.")
        self._x_shape: tuple[int, ...] = ()
        self._xp: Array | None = None

    def _geometry(self, x: Array) -> tuple[int, int]:
        if x.ndim != 4:
            raise ValueError(f"Pooling expects input (N, C, H, W), not {x.shape}.")
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        self._x_shape = x.shape
        return output_size(x.shape[2], kh, sh, ph), output_size(x.shape[3], kw, sw, pw)

    def _offsets(self) -> list[tuple[int, int]]:
        kh, kw = self.kernel_size
        return [(i, j) for i in range(kh) for j in range(kw)]

    def _zeros_padded(self, dtype: np.dtype[Any]) -> Array:
        n, c, h, w = self._x_shape
        ph, pw = self.padding
        return channels_first((n, c, h + 2 * ph, w + 2 * pw), 0.0, dtype)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kernel_size={self.kernel_size}, stride={self.stride}, "
            f"padding={self.padding})"
        )


class MaxPool2D(_Pool2D):
    """``x: (N, C, H, W)`` → ``y: (N, C, ho, wo)``, the maximum of each window.

    Padding counts as −∞. Stride defaults to the kernel size.
    """

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__(kernel_size, stride, padding)
        self._argmax: Array | None = None

    def forward(self, x: Array, training: bool = True) -> Array:
        ho, wo = self._geometry(x)
        (sh, sw), (ph, pw) = self.stride, self.padding
        xp = pad(x, ph, pw, -np.inf, self._xp)
        if xp is not x:
            self._xp = xp
        offsets = self._offsets()
        y = offset_view(xp, 0, 0, ho, wo, sh, sw).copy(order="K")
        index_type = np.uint8 if len(offsets) < 256 else np.int32
        argmax = np.zeros_like(y, dtype=index_type)
        greater = np.empty_like(y, dtype=bool)
        candidate = np.empty_like(y, dtype=index_type)
        for k, (i, j) in enumerate(offsets[1:], start=1):
            v = offset_view(xp, i, j, ho, wo, sh, sw)
            np.greater(v, y, out=greater)  # strictly greater: the first maximum wins
            np.maximum(y, v, out=y)
            # offsets come in increasing k, so the winner is the largest k that improved
            np.multiply(greater, index_type(k), out=candidate)
            np.maximum(argmax, candidate, out=argmax)
        self._argmax = argmax
        return y

    def backward(self, dy: Array) -> Array:
        """dL/dx is dy at the first maximal input of each window, 0 elsewhere."""
        assert self._argmax is not None, "backward called before forward"
        (sh, sw), (ph, pw) = self.stride, self.padding
        ho, wo = dy.shape[2], dy.shape[3]
        dxp = self._zeros_padded(dy.dtype)
        disjoint = self.stride[0] >= self.kernel_size[0] and self.stride[1] >= self.kernel_size[1]
        chosen = np.empty_like(self._argmax, dtype=bool)
        for k, (i, j) in enumerate(self._offsets()):
            view = offset_view(dxp, i, j, ho, wo, sh, sw)
            np.equal(self._argmax, k, out=chosen)
            if disjoint:  # windows do not overlap: write straight into the gradient
                np.multiply(dy, chosen, out=view)
            else:
                view += dy * chosen
        return unpad(dxp, ph, pw)


class AvgPool2D(_Pool2D):
    """``x: (N, C, H, W)`` → ``y: (N, C, ho, wo)``, the mean of each kh×kw window.

    Padding counts as zeros and the divisor is always kh·kw. Stride defaults to the kernel.
    """

    def forward(self, x: Array, training: bool = True) -> Array:
        ho, wo = self._geometry(x)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        xp = pad(x, ph, pw, 0.0, self._xp)
        if xp is not x:
            self._xp = xp
        y = offset_view(xp, 0, 0, ho, wo, sh, sw).copy(order="K")
        for i, j in self._offsets()[1:]:
            y += offset_view(xp, i, j, ho, wo, sh, sw)
        y *= x.dtype.type(1.0 / (kh * kw))
        return y

    def backward(self, dy: Array) -> Array:
        """Each input in a window receives dy / (kh·kw)."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        ho, wo = dy.shape[2], dy.shape[3]
        share = dy * dy.dtype.type(1.0 / (kh * kw))
        dxp = self._zeros_padded(dy.dtype)
        for i, j in self._offsets():
            view = offset_view(dxp, i, j, ho, wo, sh, sw)
            view += share
        return unpad(dxp, ph, pw)
