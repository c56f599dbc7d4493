"""Course part 1: 1-D and 2-D convolution layers as plain loops, next to F.conv1d and F.conv2d.

Every output value is a bias plus a sum of products over input channels and kernel taps; the
backward pass runs the same loops and sends each product's gradient to both factors. The
library computes the same numbers with strided windows and matrix products.

Run: python examples/course/01_convolution_loops.py
"""

from __future__ import annotations

import itertools

import numpy as np

from tinygrad_cnn import Tensor
from tinygrad_cnn.nn import functional as F


def conv1d_loops(x, w, b, stride=1, padding=0):
    """y[n, o, t] = b[o] + sum over c, k of w[o, c, k] * x_padded[n, c, t * stride + k]."""
    N, C, L = x.shape
    Co, _, K = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    oL = (L + 2 * padding - K) // stride + 1
    y = np.zeros((N, Co, oL))
    for n, o, t in itertools.product(range(N), range(Co), range(oL)):
        y[n, o, t] = b[o]
        for c, k in itertools.product(range(C), range(K)):
            y[n, o, t] += w[o, c, k] * xp[n, c, t * stride + k]
    return y


def conv1d_loops_backward(x, w, gy, stride=1, padding=0):
    """(dL/dx, dL/dw, dL/db) given dL/dy: the forward's loops, each product sending gy back."""
    N, C, L = x.shape
    Co, _, K = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    gxp, gw, gb = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(Co)
    for n, o, t in itertools.product(range(N), range(Co), range(gy.shape[2])):
        gb[o] += gy[n, o, t]
        for c, k in itertools.product(range(C), range(K)):
            gxp[n, c, t * stride + k] += w[o, c, k] * gy[n, o, t]
            gw[o, c, k] += xp[n, c, t * stride + k] * gy[n, o, t]
    return gxp[:, :, padding : padding + L], gw, gb


# --8<-- [start:conv2d]
def conv2d_loops(x, w, b, stride=1, padding=0):
    """y[n, o, i, j] = b[o] + sum over c, p, q of w[o, c, p, q] * x_pad[n, c, i*s + p, j*s + q]."""
    N, C, H, W = x.shape
    Co, _, kH, kW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oH = (H + 2 * padding - kH) // stride + 1
    oW = (W + 2 * padding - kW) // stride + 1
    y = np.zeros((N, Co, oH, oW))
    for n, o, i, j in itertools.product(range(N), range(Co), range(oH), range(oW)):
        y[n, o, i, j] = b[o]
        for c, p, q in itertools.product(range(C), range(kH), range(kW)):
            y[n, o, i, j] += w[o, c, p, q] * xp[n, c, i * stride + p, j * stride + q]
    return y


def conv2d_loops_backward(x, w, gy, stride=1, padding=0):
    """(dL/dx, dL/dw, dL/db) given dL/dy, by the forward's loops."""
    N, C, H, W = x.shape
    Co, _, kH, kW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    gxp, gw, gb = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(Co)
    _, _, oH, oW = gy.shape
    for n, o, i, j in itertools.product(range(N), range(Co), range(oH), range(oW)):
        gb[o] += gy[n, o, i, j]
        for c, p, q in itertools.product(range(C), range(kH), range(kW)):
            row, col = i * stride + p, j * stride + q
            gxp[n, c, row, col] += w[o, c, p, q] * gy[n, o, i, j]
            gw[o, c, p, q] += xp[n, c, row, col] * gy[n, o, i, j]
    return gxp[:, :, padding : padding + H, padding : padding + W], gw, gb
# --8<-- [end:conv2d]


def library(conv, x, w, b, gy, stride, padding):
    """The library's output and gradients (dL/dx, dL/dw, dL/db) for the same output gradient."""
    xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))
    y = conv(xt, wt, bt, stride=stride, padding=padding)
    y.backward(Tensor(gy))
    return y.data, xt.grad.data, wt.grad.data, bt.grad.data


def compare(ndim: int, stride: int, padding: int, seed: int = 0) -> float:
    """The largest difference between the loops and the library, forward and backward."""
    rng = np.random.default_rng(seed)
    spatial = (7,) * ndim
    x = rng.standard_normal((2, 3, *spatial))
    w = rng.standard_normal((4, 3, *(3,) * ndim))
    b = rng.standard_normal(4)
    loops, backward, conv = ((conv1d_loops, conv1d_loops_backward, F.conv1d) if ndim == 1 else
                             (conv2d_loops, conv2d_loops_backward, F.conv2d))
    y = loops(x, w, b, stride, padding)
    gy = rng.standard_normal(y.shape)
    ours = (y, *backward(x, w, gy, stride, padding))
    theirs = library(conv, x, w, b, gy, stride, padding)
    return max(float(np.abs(a - c).max()) for a, c in zip(ours, theirs))


SETTINGS = [(ndim, stride, padding) for ndim in (1, 2) for stride in (1, 2) for padding in (0, 1)]


def main() -> dict[tuple[int, int, int], float]:
    """Compare loops and library for every setting; print and return the differences."""
    print("largest |loops - library| over y, dL/dx, dL/dw, dL/db (float64):")
    differences = {}
    for ndim, stride, padding in SETTINGS:
        differences[ndim, stride, padding] = compare(ndim, stride, padding)
        print(f"  conv{ndim}d stride={stride} padding={padding}: "
              f"{differences[ndim, stride, padding]:.1e}")
    return differences


if __name__ == "__main__":
    main()
