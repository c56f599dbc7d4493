"""Average pooling on arrays: window sums over their divisors, the adjoint spread, and the
averaging matrices of adaptive pooling.

Shape letters as in `kernels/conv.py`.
"""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import threads
from tinygrad_cnn.kernels.windows import Pair, adaptive_windows, pad, tap, taps


def window_divisor(
    size: Pair, out: Pair, g: Geometry, count_include_pad: bool, divisor_override: int | None,
    dtype: np.dtype,
) -> np.ndarray:
    """What each window's sum is divided by, (oH, oW), by PyTorch's rule.

    The window counts the padding (`count_include_pad`) but never the overhang of ceil mode
    beyond it; `divisor_override` replaces the count.
    """
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    counts = []
    for n, o, k, s, (p, _) in zip(size, out, g.kernel, g.stride, g.padding):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(np.maximum(end - start, 0))
    return np.maximum(np.outer(*counts), 1).astype(dtype)  # an empty window averages to 0


def average(
    x: np.ndarray, g: Geometry, count_include_pad: bool, divisor_override: int | None
) -> np.ndarray:
    """The mean of every window of x padded with zeros, (N, C, oH, oW)."""
    return threads.over_batch(
        lambda images: _average(x[images], g, count_include_pad, divisor_override),
        x.shape[0], x.size * len(taps(g)))


def _average(
    x: np.ndarray, g: Geometry, count_include_pad: bool, divisor_override: int | None
) -> np.ndarray:
    size = x.shape[2:]
    out = g.output_size(size)
    canvas = pad(x, g.padding, 0.0, size=g.reach(out))
    total = np.zeros((*x.shape[:2], *out), dtype=x.dtype)
    for i, j in taps(g):
        total += tap(canvas, i, j, out, g)
    total /= window_divisor(size, out, g, count_include_pad, divisor_override, x.dtype)
    return total


def spread(
    grad: np.ndarray, size: Pair, g: Geometry, count_include_pad: bool,
    divisor_override: int | None,
) -> np.ndarray:
    """Each grad[n, c, h, w] / divisor[h, w] added over window (h, w): the adjoint of
    `average`, (N, C, H, W)."""
    return threads.over_batch(
        lambda images: _spread(grad[images], size, g, count_include_pad, divisor_override),
        grad.shape[0], grad.size * len(taps(g)))


def _spread(
    grad: np.ndarray, size: Pair, g: Geometry, count_include_pad: bool,
    divisor_override: int | None,
) -> np.ndarray:
    out = grad.shape[2:]
    share = grad / window_divisor(size, out, g, count_include_pad, divisor_override, grad.dtype)
    (top, bottom), (left, right) = g.padding
    reach = g.reach(out)
    height, width = max(size[0] + top + bottom, reach[0]), max(size[1] + left + right, reach[1])
    canvas = np.zeros((*grad.shape[:2], height, width), grad.dtype)
    for i, j in taps(g):
        tap(canvas, i, j, out, g)[...] += share
    return canvas[:, :, top : top + size[0], left : left + size[1]]


def averaging_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """The (o, n) matrix whose row i averages adaptive window i."""
    start, end = adaptive_windows(n, o)
    columns = np.arange(n)
    inside = (columns >= start[:, None]) & (columns < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)
