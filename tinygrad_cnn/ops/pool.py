"""Max pooling, and the scatter and gather through its winners that make up its derivatives.

Shape letters as in `ops/conv.py`. Pooling attributes are PyTorch's, per spatial dim:
kernel_size (kH, kW), stride (sH, sW), padding (pH, pW) on both sides, dilation (dH, dW),
and ceil_mode. Each window's winner is kept as one mask per kernel tap, `winners[k]` (K, N, C,
oH, oW) for tap k = i·kW + j, so every loop here runs over the K = kH·kW taps, never pixels,
and each step is a branch-free array operation.

    y = max_pool(x)         gx = scatter(gy)     (to each window's winner)
    y = scatter(g)          gg = gather(gy)      (the adjoint of a scatter is the gather)
    y = gather(x)           gx = scatter(gy)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function
from tinygrad_cnn.ops.windows import Pair, Pairs, canvas_size, pad, tap
from tinygrad_cnn.shapes import window_output_size

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def both_sides(padding: Pair) -> Pairs:
    """Pooling's symmetric (pH, pW) as ((top, bottom), (left, right))."""
    return tuple((p, p) for p in padding)


def pool_output(
    op: str, size: Pair, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair,
    ceil_mode: bool,
) -> Pair:
    """(oH, oW) by the shared output-size rule."""
    return window_output_size(op, size, kernel_size, stride, both_sides(padding), dilation,
                              ceil_mode)


def window_max(
    x: np.ndarray, *, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair,
    ceil_mode: bool, winners: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The maximum of every window (N, C, oH, oW), and the winner masks (K, N, C, oH, oW)
    (None when `winners` is False: without a gradient to route, the maximum is all we need).

    A later tap takes over only when strictly greater, or NaN (which propagates, as in
    PyTorch), so ties go to the first maximum in row-major order.
    """
    out = pool_output("max_pool2d", x.shape[2:], kernel_size, stride, padding, dilation,
                      ceil_mode)
    reach = canvas_size(out, kernel_size, stride, dilation)
    canvas = pad(x, both_sides(padding), -np.inf, size=reach)
    taps = [tap(canvas, i, j, out, stride, dilation) for i, j in np.ndindex(*kernel_size)]
    best = taps[0].copy()
    for t in taps[1:]:
        np.maximum(best, t, out=best)  # NaN propagates
    if not winners:
        return best, None
    if np.isnan(best).any():
        return best, taking_over(taps)
    # Without NaN, each window's winner is its first tap equal to the maximum.
    masks = np.empty((len(taps), *best.shape), dtype=bool)
    open_ = np.ones(best.shape, dtype=bool)  # windows whose winner is not found yet
    for k, t in enumerate(taps):
        np.equal(t, best, out=masks[k])
        masks[k] &= open_
        np.greater(open_, masks[k], out=open_)  # still open and not won here
    return best, masks


def taking_over(taps: list[np.ndarray]) -> np.ndarray:
    """Winner masks by PyTorch's scan: a later tap takes over when strictly greater or NaN."""
    best = taps[0].copy()
    takes_over = np.ones((len(taps), *best.shape), dtype=bool)  # tap k beats taps before it
    for k in range(1, len(taps)):
        np.greater(taps[k], best, out=takes_over[k])
        takes_over[k] |= np.isnan(taps[k])
        np.maximum(best, taps[k], out=best)
    return last_true(takes_over)


def last_true(takes_over: np.ndarray) -> np.ndarray:
    """Winner masks: tap k wins where it took over and no later tap did."""
    winners = np.empty_like(takes_over)
    later = np.zeros(takes_over.shape[1:], dtype=bool)
    for k in reversed(range(len(takes_over))):
        np.greater(takes_over[k], later, out=winners[k])  # takes_over and not later
        later |= takes_over[k]
    return winners


def plane_indices(
    winners: np.ndarray, size: Pair, *, kernel_size: Pair, stride: Pair, padding: Pair,
    dilation: Pair,
) -> np.ndarray:
    """Each winner as a flat index h·W + w into its (H, W) input plane, int64 (PyTorch's)."""
    (oH, oW), W = winners.shape[3:], size[1]
    i, j = np.divmod(winners.argmax(axis=0).astype(np.int64), kernel_size[1])
    rows = np.arange(oH)[:, None] * stride[0] + i * dilation[0] - padding[0]
    cols = np.arange(oW)[None, :] * stride[1] + j * dilation[1] - padding[1]
    return rows * W + cols


class MaxPool(Function):
    """y[n, c, h, w] = max of the window at (h, w) of x padded with -inf."""

    name = "max_pool2d"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, kernel_size: Pair, stride: Pair, padding: Pair,
        dilation: Pair, ceil_mode: bool,
    ) -> np.ndarray:
        y, winners = window_max(x, kernel_size=kernel_size, stride=stride, padding=padding,
                                dilation=dilation, ceil_mode=ceil_mode,
                                winners=ctx.needs_input_grad[0])
        ctx.save_for_backward(winners)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (winners,) = ctx.saved_tensors
        geometry = {k: v for k, v in ctx.attrs.items() if k != "ceil_mode"}
        size = ctx.inputs[0].shape[2:]  # each window's gradient goes to its winner alone
        return WinnerScatter.apply(grad, winners=winners.data, size=size, **geometry)


class WinnerScatter(Function):
    """gx = zeros (N, C, H, W) with each g[n, c, h, w] added at its window's winner."""

    name = "max_pool2d_backward"

    @staticmethod
    def forward(
        ctx: Context, g: np.ndarray, *, winners: np.ndarray, size: Pair, kernel_size: Pair,
        stride: Pair, padding: Pair, dilation: Pair,
    ) -> np.ndarray:
        out = g.shape[2:]
        height, width = (n + 2 * p for n, p in zip(size, padding))
        reach = canvas_size(out, kernel_size, stride, dilation)
        if stride == kernel_size and reach == (height, width) and dilation == (1, 1):
            # The windows tile the padded input (2×2, stride 2 on even sides): every pixel is
            # under exactly one tap of one window, so each tap writes its share in place, no
            # zeroed canvas and no accumulation (3x fewer passes over the input).
            canvas = np.empty((*g.shape[:2], height, width), g.dtype)
            for k, (i, j) in enumerate(np.ndindex(*kernel_size)):
                np.multiply(g, winners[k], out=tap(canvas, i, j, out, stride, dilation))
            (pH, pW), (H, W) = padding, size
            return canvas[:, :, pH : pH + H, pW : pW + W]
        canvas = np.zeros((*g.shape[:2], max(height, reach[0]), max(width, reach[1])), g.dtype)
        for k, (i, j) in enumerate(np.ndindex(*kernel_size)):
            window = tap(canvas, i, j, out, stride, dilation)  # overlapping windows accumulate
            window += g * winners[k]
        (pH, pW), (H, W) = padding, size
        return canvas[:, :, pH : pH + H, pW : pW + W]

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        geometry = {k: v for k, v in ctx.attrs.items() if k != "size"}
        return WinnerGather.apply(grad, **geometry)  # the adjoint of the scatter is the gather


class WinnerGather(Function):
    """y[n, c, h, w] = x at the winner of window (h, w): max pooling with the winners fixed."""

    name = "max_pool2d_gather"

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, winners: np.ndarray, kernel_size: Pair, stride: Pair,
        padding: Pair, dilation: Pair,
    ) -> np.ndarray:
        out = winners.shape[3:]
        reach = canvas_size(out, kernel_size, stride, dilation)
        canvas = pad(x, both_sides(padding), 0.0, size=reach)
        y = np.zeros(winners.shape[1:], dtype=x.dtype)
        for k, (i, j) in enumerate(np.ndindex(*kernel_size)):
            y += tap(canvas, i, j, out, stride, dilation) * winners[k]
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        size = ctx.inputs[0].shape[2:]
        return WinnerScatter.apply(grad, size=size, **ctx.attrs)
