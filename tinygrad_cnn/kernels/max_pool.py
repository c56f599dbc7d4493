"""Max pooling on arrays: window maxima, their winners, and the scatter and gather through them.

Shape letters as in `kernels/conv.py`. Each window's winner is kept as one mask per kernel
tap, `winners[k]` (K, N, C, oH, oW) for tap k = i·kW + j, so every loop here runs over the
K = kH·kW taps, never pixels, and each step is a branch-free array operation.
"""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import threads
from tinygrad_cnn.kernels.windows import Pair, adaptive_windows, pad, tap, taps


def window_max(
    x: np.ndarray, g: Geometry, winners: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """The maximum of every window (N, C, oH, oW), and the winner masks (K, N, C, oH, oW)
    (None when `winners` is False: without a gradient to route, the maximum is all we need).

    A later tap takes over only when strictly greater, or NaN (which propagates, as in
    PyTorch), so ties go to the first maximum in row-major order.
    """
    return threads.over_batch(lambda images: _window_max(x[images], g, winners), x.shape[0],
                              x.size * len(taps(g)), axes=(0, 1))


def _window_max(
    x: np.ndarray, g: Geometry, winners: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    out = g.output_size(x.shape[2:])
    canvas = pad(x, g.padding, -np.inf, size=g.reach(out))
    views = [tap(canvas, i, j, out, g) for i, j in taps(g)]
    best = views[0].copy()
    for view in views[1:]:
        np.maximum(best, view, out=best)  # NaN propagates
    if not winners:
        return best, None
    if np.isnan(best).any():
        return best, taking_over(views)
    # Without NaN, each window's winner is its first tap equal to the maximum.
    masks = np.empty((len(views), *best.shape), dtype=bool)
    open_ = np.ones(best.shape, dtype=bool)  # windows whose winner is not found yet
    for k, view in enumerate(views):
        np.equal(view, best, out=masks[k])
        masks[k] &= open_
        np.greater(open_, masks[k], out=open_)  # still open and not won here
    return best, masks


def taking_over(views: list[np.ndarray]) -> np.ndarray:
    """Winner masks by PyTorch's scan: a later tap takes over when strictly greater or NaN."""
    best = views[0].copy()
    takes_over = np.ones((len(views), *best.shape), dtype=bool)  # tap k beats taps before it
    for k in range(1, len(views)):
        np.greater(views[k], best, out=takes_over[k])
        takes_over[k] |= np.isnan(views[k])
        np.maximum(best, views[k], out=best)
    return last_true(takes_over)


def last_true(takes_over: np.ndarray) -> np.ndarray:
    """Winner masks: tap k wins where it took over and no later tap did."""
    winners = np.empty_like(takes_over)
    later = np.zeros(takes_over.shape[1:], dtype=bool)
    for k in reversed(range(len(takes_over))):
        np.greater(takes_over[k], later, out=winners[k])  # takes_over and not later
        later |= takes_over[k]
    return winners


def plane_indices(winners: np.ndarray, size: Pair, g: Geometry) -> np.ndarray:
    """Each winner as a flat index h·W + w into its (H, W) input plane, int64 (PyTorch's)."""
    (oH, oW), W = winners.shape[3:], size[1]
    i, j = np.divmod(winners.argmax(axis=0).astype(np.int64), g.kernel[1])
    (top, _), (left, _) = g.padding
    rows = np.arange(oH)[:, None] * g.stride[0] + i * g.dilation[0] - top
    cols = np.arange(oW)[None, :] * g.stride[1] + j * g.dilation[1] - left
    return rows * W + cols


def scatter(grad: np.ndarray, winners: np.ndarray, size: Pair, g: Geometry) -> np.ndarray:
    """zeros (N, C, H, W) with each grad[n, c, h, w] added at its window's winner."""
    return threads.over_batch(lambda images: _scatter(grad[images], winners[:, images], size, g),
                              grad.shape[0], winners.size)


def _scatter(grad: np.ndarray, winners: np.ndarray, size: Pair, g: Geometry) -> np.ndarray:
    out = grad.shape[2:]
    (top, bottom), (left, right) = g.padding
    height, width = size[0] + top + bottom, size[1] + left + right
    reach = g.reach(out)
    if g.stride == g.kernel and reach == (height, width) and g.dilation == (1, 1):
        # The windows tile the padded input (2×2, stride 2 on even sides): every pixel is
        # under exactly one tap of one window, so each tap writes its share in place, with no
        # zeroed canvas and no accumulation.
        canvas = np.empty((*grad.shape[:2], height, width), grad.dtype)
        for k, (i, j) in enumerate(taps(g)):
            np.multiply(grad, winners[k], out=tap(canvas, i, j, out, g))
    else:
        shape = (*grad.shape[:2], max(height, reach[0]), max(width, reach[1]))
        canvas = np.zeros(shape, grad.dtype)
        for k, (i, j) in enumerate(taps(g)):
            window = tap(canvas, i, j, out, g)  # overlapping windows accumulate
            window += grad * winners[k]
    return canvas[:, :, top : top + size[0], left : left + size[1]]


def gather(x: np.ndarray, winners: np.ndarray, g: Geometry) -> np.ndarray:
    """x at the winner of every window: max pooling with the winners fixed, (N, C, oH, oW)."""
    return threads.over_batch(lambda images: _gather(x[images], winners[:, images], g),
                              x.shape[0], winners.size)


def _gather(x: np.ndarray, winners: np.ndarray, g: Geometry) -> np.ndarray:
    out = winners.shape[3:]
    canvas = pad(x, g.padding, 0.0, size=g.reach(out))
    y = np.zeros(winners.shape[1:], dtype=x.dtype)
    for k, (i, j) in enumerate(taps(g)):
        y += tap(canvas, i, j, out, g) * winners[k]
    return y


def adaptive_winners(x: np.ndarray, output_size: Pair) -> np.ndarray:
    """The flat plane index (h·W + w) of each adaptive window's first maximum, (N, C, oH, oW).

    Windows are gathered as (…, oH, oW, kH, kW) with the shorter ones filled by repeating
    their last row or column, which comes after the original in row-major order and so never
    wins a tie.
    """
    H, W = x.shape[2:]
    offsets = []
    for n, o in zip((H, W), output_size):
        start, end = adaptive_windows(n, o)
        span = start[:, None] + np.arange((end - start).max())
        offsets.append(np.minimum(span, end[:, None] - 1))  # (o, longest window)
    rows, cols = offsets
    windows = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # (N, C, oH, oW, kH, kW)
    k = windows.reshape(*windows.shape[:4], -1).argmax(axis=-1)
    i, j = np.divmod(k, cols.shape[1])
    oh, ow = np.ogrid[: output_size[0], : output_size[1]]
    return rows[oh, i] * W + cols[ow, j]


def plane_index(winners: np.ndarray, width: int) -> tuple[np.ndarray, ...]:
    """x[index] picks x[n, c, h, w] at every winner (h, w) = divmod(winner, W)."""
    N, C = winners.shape[:2]
    n = np.arange(N).reshape(N, 1, 1, 1)
    c = np.arange(C).reshape(1, C, 1, 1)
    return (n, c, *np.divmod(winners, width))
