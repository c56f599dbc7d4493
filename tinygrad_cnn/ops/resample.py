"""Resampling primitives: padding by reflection, replication or wrap-around, nearest and
linear interpolation, and the gather and scatter-add through index maps that are their VJPs.

The array work is in `kernels/resample.py`. Both public ops are gathers through per-axis
index maps (`AxisMap`), so both have the same derivatives:

    y = boundary_pad(x) or interpolate(x)   gx = scatter(gy)   (the adjoint of a gather)
    y = scatter(g)                          gg = gather(gy)    (the adjoint of a scatter)
    y = gather(x)                           gx = scatter(gy)

The two public ops keep their own names and attributes (mode, padding, size), which graph
labels and the ONNX export read; their VJPs carry the maps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.kernels import resample as kernel
from tinygrad_cnn.kernels.resample import Maps

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor

Pairs = tuple[tuple[int, int], ...]


class BoundaryPad(Function):
    """y = x with `pad_width` ((before, after) per axis) filled from x itself: mirrored about
    the edge ('reflect'), the edge repeated ('replicate') or wrapped around ('circular')."""

    name = "boundary_pad"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, pad_width: Pairs, mode: str) -> np.ndarray:
        return kernel.gather(x, kernel.pad_maps(x.shape, pad_width, mode))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        maps = kernel.pad_maps(ctx.inputs[0].shape, **ctx.attrs)
        return Scatter.apply(grad, maps=maps)

    @classmethod
    def abstract_eval(cls, x: ShapeDtype, *, pad_width: Pairs, mode: str) -> ShapeDtype:
        """Each axis grows by its before + after."""
        shape = tuple(n + before + after for n, (before, after) in zip(x.shape, pad_width))
        return ShapeDtype(shape, x.dtype)


class Interpolate(Function):
    """y = x resized to `size` over its spatial axes: each output pixel the nearest input
    pixel ('nearest') or the linear blend of the two nearest per axis ('linear', 'bilinear',
    'trilinear'), with PyTorch's source positions (`align_corners`, `scales`)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, size: tuple[int, ...], mode: str,
                align_corners: bool, scales: tuple[float | None, ...]) -> np.ndarray:
        return kernel.gather(x, kernel.interpolation_maps(x.shape, size, mode, align_corners,
                                                          scales))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        maps = kernel.interpolation_maps(ctx.inputs[0].shape, **ctx.attrs)
        return Scatter.apply(grad, maps=maps)

    @classmethod
    def abstract_eval(cls, x: ShapeDtype, *, size: tuple[int, ...], mode: str,
                      align_corners: bool, scales: tuple[float | None, ...]) -> ShapeDtype:
        """(N, C, *spatial) -> (N, C, *size)."""
        return ShapeDtype((*x.shape[:2], *size), x.dtype)


class Gather(Function):
    """y = x resampled through `maps`: along each mapped axis, y[o] = Σ_t w[t, o] x[i[t, o]]."""

    name = "resample_gather"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, maps: Maps) -> np.ndarray:
        return kernel.gather(x, maps)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return Scatter.apply(grad, maps=ctx.attrs["maps"])  # the adjoint of a gather

    @classmethod
    def abstract_eval(cls, x: ShapeDtype, *, maps: Maps) -> ShapeDtype:
        """Each mapped axis takes the map's output length."""
        shape = list(x.shape)
        for axis, m in maps:
            shape[axis] = m.length
        return ShapeDtype(tuple(shape), x.dtype)


class Scatter(Function):
    """gx = zeros of the input's shape with each w[t, o] g[o] added at i[t, o], along each
    mapped axis: `Gather`'s transpose."""

    name = "resample_scatter"

    @staticmethod
    def forward(ctx: Context, g: np.ndarray, *, maps: Maps) -> np.ndarray:
        return kernel.scatter(g, maps)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return Gather.apply(grad, maps=ctx.attrs["maps"])  # the adjoint of a scatter

    @classmethod
    def abstract_eval(cls, g: ShapeDtype, *, maps: Maps) -> ShapeDtype:
        """Each mapped axis takes the map's input length."""
        shape = list(g.shape)
        for axis, m in maps:
            shape[axis] = m.size
        return ShapeDtype(tuple(shape), g.dtype)
