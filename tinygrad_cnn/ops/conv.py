"""Convolution and its two partners, the transposed convolution and the weight gradient.

Shape letters, used in the comments of the conv and pool ops: N batch, C input channels,
O output channels, G groups, Cg = C / G and Og = O / G channels per group, H×W input,
kH×kW kernel, oH×oW output, P = oH·oW output positions, K = Cg·kH·kW values per window.

The ops are 2-D (conv1d is conv2d on a unit height) and take their geometry per spatial
dim: stride (sH, sW), padding ((top, bottom), (left, right)), dilation (dH, dW), and groups.
Each op's VJP is made of the three, so every derivative of a convolution, to any order, is
again one of them:

    y = conv(x, w)                 gx = conv_transpose(gy, w)    gw = conv_weight_grad(x, gy)
    y = conv_transpose(x, w)       gx = conv(gy, w)              gw = conv_weight_grad(gy, x)
    gw = conv_weight_grad(x, g)    gx = conv_transpose(g, ggw)   gg = conv(x, ggw)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.autograd import Context, Function
from tinygrad_cnn.ops import conv_unit_stride as flat
from tinygrad_cnn.ops.windows import (
    Pair,
    Pairs,
    batch_first,
    batch_last,
    canvas_size,
    col2im,
    im2col,
    image_col2im,
    image_windows,
)
from tinygrad_cnn.shapes import transposed_output_size, window_output_size

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


# Stride-1 convs of images at least this large (C·H·W per sample) run on flattened images
# (`conv_unit_stride`): fewer and smaller copies, and taller products, than im2col. Smaller
# images go through im2col, whose batch-innermost layout keeps their short rows streaming.
UNIT_STRIDE_MIN_SIZE = 2048


# Other convs with at least this many windows per image (oH·oW) run image by image
# (`image_windows`): one product per image, no batch transposes. With fewer, the per-image
# products are too small for BLAS and im2col's batch-innermost columns win (LeNet's second
# conv, 8×8 windows, is 2x faster that way; its first, 24×24, 2x slower).
PER_IMAGE_MIN_WINDOWS = 256


def unit_stride(x: np.ndarray, stride: Pair) -> bool:
    """Whether a conv with this input and stride runs on flattened images."""
    return stride == (1, 1) and math.prod(x.shape[1:]) >= UNIT_STRIDE_MIN_SIZE


def per_image(windows: Pair) -> bool:
    """Whether a conv with an (oH, oW) grid of windows runs image by image."""
    return windows[0] * windows[1] >= PER_IMAGE_MIN_WINDOWS


def to_rows(x: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, h, w) -> (G, Cg, h·w·N): one row per channel, batch innermost as in im2col."""
    return batch_last(x, ((0, 0), (0, 0))).reshape(groups, x.shape[1] // groups, -1)


def from_rows(y: np.ndarray, N: int, out: Pair) -> np.ndarray:
    """(G, Og, P·N) -> (N, O, oH, oW), contiguous."""
    return batch_first(y.reshape(y.shape[0] * y.shape[1], *out, N))


# A batch is convolved in chunks of images whose window columns fit in this many bytes: the
# products then run from cache, and no temporary is big enough for glibc to map it fresh (and
# page-fault it in) on every call. LeNet's convs at batch 1000: 2x faster than unchunked;
# 1 MiB beat 4 MiB by 10% on LeNet-5 inference and matched it on training.
CHUNK_BYTES = 2**20


def window_values(channels: int, kernel: Pair, windows: Pair) -> int:
    """The im2col column values of one image: channels · kH · kW per window, oH · oW windows."""
    return channels * kernel[0] * kernel[1] * windows[0] * windows[1]


def batch_chunks(x: np.ndarray, values_per_image: int, budget: int | None = None) -> list[slice]:
    """Slices of the batch, each holding at most `budget` (default CHUNK_BYTES) bytes of window
    columns, and at least one image."""
    budget = CHUNK_BYTES if budget is None else budget
    step = max(1, budget // max(1, values_per_image * x.itemsize))
    return [slice(start, start + step) for start in range(0, x.shape[0], step)]


def conv(
    x: np.ndarray, w: np.ndarray, stride: Pair, padding: Pairs, dilation: Pair, groups: int,
    out: Pair,
) -> np.ndarray:
    """conv2d on arrays: (N, C, H, W), (O, Cg, kH, kW) -> (N, O, oH, oW), by the path that
    suits the shapes (flattened images, per-image windows, or batch-innermost im2col)."""
    if unit_stride(x, stride):
        return flat.conv(x, w, padding, dilation, groups)
    kernel = w.shape[2:]
    w_rows = w.reshape(groups, w.shape[0] // groups, -1)  # (G, Og, K)
    if per_image(out):
        cols = image_windows(x, kernel, stride, padding, dilation, groups, out)  # (N, G, K, P)
        return (w_rows @ cols).reshape(x.shape[0], w.shape[0], *out)  # (N, G, Og, P)
    cols = im2col(x, kernel, stride, padding, dilation, groups, out)  # (G, K, P·N)
    return from_rows(w_rows @ cols, x.shape[0], out)  # (G, Og, P·N)


def conv_transpose(
    x: np.ndarray, w: np.ndarray, stride: Pair, padding: Pairs, output_padding: Pair,
    dilation: Pair, groups: int, size: Pair,
) -> np.ndarray:
    """conv_transpose2d on arrays: (N, C, h, w), (C, Og, kH, kW) -> (N, G·Og, *size)."""
    N, _, h, wd = x.shape
    C, Og, kH, kW = w.shape
    if unit_stride(x, stride):
        return flat.conv_transpose(x, w, padding, output_padding, dilation, groups)
    geometry = ((N, groups * Og, *size), np.result_type(x, w), (kH, kW), stride, padding,
                dilation, (h, wd))
    rows = kernel_rows(w, groups)  # (kH, G, Og·kW, Cg)
    if per_image((h, wd)):
        x = x.reshape(N, groups, C // groups, h * wd)
        return image_col2im((row @ x for row in rows), *geometry)  # (N, G, Og·kW, h·w) each
    x = to_rows(x, groups)
    return col2im((row @ x for row in rows), *geometry)  # (G, Og·kW, h·w·N) each


def kernel_rows(w: np.ndarray, groups: int) -> np.ndarray:
    """A transposed conv's weight (C, Og, kH, kW) as a matrix per kernel row and group,
    (kH, G, Og·kW, Cg): row i's product with the input gives the columns of taps (i, ·)."""
    C, Og, kH, kW = w.shape
    w = w.reshape(groups, C // groups, Og, kH, kW).transpose(3, 0, 2, 4, 1)
    return np.ascontiguousarray(w).reshape(kH, groups, Og * kW, C // groups)


def weight_grad(
    x: np.ndarray, gy: np.ndarray, kernel: Pair, stride: Pair, padding: Pairs, dilation: Pair,
    groups: int,
) -> np.ndarray:
    """dL/dw of conv2d on arrays: (N, C, H, W), (N, O, oH, oW) -> (O, Cg, kH, kW)."""
    if unit_stride(x, stride):
        return flat.weight_grad(x, gy, kernel, padding, dilation, groups)
    out, Cg = gy.shape[2:], x.shape[1] // groups
    if per_image(out):  # Σ over images of (Og, P) @ (P, K), one small product each
        cols = image_windows(x, kernel, stride, padding, dilation, groups, out)
        gy_rows = gy.reshape(gy.shape[0], groups, -1, out[0] * out[1])  # (N, G, Og, P)
        return (gy_rows @ cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(-1, Cg, *kernel)
    cols = im2col(x, kernel, stride, padding, dilation, groups, out)  # (G, K, P·N)
    gw = cols @ to_rows(gy, groups).transpose(0, 2, 1)  # (G, K, Og): BLAS prefers it so
    return gw.transpose(0, 2, 1).reshape(-1, Cg, *kernel)


def fitting_output_padding(size: Pair, out: Pair, kernel: Pair, geometry: dict[str, Any]) -> Pair:
    """The output_padding with which conv_transpose maps an `out`-sized input back to `size`:
    the trailing rows and columns of the padded input that a strided conv leaves unread."""
    reach = canvas_size(out, kernel, geometry["stride"], geometry["dilation"])
    return tuple(n + b + a - r for n, (b, a), r in zip(size, geometry["padding"], reach))


def _crop(t: Tensor, size: Pair) -> Tensor:
    """The leading `size` of t's spatial dims (a conv may see a few trailing pixels more)."""
    return t if t.shape[2:] == tuple(size) else t[:, :, : size[0], : size[1]]


class Convolution(Function):
    """y[n, o, h, w] = Σ_c,i,j w[o, c, i, j] x_pad[n, g Cg + c, sH h + dH i, sW w + dW j]."""

    name = "conv2d"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, w: np.ndarray, *, stride: Pair, padding: Pairs,
        dilation: Pair, groups: int,
    ) -> np.ndarray:
        ctx.save_for_backward(x, w)
        out = window_output_size("conv2d", x.shape[2:], w.shape[2:], stride, padding, dilation)
        y = np.empty((x.shape[0], w.shape[0], *out), dtype=np.result_type(x, w))
        for part in batch_chunks(x, window_values(x.shape[1], w.shape[2:], out)):
            y[part] = conv(x[part], w, stride, padding, dilation, groups, out)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        geometry = ctx.attrs
        gx = gw = None
        if ctx.needs_input_grad[0]:  # dx = conv_transpose(gy, w), sized back to x
            extra = fitting_output_padding(x.shape[2:], grad.shape[2:], w.shape[2:], geometry)
            gx = ConvTranspose.apply(grad, w, output_padding=extra, **geometry)
        if ctx.needs_input_grad[1]:  # dw = Σ over windows of gy ⊗ window
            gw = ConvWeightGrad.apply(x, grad, kernel_size=w.shape[2:], **geometry)
        return gx, gw


class ConvTranspose(Function):
    """y = conv_transpose(x, w): x[n, c, h, w] · w[c, o, i, j] is added at output position
    (sH h + dH i - top, sW w + dW j - left); the adjoint of `Convolution` in its input."""

    name = "conv_transpose2d"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, w: np.ndarray, *, stride: Pair, padding: Pairs,
        output_padding: Pair, dilation: Pair, groups: int,
    ) -> np.ndarray:
        ctx.save_for_backward(x, w)
        (_, Og, kH, kW), (h, wd) = w.shape, x.shape[2:]
        size = transposed_output_size("conv_transpose2d", (h, wd), (kH, kW), stride, padding,
                                      output_padding, dilation)
        y = np.empty((x.shape[0], groups * Og, *size), dtype=np.result_type(x, w))
        # 4x bigger chunks: col2im runs a Python-level loop over the kH·kW taps per chunk
        values = window_values(groups * Og, (kH, kW), (h, wd))
        for part in batch_chunks(x, values, 4 * CHUNK_BYTES):
            y[part] = conv_transpose(x[part], w, stride, padding, output_padding, dilation,
                                     groups, size)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        geometry = {k: v for k, v in ctx.attrs.items() if k != "output_padding"}
        gx = gw = None
        if ctx.needs_input_grad[0]:  # dx = conv(gy, w)
            gx = _crop(Convolution.apply(grad, w, **geometry), x.shape[2:])
        if ctx.needs_input_grad[1]:  # dw: gy plays the conv's input, x its output gradient
            gw = ConvWeightGrad.apply(grad, x, kernel_size=w.shape[2:], **geometry)
        return gx, gw


class ConvWeightGrad(Function):
    """gw[o, c, i, j] = Σ_n,h,w gy[n, o, h, w] x_pad[n, g Cg + c, sH h + dH i, sW w + dW j]."""

    name = "conv2d_weight_grad"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, gy: np.ndarray, *, kernel_size: Pair, stride: Pair,
        padding: Pairs, dilation: Pair, groups: int,
    ) -> np.ndarray:
        ctx.save_for_backward(x, gy)
        Cg = x.shape[1] // groups
        gw = np.zeros((gy.shape[1], Cg, *kernel_size), dtype=np.result_type(x, gy))
        for part in batch_chunks(x, window_values(x.shape[1], kernel_size, gy.shape[2:])):
            gw += weight_grad(x[part], gy[part], kernel_size, stride, padding, dilation, groups)
        return gw

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, gy = ctx.saved_tensors
        geometry = {k: v for k, v in ctx.attrs.items() if k != "kernel_size"}
        kernel = ctx.attrs["kernel_size"]
        gx = ggy = None
        if ctx.needs_input_grad[0]:  # linear in x through the windows: conv_transpose(gy, g)
            extra = fitting_output_padding(x.shape[2:], gy.shape[2:], kernel, geometry)
            gx = ConvTranspose.apply(gy, grad, output_padding=extra, **geometry)
        if ctx.needs_input_grad[1]:  # linear in gy: the conv of x with g
            ggy = _crop(Convolution.apply(x, grad, **geometry), gy.shape[2:])
        return gx, ggy
