"""Sliding windows over (N, C, H, W) arrays: padding, kernel taps, and batch-innermost layouts.

Array helpers shared by the convolution and pooling kernels; nothing here records a graph.
Shape letters as in `kernels/conv.py`; padding is ((top, bottom), (left, right)).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from tinygrad_cnn.geometry import Geometry, Pads

Pair = tuple[int, ...]


def pad(
    x: np.ndarray, padding: Pads, value: float = 0.0, size: Pair | None = None
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


def tap(canvas: np.ndarray, i: int, j: int, out: Pair, g: Geometry) -> np.ndarray:
    """The element under kernel tap (i, j) of every window: a strided view (..., oH, oW)."""
    (oH, oW), (sH, sW), (dH, dW) = out, g.stride, g.dilation
    rows = slice(i * dH, i * dH + (oH - 1) * sH + 1, sH)
    cols = slice(j * dW, j * dW + (oW - 1) * sW + 1, sW)
    return canvas[..., rows, cols]


def taps(g: Geometry) -> list[tuple[int, int]]:
    """The kernel taps (i, j) in row-major order."""
    return list(np.ndindex(*g.kernel))


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
    set and the copy thrashes. Slabs keep both sides of each piece in cache.
    """
    R, N = a.shape
    rows = slab_rows(a.strides[0])
    if rows >= R or N < SLAB:  # one slab holds all rows, or the copy's rows are short
        return np.ascontiguousarray(a.T)
    out = np.empty((N, R), dtype=a.dtype)
    for start in range(0, R, rows):
        out[:, start : start + rows] = a[start : start + rows].T
    return out


def batch_last(x: np.ndarray, padding: Pads) -> np.ndarray:
    """(N, C, H, W) -> the padded input as (C, Hp, Wp, N), the layout of im2col and col2im.

    With the batch innermost, a row of windows is one contiguous run of oW·N values (stride 1),
    so the window copies and tap sums stream instead of stepping through short rows.
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


def kernel_rows(w: np.ndarray, groups: int) -> np.ndarray:
    """A transposed conv's weight (C, Og, kH, kW) as a matrix per kernel row and group,
    (kH, G, Og·kW, Cg): row i's product with the input gives the columns of taps (i, ·)."""
    C, Og, kH, kW = w.shape
    w = w.reshape(groups, C // groups, Og, kH, kW).transpose(3, 0, 2, 4, 1)
    return np.ascontiguousarray(w).reshape(kH, groups, Og * kW, C // groups)


def as_convolution(x: np.ndarray, w: np.ndarray, g: Geometry) -> tuple[np.ndarray, ...]:
    """A stride-1 transposed conv of x with w as a conv: (x cropped, the kernel, its geometry).

    Each input pixel spreads over the kernel's footprint, which is the same as each output
    pixel gathering through the kernel turned by 180°, with in- and output channels swapped
    and "full" padding d (k - 1) less the transposed conv's own padding (a negative padding
    crops x instead).
    """
    C, Og, kH, kW = w.shape
    flipped = w[:, :, ::-1, ::-1].reshape(g.groups, C // g.groups, Og, kH, kW).swapaxes(1, 2)
    flipped = flipped.reshape(g.groups * Og, C // g.groups, kH, kW)
    pads = []
    for (before, after), extra, k, d in zip(g.padding, g.output_padding, g.kernel, g.dilation):
        pads.append((d * (k - 1) - before, d * (k - 1) - after + extra))
    crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for (b, a), n in zip(pads, x.shape[2:]))
    full = dataclasses.replace(g, padding=tuple((max(b, 0), max(a, 0)) for b, a in pads))
    return x[:, :, crop[0], crop[1]], flipped, full


def adaptive_windows(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each of the `o` adaptive windows over `n`: floor(i n / o) to
    ceil((i + 1) n / o), as PyTorch."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)
