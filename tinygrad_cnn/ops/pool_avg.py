"""Average pooling and its adjoint; adaptive average and max pooling.

Shape letters and pooling attributes as in `ops/pool.py`. Average pooling is linear, so its
VJP is its adjoint (spread each gradient evenly over its window) and the adjoint's VJP is
average pooling again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function
from tinygrad_cnn.ops.movement import ScatterAdd
from tinygrad_cnn.ops.pool import both_sides, pool_output
from tinygrad_cnn.ops.windows import Pair, canvas_size, pad, tap

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def window_divisor(
    size: Pair, out: Pair, *, kernel_size: Pair, stride: Pair, padding: Pair,
    count_include_pad: bool, divisor_override: int | None, dtype: np.dtype,
) -> np.ndarray:
    """What each window's sum is divided by, (oH, oW), by PyTorch's rule.

    The window counts the padding (`count_include_pad`) but never the overhang of ceil mode
    beyond it; `divisor_override` replaces the count.
    """
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    counts = []
    for n, o, k, s, p in zip(size, out, kernel_size, stride, padding):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(np.maximum(end - start, 0))
    return np.maximum(np.outer(*counts), 1).astype(dtype)  # an empty window averages to 0


class AvgPool(Function):
    """y[n, c, h, w] = Σ of the window at (h, w) of x padded with zeros / divisor[h, w]."""

    name = "avg_pool2d"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, kernel_size: Pair, stride: Pair, padding: Pair,
        ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
    ) -> np.ndarray:
        size = x.shape[2:]
        out = pool_output("avg_pool2d", size, kernel_size, stride, padding, (1, 1), ceil_mode)
        reach = canvas_size(out, kernel_size, stride, (1, 1))
        canvas = pad(x, both_sides(padding), 0.0, size=reach)
        total = np.zeros((*x.shape[:2], *out), dtype=x.dtype)
        for i, j in np.ndindex(*kernel_size):
            total += tap(canvas, i, j, out, stride, (1, 1))
        divisor = window_divisor(size, out, kernel_size=kernel_size, stride=stride,
                                 padding=padding, count_include_pad=count_include_pad,
                                 divisor_override=divisor_override, dtype=x.dtype)
        total /= divisor
        return total

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return AvgPoolAdjoint.apply(grad, size=ctx.inputs[0].shape[2:], **ctx.attrs)


class AvgPoolAdjoint(Function):
    """gx = each g[n, c, h, w] / divisor[h, w] added over window (h, w): average pooling's VJP."""

    name = "avg_pool2d_backward"

    @staticmethod
    def forward(
        ctx: Context, g: np.ndarray, *, size: Pair, kernel_size: Pair, stride: Pair,
        padding: Pair, ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
    ) -> np.ndarray:
        out = g.shape[2:]
        share = g / window_divisor(size, out, kernel_size=kernel_size, stride=stride,
                                   padding=padding, count_include_pad=count_include_pad,
                                   divisor_override=divisor_override, dtype=g.dtype)
        height, width = (n + 2 * p for n, p in zip(size, padding))
        reach = canvas_size(out, kernel_size, stride, (1, 1))
        canvas = np.zeros((*g.shape[:2], max(height, reach[0]), max(width, reach[1])), g.dtype)
        for i, j in np.ndindex(*kernel_size):
            tap(canvas, i, j, out, stride, (1, 1))[...] += share
        (pH, pW), (H, W) = padding, size
        return canvas[:, :, pH : pH + H, pW : pW + W]

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        geometry = {k: v for k, v in ctx.attrs.items() if k != "size"}
        return AvgPool.apply(grad, **geometry)


def adaptive_windows(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each of the `o` adaptive windows over `n`: floor(i n / o) to
    ceil((i + 1) n / o), as PyTorch."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def averaging_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """The (o, n) matrix whose row i averages input window i."""
    start, end = adaptive_windows(n, o)
    columns = np.arange(n)
    inside = (columns >= start[:, None]) & (columns < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool(Function):
    """y[n, c] = A_H x[n, c] A_Wᵀ, A the averaging matrices of the adaptive windows."""

    name = "adaptive_avg_pool2d"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, output_size: Pair) -> np.ndarray:
        rows = averaging_matrix(x.shape[2], output_size[0], x.dtype)  # (oH, H)
        cols = averaging_matrix(x.shape[3], output_size[1], x.dtype)  # (oW, W)
        ctx.save_for_backward(rows, cols)
        return rows @ x @ cols.T

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        rows, cols = ctx.saved_tensors
        return rows.T @ grad @ cols  # y = A x Bᵀ  =>  dx = Aᵀ dy B


def adaptive_winners(x: np.ndarray, output_size: Pair) -> np.ndarray:
    """The flat plane index (h·W + w) of each adaptive window's first maximum, (N, C, oH, oW).

    Windows are gathered as (…, oH, oW, kH, kW) with the shorter ones filled by repeating
    their last row or column, which comes after the original in row-major order and so never
    wins a tie.
    """
    H, W = x.shape[2:]
    taps = []
    for n, o in zip((H, W), output_size):
        start, end = adaptive_windows(n, o)
        offsets = start[:, None] + np.arange((end - start).max())
        taps.append(np.minimum(offsets, end[:, None] - 1))  # (o, longest window)
    rows, cols = taps
    windows = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (N, C, oH, oW, kH, kW)
    k = windows.reshape(*windows.shape[:4], -1).argmax(axis=-1)
    i, j = np.divmod(k, cols.shape[1])
    oh, ow = np.ogrid[: output_size[0], : output_size[1]]
    return rows[oh, i] * W + cols[ow, j]


def _plane_index(winners: np.ndarray, width: int) -> tuple[np.ndarray, ...]:
    """x[index] picks x[n, c, h, w] at every winner (h, w) = divmod(winner, W)."""
    N, C = winners.shape[:2]
    n = np.arange(N).reshape(N, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1)
    return (n, c, *np.divmod(winners, width))


class AdaptiveMaxPool(Function):
    """y[n, c, h, w] = max of adaptive window (h, w) of x; ties go to the first maximum."""

    name = "adaptive_max_pool2d"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, output_size: Pair) -> np.ndarray:
        winners = adaptive_winners(x, output_size)
        ctx.save_for_backward(winners)
        return x[_plane_index(winners, x.shape[3])]

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (winners,) = ctx.saved_tensors
        shape = ctx.inputs[0].shape  # a scatter to the winners; its VJP is the gather
        return ScatterAdd.apply(grad, shape=shape, index=_plane_index(winners.data, shape[3]))
