"""Slow, obviously correct loop versions of convolution, pooling and their windows: the oracles
of the tests.

Written the way the course writes them on the board: one loop per index, no cleverness.
Geometry arrives normalised: per-dim tuples, and padding as ((top, bottom), (left, right)).
Each `*_grads` function runs the same loops as its forward and accumulates the chain rule.
"""

from __future__ import annotations

import itertools

import numpy as np


def _pad(x, padding, value=0.0):
    (top, bottom), (left, right) = padding
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _out(size, k, s, p, d):
    return (size + p[0] + p[1] - d * (k - 1) - 1) // s + 1


def windows(x, kernel, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1)):
    """Every window of the padded input, (N, C, kH, kW, oH, oW):
    [n, c, i, j, h, v] = x_padded[n, c, h·sH + i·dH, v·sW + j·dW]."""
    N, C, H, W = x.shape
    xp = _pad(x, padding)
    oH = _out(H, kernel[0], stride[0], padding[0], dilation[0])
    oW = _out(W, kernel[1], stride[1], padding[1], dilation[1])
    out = np.zeros((N, C, *kernel, oH, oW), dtype=x.dtype)
    for n, c, i, j, h, v in itertools.product(range(N), range(C), range(kernel[0]),
                                              range(kernel[1]), range(oH), range(oW)):
        out[n, c, i, j, h, v] = xp[n, c, h * stride[0] + i * dilation[0],
                                   v * stride[1] + j * dilation[1]]
    return out


def conv2d(x, w, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """y[n, o, h, v] = Σ_c,i,j w[o, c, i, j] · x_padded[n, group(o)·Cg + c, h·sH + i·dH, ...]."""
    return conv2d_grads(x, w, None, stride, padding, dilation, groups)[0]


def conv2d_grads(x, w, gy, stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1):
    """(y, dL/dx, dL/dw) for output gradient gy (y alone when gy is None)."""
    N, _, H, W = x.shape
    out_channels, Cg, kH, kW = w.shape
    Og = out_channels // groups
    xp = _pad(x, padding)
    oH = _out(H, kH, stride[0], padding[0], dilation[0])
    oW = _out(W, kW, stride[1], padding[1], dilation[1])
    y = np.zeros((N, out_channels, oH, oW))
    gxp, gw = np.zeros(xp.shape), np.zeros(w.shape)
    for n, o, h, v in itertools.product(range(N), range(out_channels), range(oH), range(oW)):
        g = o // Og
        for c, i, j in itertools.product(range(Cg), range(kH), range(kW)):
            row = h * stride[0] + i * dilation[0]
            col = v * stride[1] + j * dilation[1]
            y[n, o, h, v] += w[o, c, i, j] * xp[n, g * Cg + c, row, col]
            if gy is not None:
                gxp[n, g * Cg + c, row, col] += w[o, c, i, j] * gy[n, o, h, v]
                gw[o, c, i, j] += xp[n, g * Cg + c, row, col] * gy[n, o, h, v]
    (top, _), (left, _) = padding
    return y, gxp[:, :, top : top + H, left : left + W], gw


def conv_transpose2d(x, w, stride=(1, 1), padding=((0, 0), (0, 0)), output_padding=(0, 0),
                     dilation=(1, 1), groups=1):
    """Each x[n, c, h, v] · w[c, o, i, j] added at (h·sH + i·dH, v·sW + j·dW), then cropped."""
    return conv_transpose2d_grads(x, w, None, stride, padding, output_padding, dilation,
                                  groups)[0]


def conv_transpose2d_grads(x, w, gy, stride=(1, 1), padding=((0, 0), (0, 0)),
                           output_padding=(0, 0), dilation=(1, 1), groups=1):
    """(y, dL/dx, dL/dw) for output gradient gy (y alone when gy is None)."""
    N, C, H, W = x.shape
    _, Og, kH, kW = w.shape
    Cg = C // groups
    full = [(n - 1) * s + d * (k - 1) + 1 + e for n, s, d, k, e in
            zip((H, W), stride, dilation, (kH, kW), output_padding)]
    (top, bottom), (left, right) = padding
    canvas = np.zeros((N, Og * groups, *full))
    gcanvas = None if gy is None else _pad(gy, padding)
    gx, gw = np.zeros(x.shape), np.zeros(w.shape)
    for n, c, h, v in itertools.product(range(N), range(C), range(H), range(W)):
        g = c // Cg
        for o, i, j in itertools.product(range(Og), range(kH), range(kW)):
            row = h * stride[0] + i * dilation[0]
            col = v * stride[1] + j * dilation[1]
            canvas[n, g * Og + o, row, col] += x[n, c, h, v] * w[c, o, i, j]
            if gy is not None:
                gx[n, c, h, v] += w[c, o, i, j] * gcanvas[n, g * Og + o, row, col]
                gw[c, o, i, j] += x[n, c, h, v] * gcanvas[n, g * Og + o, row, col]
    y = canvas[:, :, top : full[0] - bottom, left : full[1] - right]
    return y, gx, gw


def _pool_out(size, k, s, p, d, ceil_mode):
    span = d * (k - 1) + 1
    if ceil_mode:
        out = -(-(size + 2 * p - span) // s) + 1
        if (out - 1) * s >= size + p:  # the last window must start inside input or left pad
            out -= 1
        return out
    return (size + 2 * p - span) // s + 1


def max_pool2d_grads(x, gy, kernel_size, stride, padding=(0, 0), dilation=(1, 1),
                     ceil_mode=False):
    """(y, flat plane indices, dL/dx): each window's gradient to its first maximum."""
    N, C, H, W = x.shape
    oH, oW = (_pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
              zip((H, W), kernel_size, stride, padding, dilation))
    y, index = np.zeros((N, C, oH, oW)), np.zeros((N, C, oH, oW), dtype=np.int64)
    gx = np.zeros(x.shape)
    for n, c, h, v in itertools.product(range(N), range(C), range(oH), range(oW)):
        best, where = -np.inf, None
        for i, j in itertools.product(range(kernel_size[0]), range(kernel_size[1])):
            row = h * stride[0] + i * dilation[0] - padding[0]
            col = v * stride[1] + j * dilation[1] - padding[1]
            if 0 <= row < H and 0 <= col < W and x[n, c, row, col] > best:
                best, where = x[n, c, row, col], (row, col)
        y[n, c, h, v] = best
        index[n, c, h, v] = where[0] * W + where[1]
        if gy is not None:
            gx[n, c, where[0], where[1]] += gy[n, c, h, v]
    return y, index, gx


def avg_pool2d_grads(x, gy, kernel_size, stride, padding=(0, 0), ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """(y, dL/dx) with PyTorch's divisor: the window clipped to the padded input (not the
    ceil-mode overhang), or to the input alone without count_include_pad."""
    N, C, H, W = x.shape
    oH, oW = (_pool_out(n, k, s, p, 1, ceil_mode) for n, k, s, p in
              zip((H, W), kernel_size, stride, padding))
    y, gx = np.zeros((N, C, oH, oW)), np.zeros(x.shape)
    for n, c, h, v in itertools.product(range(N), range(C), range(oH), range(oW)):
        top, left = h * stride[0] - padding[0], v * stride[1] - padding[1]
        bottom = min(top + kernel_size[0], H + padding[0])
        right = min(left + kernel_size[1], W + padding[1])
        divisor = (bottom - top) * (right - left)
        rows = range(max(top, 0), min(bottom, H))
        cols = range(max(left, 0), min(right, W))
        if not count_include_pad:
            divisor = len(rows) * len(cols)
        if divisor_override is not None:
            divisor = divisor_override
        divisor = max(divisor, 1)
        y[n, c, h, v] = sum(x[n, c, r, q] for r in rows for q in cols) / divisor
        if gy is not None:
            for r, q in itertools.product(rows, cols):
                gx[n, c, r, q] += gy[n, c, h, v] / divisor
    return y, gx


def _adaptive_window(i, n, o):
    return range((i * n) // o, -(-((i + 1) * n) // o))


def adaptive_avg_pool2d(x, output_size):
    """Output (h, v) averages rows floor(h H / oH) .. ceil((h + 1) H / oH) - 1 (cols alike)."""
    N, C, H, W = x.shape
    y = np.zeros((N, C, *output_size))
    for n, c, h, v in itertools.product(range(N), range(C), *map(range, output_size)):
        rows, cols = _adaptive_window(h, H, output_size[0]), _adaptive_window(v, W, output_size[1])
        y[n, c, h, v] = np.mean([x[n, c, r, q] for r in rows for q in cols])
    return y


def adaptive_max_pool2d(x, output_size):
    """(y, flat plane indices) over the adaptive windows; the first maximum wins."""
    N, C, H, W = x.shape
    y, index = np.zeros((N, C, *output_size)), np.zeros((N, C, *output_size), dtype=np.int64)
    for n, c, h, v in itertools.product(range(N), range(C), *map(range, output_size)):
        rows, cols = _adaptive_window(h, H, output_size[0]), _adaptive_window(v, W, output_size[1])
        best, where = -np.inf, None
        for r, q in itertools.product(rows, cols):
            if x[n, c, r, q] > best:
                best, where = x[n, c, r, q], r * W + q
        y[n, c, h, v], index[n, c, h, v] = best, where
    return y, index
