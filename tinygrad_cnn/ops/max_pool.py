"""Max pooling, and the scatter and gather through its winners that make up its derivatives.

The window ops take their `Geometry` (max pooling also `return_indices`, for the winners as
a second output that carries no gradient); the array work is in `kernels/max_pool.py`, shape
letters as in `kernels/conv.py`.

    y = max_pool(x)         gx = scatter(gy)     (to each window's winner)
    y = scatter(g)          gg = gather(gy)      (the adjoint of a scatter is the gather)
    y = gather(x)           gx = scatter(gy)

Adaptive max pooling finds its winners once and routes its gradient with `ScatterAdd`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import max_pool as kernel
from tinygrad_cnn.ops.movement import ScatterAdd

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


class MaxPool(Function):
    """y[n, c, h, w] = max of the window at (h, w) of x padded with -inf; with
    `return_indices`, also where: the flat index h·W + w of each maximum in its input plane."""

    name = "max_pool2d"

    @staticmethod
    def abstract_eval(
        x: ShapeDtype, *, geometry: Geometry, return_indices: bool = False
    ) -> ShapeDtype | tuple[ShapeDtype, ShapeDtype]:
        y = ShapeDtype((*x.shape[:2], *geometry.output_size(x.shape[2:])), x.dtype)
        return (y, ShapeDtype(y.shape, np.dtype(np.int64))) if return_indices else y

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, geometry: Geometry, return_indices: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        wanted = ctx.needs_input_grad[0] or return_indices
        y, winners = kernel.window_max(x, geometry, winners=wanted)
        ctx.save_for_backward(winners)
        if not return_indices:
            return y
        return y, kernel.plane_indices(winners, x.shape[2:], geometry)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (winners,) = ctx.saved_tensors
        size = ctx.inputs[0].shape[2:]  # each window's gradient goes to its winner alone
        return WinnerScatter.apply(grad, winners=winners.data, size=size,
                                   geometry=ctx.attrs["geometry"])


class WinnerScatter(Function):
    """gx = zeros (N, C, H, W) with each g[n, c, h, w] added at its window's winner."""

    name = "max_pool2d_backward"

    @staticmethod
    def abstract_eval(
        g: ShapeDtype, *, winners: np.ndarray, size: tuple[int, ...], geometry: Geometry
    ) -> ShapeDtype:
        return ShapeDtype((*g.shape[:2], *size), g.dtype)

    @staticmethod
    def forward(
        ctx: Context, g: np.ndarray, *, winners: np.ndarray, size: tuple[int, ...],
        geometry: Geometry,
    ) -> np.ndarray:
        return kernel.scatter(g, winners, size, geometry)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        # the adjoint of the scatter is the gather
        return WinnerGather.apply(grad, winners=ctx.attrs["winners"],
                                  geometry=ctx.attrs["geometry"])


class WinnerGather(Function):
    """y[n, c, h, w] = x at the winner of window (h, w): max pooling with the winners fixed."""

    name = "max_pool2d_gather"

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, winners: np.ndarray, geometry: Geometry) -> ShapeDtype:
        return ShapeDtype(winners.shape[1:], x.dtype)

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, winners: np.ndarray, geometry: Geometry
    ) -> np.ndarray:
        return kernel.gather(x, winners, geometry)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        size = ctx.inputs[0].shape[2:]
        return WinnerScatter.apply(grad, winners=ctx.attrs["winners"], size=size,
                                   geometry=ctx.attrs["geometry"])


class AdaptiveMaxPool(Function):
    """y[n, c, h, w] = max of adaptive window (h, w) of x; ties go to the first maximum; with
    `return_indices`, also the flat index h·W + w of each maximum in its input plane."""

    name = "adaptive_max_pool2d"

    @staticmethod
    def abstract_eval(
        x: ShapeDtype, *, output_size: tuple[int, int], return_indices: bool = False
    ) -> ShapeDtype | tuple[ShapeDtype, ShapeDtype]:
        y = ShapeDtype((*x.shape[:2], *output_size), x.dtype)
        return (y, ShapeDtype(y.shape, np.dtype(np.int64))) if return_indices else y

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, output_size: tuple[int, int], return_indices: bool = False
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        winners = kernel.adaptive_winners(x, output_size)  # flat plane indices already
        ctx.save_for_backward(winners)
        y = x[kernel.plane_index(winners, x.shape[3])]
        # a copy: writes into the indices a user holds must not move the gradient
        return (y, winners.copy()) if return_indices else y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (winners,) = ctx.saved_tensors
        shape = ctx.inputs[0].shape  # a scatter to the winners; its VJP is the gather
        index = kernel.plane_index(winners.data, shape[3])
        return ScatterAdd.apply(grad, shape=shape, index=index)
