"""The batch-innermost im2col path: every window of the batch as a column, one product per group.

Letters as in `kernels/conv.py`. The padded input is laid out (C, Hp, Wp, N), so a window
column is a contiguous run over the batch; the products are (Og, K) @ (K, P·N) per group. It
suits convs with few windows per image (LeNet's second conv), whose per-image products would
be too small for BLAS.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import products
from tinygrad_cnn.kernels.windows import Pair, batch_first, batch_last, kernel_rows, tap


def im2col(x: np.ndarray, g: Geometry, out: Pair) -> np.ndarray:
    """Every window of the padded input as a column: (G, K, P·N) with K = Cg·kH·kW, the
    columns ordered (oh, ow, n).

    The windows are a strided view of the padded input; the one copy lays them out so that a
    (Og, K) @ (K, P·N) product per group runs on contiguous memory.
    """
    xp = batch_last(x, g.padding)  # (C, Hp, Wp, N)
    C, _, _, N = xp.shape
    Cg = C // g.groups
    sc, sh, sw, sn = xp.strides
    (kH, kW), (oH, oW), (sH, sW), (dH, dW) = g.kernel, out, g.stride, g.dilation
    windows = as_strided(  # (G, Cg, kH, kW, oH, oW, N)
        xp,
        shape=(g.groups, Cg, kH, kW, oH, oW, N),
        strides=(Cg * sc, sc, dH * sh, dW * sw, sH * sh, sW * sw, sn),
        writeable=False,
    )
    return windows.reshape(g.groups, Cg * kH * kW, oH * oW * N)


def col2im(
    row_cols: Iterable[np.ndarray], shape: tuple[int, ...], dtype: np.dtype, g: Geometry,
    out: Pair,
) -> np.ndarray:
    """Sum window columns back onto an (N, C, H, W) image: the adjoint of im2col.

    The columns come one kernel row at a time: row i gives (G, Og·kW, P·N), the columns of
    the taps (i, 0..kW-1), so a caller can compute each row's columns just before they are
    added, while they are still in cache. One strided add per kernel tap; overlapping windows
    accumulate, padding is cut off. The padded image must hold every window.
    """
    N, C, H, W = shape
    kW, ((top, bottom), (left, right)) = g.kernel[1], g.padding
    canvas = np.zeros((C, H + top + bottom, W + left + right, N), dtype=dtype)
    images = canvas.transpose(0, 3, 1, 2)  # (C, N, Hp, Wp) view, for `tap`
    for i, cols in enumerate(row_cols):
        cols = cols.reshape(C, kW, *out, N)
        for j in range(kW):
            window = tap(images, i, j, out, g)
            window += cols[:, j].transpose(0, 3, 1, 2)  # (C, N, oH, oW) views
    return batch_first(canvas[:, top : top + H, left : left + W])


def to_rows(x: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, h, w) -> (G, Cg, h·w·N): one row per channel, batch innermost as in im2col."""
    return batch_last(x, ((0, 0), (0, 0))).reshape(groups, x.shape[1] // groups, -1)


def from_rows(y: np.ndarray, N: int, out: Pair) -> np.ndarray:
    """(G, Og, P·N) -> (N, O, oH, oW), contiguous."""
    return batch_first(y.reshape(y.shape[0] * y.shape[1], *out, N))


def conv(x: np.ndarray, w: np.ndarray, g: Geometry, out: Pair) -> np.ndarray:
    """(N, C, H, W), (O, Cg, kH, kW) -> (N, O, oH, oW)."""
    w_rows = w.reshape(g.groups, w.shape[0] // g.groups, -1)  # (G, Og, K)
    y = products.wide(w_rows, im2col(x, g, out))  # (G, Og, P·N)
    return from_rows(y, x.shape[0], out)


def conv_transpose(x: np.ndarray, w: np.ndarray, g: Geometry, size: Pair) -> np.ndarray:
    """(N, C, h, w), (C, Og, kH, kW) -> (N, G·Og, *size)."""
    N, _, h, wd = x.shape
    shape = (N, g.groups * w.shape[1], *size)
    rows = to_rows(x, g.groups)  # (G, Cg, h·w·N)
    # (G, Og·kW, h·w·N) for each kernel row
    columns = (products.wide(row, rows) for row in kernel_rows(w, g.groups))
    return col2im(columns, shape, np.result_type(x, w), g, (h, wd))


def weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry) -> np.ndarray:
    """(N, C, H, W), (N, O, oH, oW) -> (O, Cg, kH, kW)."""
    cols = im2col(x, g, gy.shape[2:])  # (G, K, P·N)
    # (G, K, Og): BLAS prefers this order to (G, Og, K)
    gw = products.long(cols, to_rows(gy, g.groups).transpose(0, 2, 1))
    return gw.transpose(0, 2, 1).reshape(-1, x.shape[1] // g.groups, *g.kernel)
