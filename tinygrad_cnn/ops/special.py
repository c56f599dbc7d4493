"""Special-function primitives: the error function, the one GELU needs that NumPy lacks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.kernels.special import erf

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


class Erf(Function):
    """y = erf(x) = 2/√π ∫₀ˣ exp(-t²) dt."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()  # d erf = 2/√π e^(-x²) dx

    @classmethod
    def abstract_eval(cls, x: ShapeDtype) -> ShapeDtype:
        """Elementwise: the input's shape and dtype."""
        return x
