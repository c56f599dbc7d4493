"""Sliding windows over (N, C, H, W) arrays: padding, kernel taps, im2col and its adjoint col2im.

Array helpers shared by the convolution and pooling ops; nothing here records a graph. The
shape letters are those of `ops/conv.py`; padding is ((top, bottom), (left, right)).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

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


# Rows of the source copied per slab by `transposed`, at most.
SLAB = 64

# L1 data caches hold 8 lines per set, and lines 4 KiB apart fall in the same set.
L1_WAYS, L1_SET_SPAN = 8, 4096


def slab_rows(pitch: int) -> int:
    """How many source rows `pitch` bytes apart a slab may read: as many as stay in L1
    together. Rows whose pitch is a multiple of 4 KiB share one set, so only 8 fit."""
    return min(SLAB, L1_WAYS * L1_SET_SPAN // math.gcd(pitch, L1_SET_SPAN))


def transposed(a: np.ndarray) -> np.ndarray:
    """a.T of a contiguous 2-D array, contiguous, copied in slabs of rows of `a`.

    A plain transposing copy walks one of the two arrays at a pitch of a whole row; when that
    pitch is a multiple of 4 KiB (a batch of 256 float32) every access lands in the same cache
    set and the copy runs 5-10x slower. Slabs keep both sides of each piece in cache: at
    LeNet's second conv, (64, 1024) float32 takes 61 us in slabs of 8 rows against 217 us
    whole and 211 us in slabs of 64.
    """
    R, N = a.shape
    rows = slab_rows(a.strides[0])
    if rows >= R or N < SLAB:  # one slab holds all rows, or the copy's rows are short
        return np.ascontiguousarray(a.T)
    out = np.empty((N, R), dtype=a.dtype)
    for start in range(0, R, rows):
        out[:, start : start + rows] = a[start : start + rows].T
    return out


def batch_last(x: np.ndarray, padding: Pairs) -> np.ndarray:
    """(N, C, H, W) -> the padded input as (C, Hp, Wp, N), the layout of im2col and col2im.

    With the batch innermost, a row of windows is one contiguous run of oW·N values (stride 1),
    so the window copies and tap sums below stream instead of stepping through short rows.
    """
    (top, bottom), (left, right) = padding
    N, C, H, W = x.shape
    rows = transposed(x.reshape(N, C * H * W)).reshape(C, H, W, N)
    if top == bottom == left == right == 0:
        return rows
    out = np.zeros((C, H + top + bottom, W + left + right, N), dtype=x.dtype)
    out[:, top : top + H, left : left + W] = rows
    return out


def batch_first(x: np.ndarray) -> np.ndarray:
    """(C, H, W, N) -> (N, C, H, W), contiguous: the inverse of `batch_last` without padding."""
    C, H, W, N = x.shape
    return transposed(np.ascontiguousarray(x).reshape(C * H * W, N)).reshape(N, C, H, W)


def im2col(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pairs, dilation: Pair, groups: int,
    out: Pair,
) -> np.ndarray:
    """Every window of the padded input as a column: (G, K, P·N) with K = Cg·kH·kW, the
    columns ordered (oh, ow, n).

    The windows are a strided view of the padded input; the one copy lays them out so that a
    (Og, K) @ (K, P·N) product per group runs on contiguous memory.
    """
    xp = batch_last(x, padding)  # (C, Hp, Wp, N)
    C, _, _, N = xp.shape
    Cg = C // groups
    sc, sh, sw, sn = xp.strides
    (kH, kW), (oH, oW), (sH, sW), (dH, dW) = kernel, out, stride, dilation
    windows = as_strided(  # (G, Cg, kH, kW, oH, oW, N)
        xp,
        shape=(groups, Cg, kH, kW, oH, oW, N),
        strides=(Cg * sc, sc, dH * sh, dW * sw, sH * sh, sW * sw, sn),
        writeable=False,
    )
    return windows.reshape(groups, Cg * kH * kW, oH * oW * N)


def image_windows(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pairs, dilation: Pair, groups: int,
    out: Pair,
) -> np.ndarray:
    """Every window of the padded input, image by image: (N, G, K, P), columns (oh, ow).

    The per-image layout of `im2col`: no batch transposes on the way in or out, and one
    (Og, K) @ (K, P) product per image, which BLAS runs well once P is a few hundred.
    """
    xp = pad(x, padding)  # (N, C, Hp, Wp)
    N, C = xp.shape[:2]
    Cg = C // groups
    sn, sc, sh, sw = xp.strides
    (kH, kW), (oH, oW), (sH, sW), (dH, dW) = kernel, out, stride, dilation
    windows = as_strided(  # (N, G, Cg, kH, kW, oH, oW)
        xp,
        shape=(N, groups, Cg, kH, kW, oH, oW),
        strides=(sn, Cg * sc, sc, dH * sh, dW * sw, sH * sh, sW * sw),
        writeable=False,
    )
    return windows.reshape(N, groups, Cg * kH * kW, oH * oW)


def image_col2im(
    row_cols: Iterable[np.ndarray], shape: tuple[int, int, int, int], dtype: np.dtype,
    kernel: Pair, stride: Pair, padding: Pairs, dilation: Pair, out: Pair,
) -> np.ndarray:
    """Sum per-image window columns back onto (N, C, H, W): the adjoint of `image_windows`.

    The columns come one kernel row at a time, (N, G, Og·kW, P) for row i, as in `col2im`.
    """
    N, C, H, W = shape
    kW, ((top, bottom), (left, right)) = kernel[1], padding
    canvas = np.zeros((N, C, H + top + bottom, W + left + right), dtype=dtype)
    for i, cols in enumerate(row_cols):
        cols = cols.reshape(N, C, kW, *out)
        for j in range(kW):
            tap(canvas, i, j, out, stride, dilation)[...] += cols[:, :, j]
    if top == bottom == left == right == 0:
        return canvas
    return np.ascontiguousarray(canvas[:, :, top : top + H, left : left + W])


def col2im(
    row_cols: Iterable[np.ndarray], shape: tuple[int, int, int, int], dtype: np.dtype,
    kernel: Pair, stride: Pair, padding: Pairs, dilation: Pair, out: Pair,
) -> np.ndarray:
    """Sum window columns back onto an (N, C, H, W) image: the adjoint of im2col.

    The columns come one kernel row at a time: row i gives (G, Og·kW, P·N), the columns of
    the taps (i, 0..kW-1), so a caller can compute each row's columns just before they are
    added, while they are still in cache. One strided add per kernel tap; overlapping windows
    accumulate, padding is cut off. The padded image must hold every window:
    H + top + bottom >= (oH - 1) sH + dH (kH - 1) + 1.
    """
    N, C, H, W = shape
    kW, ((top, bottom), (left, right)) = kernel[1], padding
    canvas = np.zeros((C, H + top + bottom, W + left + right, N), dtype=dtype)
    images = canvas.transpose(0, 3, 1, 2)  # (C, N, Hp, Wp) view, for `tap`
    for i, cols in enumerate(row_cols):
        cols = cols.reshape(C, kW, *out, N)
        for j in range(kW):
            window = tap(images, i, j, out, stride, dilation)
            window += cols[:, j].transpose(0, 3, 1, 2)  # (C, N, oH, oW) views
    return batch_first(canvas[:, top : top + H, left : left + W])
