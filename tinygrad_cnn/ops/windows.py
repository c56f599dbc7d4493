"""Sliding windows over (N, C, H, W) arrays: padding, kernel taps, im2col and its adjoint col2im.

Array helpers shared by the convolution and pooling ops; nothing here records a graph. The
shape letters are those of `ops/conv.py`; padding is ((top, bottom), (left, right)).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

Pair = tuple[int, int]
Pairs = tuple[Pair, Pair]


def pad(
    x: np.ndarray, padding: Pairs, value: float = 0.0, size: Pair | None = None
) -> np.ndarray:
    """`x` on a canvas of `value` with `padding` around it, grown at the bottom and right to
    at least `size` when given (the overhang of pooling's ceil mode). No copy when no padding.
    """
    (top, bottom), (left, right) = padding
    N, C, H, W = x.shape
    height, width = H + top + bottom, W + left + right
    if size is not None:
        height, width = max(height, size[0]), max(width, size[1])
    if (height, width) == (H, W):
        return x
    canvas = np.full((N, C, height, width), value, dtype=x.dtype)
    canvas[:, :, top : top + H, left : left + W] = x
    return canvas


def canvas_size(out: Pair, kernel: Pair, stride: Pair, dilation: Pair) -> Pair:
    """The padded input extent that `out` windows reach: (o - 1) s + d (k - 1) + 1 per dim."""
    return tuple((o - 1) * s + d * (k - 1) + 1 for o, k, s, d in zip(out, kernel, stride, dilation))


def tap(canvas: np.ndarray, i: int, j: int, out: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """The element under kernel tap (i, j) of every window: a strided view (..., oH, oW)."""
    (oH, oW), (sH, sW), (dH, dW) = out, stride, dilation
    rows = slice(i * dH, i * dH + (oH - 1) * sH + 1, sH)
    cols = slice(j * dW, j * dW + (oW - 1) * sW + 1, sW)
    return canvas[..., rows, cols]


def im2col(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pairs, dilation: Pair, groups: int,
    out: Pair,
) -> np.ndarray:
    """Every window of the padded input as a column: (G, K, N·P) with K = Cg·kH·kW.

    The windows are a strided view of the padded input; the one copy lays them out so that a
    (Og, K) @ (K, N·P) product per group runs on contiguous memory.
    """
    xp = pad(x, padding)
    N, C = xp.shape[:2]
    Cg = C // groups
    sn, sc, sh, sw = xp.strides
    (kH, kW), (oH, oW), (sH, sW), (dH, dW) = kernel, out, stride, dilation
    windows = as_strided(  # (G, Cg, kH, kW, N, oH, oW)
        xp,
        shape=(groups, Cg, kH, kW, N, oH, oW),
        strides=(Cg * sc, sc, dH * sh, dW * sw, sn, sH * sh, sW * sw),
        writeable=False,
    )
    return windows.reshape(groups, Cg * kH * kW, N * oH * oW)


def col2im(
    cols: np.ndarray, shape: tuple[int, int, int, int], kernel: Pair, stride: Pair,
    padding: Pairs, dilation: Pair, out: Pair,
) -> np.ndarray:
    """Sum window columns (G, K, N·P) back onto an (N, C, H, W) image: the adjoint of im2col.

    One strided add per kernel tap; overlapping windows accumulate, padding is cut off. The
    padded image must hold every window: H + top + bottom >= (oH - 1) sH + dH (kH - 1) + 1.
    """
    N, C, H, W = shape
    G = cols.shape[0]
    (kH, kW), ((top, bottom), (left, right)) = kernel, padding
    cols = cols.reshape(G, C // G, kH, kW, N, *out).transpose(4, 0, 1, 2, 3, 5, 6)
    canvas = np.zeros((N, G, C // G, H + top + bottom, W + left + right), dtype=cols.dtype)
    for i in range(kH):
        for j in range(kW):
            window = tap(canvas, i, j, out, stride, dilation)  # (N, G, Cg, oH, oW)
            window += cols[:, :, :, i, j]
    return canvas.reshape(N, C, *canvas.shape[3:])[:, :, top : top + H, left : left + W]
