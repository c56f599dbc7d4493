"""The per-image path: each image's windows as columns, one (Og, K) @ (K, P) product per image.

Letters as in `kernels/conv.py`. No batch transposes on the way in or out; it suits convs
with a few hundred windows per image and more, where each image's product is big enough for
BLAS. The weight gradient is the sum over images of their small products.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels.windows import Pair, kernel_rows, pad, tap


def image_windows(x: np.ndarray, g: Geometry, out: Pair) -> np.ndarray:
    """Every window of the padded input, image by image: (N, G, K, P), columns (oh, ow)."""
    xp = pad(x, g.padding)  # (N, C, Hp, Wp)
    N, C = xp.shape[:2]
    Cg = C // g.groups
    sn, sc, sh, sw = xp.strides
    (kH, kW), (oH, oW), (sH, sW), (dH, dW) = g.kernel, out, g.stride, g.dilation
    windows = as_strided(  # (N, G, Cg, kH, kW, oH, oW)
        xp,
        shape=(N, g.groups, Cg, kH, kW, oH, oW),
        strides=(sn, Cg * sc, sc, dH * sh, dW * sw, sH * sh, sW * sw),
        writeable=False,
    )
    return windows.reshape(N, g.groups, Cg * kH * kW, oH * oW)


def image_col2im(
    row_cols: Iterable[np.ndarray], shape: tuple[int, ...], dtype: np.dtype, g: Geometry,
    out: Pair,
) -> np.ndarray:
    """Sum per-image window columns back onto (N, C, H, W): the adjoint of `image_windows`.

    The columns come one kernel row at a time, (N, G, Og·kW, P) for row i, as in `col2im`.
    """
    N, C, H, W = shape
    kW, ((top, bottom), (left, right)) = g.kernel[1], g.padding
    canvas = np.zeros((N, C, H + top + bottom, W + left + right), dtype=dtype)
    for i, cols in enumerate(row_cols):
        cols = cols.reshape(N, C, kW, *out)
        for j in range(kW):
            tap(canvas, i, j, out, g)[...] += cols[:, :, j]
    if top == bottom == left == right == 0:
        return canvas
    return np.ascontiguousarray(canvas[:, :, top : top + H, left : left + W])


def conv(x: np.ndarray, w: np.ndarray, g: Geometry, out: Pair) -> np.ndarray:
    """(N, C, H, W), (O, Cg, kH, kW) -> (N, O, oH, oW)."""
    w_rows = w.reshape(g.groups, w.shape[0] // g.groups, -1)  # (G, Og, K)
    cols = image_windows(x, g, out)  # (N, G, K, P)
    return (w_rows @ cols).reshape(x.shape[0], w.shape[0], *out)  # (N, G, Og, P)


def conv_transpose(x: np.ndarray, w: np.ndarray, g: Geometry, size: Pair) -> np.ndarray:
    """(N, C, h, w), (C, Og, kH, kW) -> (N, G·Og, *size)."""
    N, C, h, wd = x.shape
    shape = (N, g.groups * w.shape[1], *size)
    images = x.reshape(N, g.groups, C // g.groups, h * wd)
    columns = (row @ images for row in kernel_rows(w, g.groups))  # (N, G, Og·kW, h·w) each
    return image_col2im(columns, shape, np.result_type(x, w), g, (h, wd))


def weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry) -> np.ndarray:
    """Σ over images of (Og, P) @ (P, K): (N, C, H, W), (N, O, oH, oW) -> (O, Cg, kH, kW)."""
    out = gy.shape[2:]
    cols = image_windows(x, g, out)  # (N, G, K, P)
    gy_rows = gy.reshape(gy.shape[0], g.groups, -1, out[0] * out[1])  # (N, G, Og, P)
    gw = (gy_rows @ cols.transpose(0, 1, 3, 2)).sum(axis=0)
    return gw.reshape(-1, x.shape[1] // g.groups, *g.kernel)
