"""Average pooling and its adjoint; adaptive average pooling.

The window ops take their `Geometry` plus PyTorch's divisor options; the array work is in
`kernels/avg_pool.py`, shape letters as in `kernels/conv.py`. Average pooling is linear, so
its VJP is its adjoint (spread each gradient evenly over its window) and the adjoint's VJP is
average pooling again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import avg_pool as kernel

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


class AvgPool(Function):
    """y[n, c, h, w] = Σ of the window at (h, w) of x padded with zeros / divisor[h, w]."""

    name = "avg_pool2d"

    @staticmethod
    def abstract_eval(
        x: ShapeDtype, *, geometry: Geometry, count_include_pad: bool,
        divisor_override: int | None,
    ) -> ShapeDtype:
        return ShapeDtype((*x.shape[:2], *geometry.output_size(x.shape[2:])), x.dtype)

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, geometry: Geometry, count_include_pad: bool,
        divisor_override: int | None,
    ) -> np.ndarray:
        return kernel.average(x, geometry, count_include_pad, divisor_override)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return AvgPoolAdjoint.apply(grad, size=ctx.inputs[0].shape[2:], **ctx.attrs)


class AvgPoolAdjoint(Function):
    """gx = each g[n, c, h, w] / divisor[h, w] added over window (h, w): average pooling's VJP."""

    name = "avg_pool2d_backward"

    @staticmethod
    def abstract_eval(g: ShapeDtype, *, size: tuple[int, ...], **options: object) -> ShapeDtype:
        return ShapeDtype((*g.shape[:2], *size), g.dtype)

    @staticmethod
    def forward(
        ctx: Context, g: np.ndarray, *, size: tuple[int, ...], geometry: Geometry,
        count_include_pad: bool, divisor_override: int | None,
    ) -> np.ndarray:
        return kernel.spread(g, size, geometry, count_include_pad, divisor_override)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        a = ctx.attrs
        return AvgPool.apply(grad, geometry=a["geometry"], count_include_pad=a["count_include_pad"],
                             divisor_override=a["divisor_override"])


class AdaptiveAvgPool(Function):
    """y[n, c] = A_H x[n, c] A_Wᵀ, A the averaging matrices of the adaptive windows."""

    name = "adaptive_avg_pool2d"

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, output_size: tuple[int, int]) -> ShapeDtype:
        return ShapeDtype((*x.shape[:2], *output_size), x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, output_size: tuple[int, int]) -> np.ndarray:
        rows = kernel.averaging_matrix(x.shape[2], output_size[0], x.dtype)  # (oH, H)
        cols = kernel.averaging_matrix(x.shape[3], output_size[1], x.dtype)  # (oW, W)
        ctx.save_for_backward(rows, cols)
        return rows @ x @ cols.T

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        rows, cols = ctx.saved_tensors
        return rows.T @ grad @ cols  # y = A x Bᵀ  =>  dx = Aᵀ dy B
