"""Matrix product with NumPy's batch broadcasting."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.kernels import threaded
from tinygrad_cnn.ops.reduce import sum_to_shape
from tinygrad_cnn.shapes import matmul_shape

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


class MatMul(Function):
    """y = a @ b for a, b of rank >= 2; leading (batch) dims broadcast."""

    @staticmethod
    def abstract_eval(a: ShapeDtype, b: ShapeDtype) -> ShapeDtype:
        return ShapeDtype(matmul_shape(a.shape, b.shape), np.result_type(a.dtype, b.dtype))

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return threaded.matmul(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        ga = sum_to_shape(grad @ b.mT, a.shape) if ctx.needs_input_grad[0] else None
        gb = sum_to_shape(a.mT @ grad, b.shape) if ctx.needs_input_grad[1] else None
        return ga, gb  # dA = G Bᵀ, dB = Aᵀ G
