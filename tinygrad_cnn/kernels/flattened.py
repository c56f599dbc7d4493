"""The flattened-image path of unit-stride convs: fewer copies than im2col, bigger products.

Letters as in `kernels/conv.py`. With stride 1, every output pixel reads the padded input at a
fixed offset i·dH·Wp + j·dW from its own position once the images are laid end to end as one
long row per channel (u = (n·Hs + h)·Wp + w, with Hs rows per image and Wp values per row,
padding included). So:

1. the kW taps along a kernel row are gathered once, `taps[g, (c, j), u] = x[g, c, u + j·dW]`
   (kW copies of the input instead of im2col's kH·kW);
2. one product per group with the kernel rows stacked, `z[i, o, u] = Σ_c,j w[o, c, i, j]
   taps[(c, j), u]`, a taller matrix that BLAS runs better than im2col's wide one;
3. the kH partial sums are shifted into place: `y[o, u] = Σ_i z[i, o, u + i·dH·Wp]`.

Neighbouring rows and images share their padding: the zeros after one row are the left
padding of the next, so a row holds W values and a gap of max(left, right) zeros (more only
when the padding reaches past the kernel), and an image H rows and a gap of max(top, bottom)
rows; the first image's top and left padding go before it. Positions u whose window would
run past the right or bottom edge are computed and dropped: (H + gap)(W + gap) / (oH·oW)
extra work, 27% for a padded 3×3 conv of 8×8 images, where padding each image on its own
would cost 56%. Every temporary is a few times the input or output, never the K-fold im2col
matrix.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import products
from tinygrad_cnn.kernels.windows import Pair, as_convolution


def _gap(before: int, after: int, reach: int) -> int:
    """The zeros between one row (or image) and the next, serving as the padding after the
    one and before the other, and leaving room for every output position."""
    return max(before, after, before + after - reach)


def _rows(x: np.ndarray, g: Geometry, slack: int) -> np.ndarray:
    """(N, C, H, W) -> the images end to end per channel with their padding shared, then
    `slack` zeros for the taps of the last positions to read: (G, Cg, lead + L + slack)."""
    N, C, H, W = x.shape
    Hs, Wp, L, _, _ = _grid(x, g)
    lead = g.padding[0][0] * Wp + g.padding[1][0]  # the first image's top and left padding
    rows = np.zeros((C, lead + L + slack), dtype=x.dtype)
    images = rows[:, lead : lead + L].reshape(C, N, Hs, Wp)
    images[:, :, :H, :W] = x.transpose(1, 0, 2, 3)
    return rows.reshape(g.groups, C // g.groups, -1)


def _taps(rows: np.ndarray, kW: int, dW: int) -> np.ndarray:
    """kW shifted copies of each row, (G, Cg·kW, length - dW (kW - 1)); row (c, j) starts at
    j·dW."""
    G, Cg, length = rows.shape
    length -= dW * (kW - 1)
    sg, sc, su = rows.strides
    shifted = as_strided(rows, (G, Cg, kW, length), (sg, sc, dW * su, su), writeable=False)
    return shifted.reshape(G, Cg * kW, length)


def _stacked(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, Cg, kH, kW) -> (G, kH·Og, Cg·kW): one row per (kernel row, output channel)."""
    _, Cg, kH, kW = w.shape
    Og = w.shape[0] // groups
    w = w.reshape(groups, Og, Cg, kH, kW).transpose(0, 3, 1, 2, 4)
    return w.reshape(groups, kH * Og, Cg * kW)


def _grid(x: np.ndarray, g: Geometry) -> tuple[int, ...]:
    """(Hs, Wp, L, down, slack): the rows per image and values per row with their gaps, the
    L = N·Hs·Wp positions, the offset of one kernel row down, and how far past the last
    position the taps read. Output (n, h, w) sits at u = (n·Hs + h)·Wp + w."""
    (H, W), (kH, kW), (dH, dW) = x.shape[2:], g.kernel, g.dilation
    (top, bottom), (left, right) = g.padding
    Hs, Wp = H + _gap(top, bottom, dH * (kH - 1)), W + _gap(left, right, dW * (kW - 1))
    down = dH * Wp
    return Hs, Wp, x.shape[0] * Hs * Wp, down, (kH - 1) * down + (kW - 1) * dW


def values_per_image(image: tuple[int, ...], g: Geometry) -> int:
    """The tap values one image (C, H, W) lays out: C·kW per position, (H + gap)(W + gap)
    positions."""
    C, H, W = image
    (top, bottom), (left, right) = g.padding
    (kH, kW), (dH, dW) = g.kernel, g.dilation
    return C * kW * (H + _gap(top, bottom, dH * (kH - 1))) * (W + _gap(left, right,
                                                                         dW * (kW - 1)))


def conv(x: np.ndarray, w: np.ndarray, g: Geometry, out: Pair) -> np.ndarray:
    """conv2d with stride 1: (N, C, H, W), (O, Cg, kH, kW) -> (N, O, oH, oW), a strided view."""
    N, groups, kH = x.shape[0], g.groups, g.kernel[0]
    Og = w.shape[0] // groups
    Hs, Wp, L, down, slack = _grid(x, g)
    taps = _taps(_rows(x, g, slack), g.kernel[1], g.dilation[1])  # (G, Cg·kW, L + ...)
    z = products.wide(_stacked(w, groups), taps)  # (G, kH·Og, L + ...)
    z = z.reshape(groups, kH, Og, -1)
    y = z[:, 0, :, :L]
    for i in range(1, kH):  # kernel row i reads the input i·dH rows down
        y += z[:, i, :, i * down : i * down + L]
    y = y.reshape(groups, Og, N, Hs, Wp)[..., : out[0], : out[1]].transpose(2, 0, 1, 3, 4)
    return y.reshape(N, groups * Og, *out)  # a view: the caller copies it where it goes


def weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry) -> np.ndarray:
    """dL/dw of a stride-1 conv2d: Σ over positions of gy ⊗ window, (O, Cg, kH, kW)."""
    N, Cg, groups = x.shape[0], x.shape[1] // g.groups, g.groups
    Og, (oh, ow), (kH, kW) = gy.shape[1] // groups, gy.shape[2:], g.kernel
    Hs, Wp, L, down, slack = _grid(x, g)
    taps = _taps(_rows(x, g, slack), kW, g.dilation[1])  # (G, Cg·kW, L + ...)
    grads = np.zeros((groups * Og, N, Hs, Wp), dtype=gy.dtype)  # gy on the grid, 0 elsewhere
    grads[:, :, :oh, :ow] = gy.transpose(1, 0, 2, 3)
    grads = grads.reshape(groups, Og, L)
    rows = [products.long(taps[..., i * down : i * down + L], grads.transpose(0, 2, 1))
            for i in range(kH)]
    gw = np.stack(rows, axis=1).reshape(groups, kH, Cg, kW, Og)  # kernel row i, transposed
    return gw.transpose(0, 4, 2, 1, 3).reshape(groups * Og, Cg, kH, kW)


def conv_transpose(x: np.ndarray, w: np.ndarray, g: Geometry, size: Pair) -> np.ndarray:
    """conv_transpose2d with stride 1, as the conv of x with the flipped kernel."""
    return conv(*as_convolution(x, w, g), size)
