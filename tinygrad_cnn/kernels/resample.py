"""Resampling along axes by index maps: a gather, its adjoint scatter-add, and the maps of
boundary padding and of nearest and linear interpolation.

One `AxisMap` says how an axis of the output is made from the same axis of the input:

    y[..., o, ...] = Σ_t weight[t, o] · x[..., index[t, o], ...]

with T = 1 tap and no weight for padding and nearest interpolation (a gather), T = 2 taps
for linear interpolation. The maps of a multi-axis resampling apply one axis after another,
so every loop here runs over axes and taps, never over pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np


class AxisMap(NamedTuple):
    """How one output axis reads the input axis: `index` and `weight` (T, out), `size` the
    input's length along the axis; `weight` None means T = 1 with weight 1."""

    index: np.ndarray
    weight: np.ndarray | None
    size: int

    @property
    def length(self) -> int:
        """The output's length along the axis."""
        return self.index.shape[1]


Maps = tuple[tuple[int, AxisMap], ...]  # (axis, map) pairs, applied in order


def _along(vector: np.ndarray, axis: int, ndim: int, dtype: np.dtype) -> np.ndarray:
    """`vector` shaped to broadcast along `axis` of an ndim-array."""
    return vector.astype(dtype, copy=False).reshape((-1,) + (1,) * (ndim - axis - 1))


def gather(x: np.ndarray, maps: Maps) -> np.ndarray:
    """x resampled by every map in turn."""
    for axis, m in maps:
        if m.weight is None:
            x = np.take(x, m.index[0], axis=axis)
            continue
        y = np.take(x, m.index[0], axis=axis) * _along(m.weight[0], axis, x.ndim, x.dtype)
        for index, weight in zip(m.index[1:], m.weight[1:]):
            y += np.take(x, index, axis=axis) * _along(weight, axis, x.ndim, x.dtype)
        x = y
    return x


def scatter(g: np.ndarray, maps: Maps) -> np.ndarray:
    """The adjoint of `gather`: each g value (times its weight) added at the input position it
    was read from, the maps undone in reverse order."""
    for axis, m in reversed(maps):
        g = _scatter_axis(g, axis, m)
    return g


def _scatter_axis(g: np.ndarray, axis: int, m: AxisMap) -> np.ndarray:
    """Sort the T·out contributions by target position, then sum each run with one reduceat."""
    taps = [g] if m.weight is None else [g * _along(w, axis, g.ndim, g.dtype) for w in m.weight]
    values = taps[0] if len(taps) == 1 else np.concatenate(taps, axis=axis)
    targets = m.index.reshape(-1)
    order = np.argsort(targets, kind="stable")
    runs = np.flatnonzero(np.diff(targets[order], prepend=-1))  # where each target's run starts
    sums = np.add.reduceat(np.take(values, order, axis=axis), runs, axis=axis)
    if len(runs) == m.size:  # every input position was read (padding, upsampling)
        return sums
    shape = list(g.shape)
    shape[axis] = m.size
    out = np.zeros(shape, dtype=g.dtype)
    out[(slice(None),) * axis + (targets[order][runs],)] = sums
    return out


# ---- the maps ---------------------------------------------------------------------------------


def pad_map(size: int, before: int, after: int, mode: str) -> AxisMap:
    """Positions -before .. size + after - 1 folded back into [0, size): 'reflect' mirrors
    about the edge pixel (not repeating it), 'replicate' repeats the edge, 'circular' wraps."""
    p = np.arange(-before, size + after)
    if mode == "replicate" or size == 1:
        index = np.clip(p, 0, size - 1)
    elif mode == "circular":
        index = p % size
    else:
        period = p % (2 * size - 2)
        index = np.where(period < size, period, 2 * size - 2 - period)
    return AxisMap(index[None, :], None, size)


def pad_maps(shape: Sequence[int], pad_width: Sequence[tuple[int, int]], mode: str) -> Maps:
    """One map per padded axis, for NumPy-style (before, after) pairs."""
    return tuple((axis, pad_map(n, before, after, mode))
                 for axis, (n, (before, after)) in enumerate(zip(shape, pad_width))
                 if before or after)


def _source_scale(size: int, out: int, scale: float | None, dtype: type = np.float64) -> float:
    """PyTorch's input-per-output step: 1 / scale_factor when one was given, else size / out."""
    return dtype(1.0 / scale) if scale is not None and scale > 0 else dtype(size) / dtype(out)


def nearest_map(size: int, out: int, scale: float | None) -> AxisMap:
    """Output o reads input min(floor(o · step), size - 1), in float32 as PyTorch computes it
    (so the same pixel is picked), with PyTorch's exact shortcuts for 1x and 2x."""
    o = np.arange(out)
    if out == size:
        index = o
    elif out == 2 * size:
        index = o // 2
    else:
        step = _source_scale(size, out, scale, np.float32)
        index = np.minimum(np.floor(o.astype(np.float32) * step).astype(np.int64), size - 1)
    return AxisMap(index[None, :], None, size)


def linear_map(size: int, out: int, align_corners: bool, scale: float | None) -> AxisMap:
    """Output o between inputs i and i + 1 at fraction λ: weights 1 - λ and λ.

    The source position is o · (size - 1) / (out - 1) with `align_corners` (corner pixels
    map to corner pixels), else (o + 0.5) · step - 0.5 clamped at 0 (pixel centres align).
    An axis whose size does not change is copied, whatever the scale, as PyTorch does.
    """
    if out == size:
        return AxisMap(np.arange(out)[None, :], None, size)
    o = np.arange(out, dtype=np.float64)
    if align_corners:
        source = o * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        source = np.maximum((o + 0.5) * _source_scale(size, out, scale) - 0.5, 0.0)
    left = np.minimum(np.floor(source).astype(np.int64), size - 1)
    right = left + (left < size - 1)
    fraction = np.clip(source - left, 0.0, 1.0)
    return AxisMap(np.stack([left, right]), np.stack([1.0 - fraction, fraction]), size)


def interpolation_maps(shape: Sequence[int], size: Sequence[int], mode: str,
                       align_corners: bool, scales: Sequence[float | None]) -> Maps:
    """One map per spatial axis (2, 3, ...) of an (N, C, *spatial) array."""
    maps = []
    for k, (n, out, scale) in enumerate(zip(shape[2:], size, scales)):
        if mode == "nearest":
            maps.append((2 + k, nearest_map(n, out, scale)))
        else:
            maps.append((2 + k, linear_map(n, out, align_corners, scale)))
    return tuple(maps)
