"""Elementwise primitives with NumPy broadcasting; each VJP sums back to its input's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.kernels import threaded
from tinygrad_cnn.ops.reduce import sum_to_shape
from tinygrad_cnn.shapes import broadcast_shape

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _both(ctx: Context, ga: Tensor | None, gb: Tensor | None) -> tuple[Tensor | None, ...]:
    """Reduce broadcast gradients to each input's shape, skipping unwanted ones."""
    a, b = ctx.inputs
    return (
        sum_to_shape(ga, a.shape) if ga is not None and ctx.needs_input_grad[0] else None,
        sum_to_shape(gb, b.shape) if gb is not None and ctx.needs_input_grad[1] else None,
    )


class Elementwise(Function):
    """An op whose output has its inputs' broadcast shape and promoted dtype."""

    @classmethod
    def abstract_eval(cls, *inputs: ShapeDtype, **attrs: Any) -> ShapeDtype:
        shape = inputs[0].shape
        for x in inputs[1:]:
            shape = broadcast_shape(cls.op_name(), shape, x.shape)
        return ShapeDtype(shape, np.result_type(*[x.dtype for x in inputs]))


class Add(Elementwise):
    """y = a + b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b if threaded.serial(a) else threaded.ufunc(np.add, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        return _both(ctx, grad, grad)


class Sub(Elementwise):
    """y = a - b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b if threaded.serial(a) else threaded.ufunc(np.subtract, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        return _both(ctx, grad, -grad if ctx.needs_input_grad[1] else None)


class Mul(Elementwise):
    """y = a * b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b if threaded.serial(a) else threaded.ufunc(np.multiply, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        ga = grad * b if ctx.needs_input_grad[0] else None
        gb = grad * a if ctx.needs_input_grad[1] else None
        return _both(ctx, ga, gb)


class Div(Elementwise):
    """y = a / b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        gb = -grad * a / (b * b) if ctx.needs_input_grad[1] else None  # d(a/b)/db = -a/b²
        return _both(ctx, grad / b if ctx.needs_input_grad[0] else None, gb)


class Pow(Elementwise):
    """y = a ** b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a**b

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        ga = grad * b * a ** (b - 1) if ctx.needs_input_grad[0] else None
        gb = grad * a**b * a.log() if ctx.needs_input_grad[1] else None  # d a^b/db = a^b ln a
        return _both(ctx, ga, gb)


class Maximum(Elementwise):
    """y = max(a, b) elementwise; on ties each side gets half the gradient."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(_share(a, b))
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        (share_a,) = ctx.saved_tensors
        return _both(ctx, grad * share_a, grad * (1 - share_a))


class Minimum(Maximum):
    """y = min(a, b) elementwise; on ties each side gets half the gradient (Maximum's VJP)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(_share(b, a))
        return np.minimum(a, b)


def _share(winner: np.ndarray, loser: np.ndarray) -> np.ndarray:
    """1 where `winner` wins, 0.5 on ties, 0 elsewhere, in the result dtype."""
    dtype = np.result_type(winner, loser)
    return (winner > loser).astype(dtype) + 0.5 * (winner == loser).astype(dtype)


class Where(Elementwise):
    """y = a where condition else b (condition is an attribute and gets no gradient)."""

    @classmethod
    def abstract_eval(cls, a: ShapeDtype, b: ShapeDtype, *, condition: np.ndarray) -> ShapeDtype:
        shape, dtype = super().abstract_eval(a, b)
        return ShapeDtype(broadcast_shape("where", shape, condition.shape), dtype)

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray, *, condition: np.ndarray) -> np.ndarray:
        if b.size == 1 and b.ndim <= a.ndim and not b.any():
            # a where condition else 0 (ReLU's and clip's VJPs) as a branch-free product, which
            # a random mask does not slow down as it does np.where; exact unless a holds inf/NaN.
            out = threaded.ufunc(np.multiply, a, condition, dtype=np.result_type(a, b))
            if np.isfinite(out).all():
                return out
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        condition = ctx.attrs["condition"]
        return _both(ctx, grad.where(condition, 0.0), grad.masked_fill(condition, 0.0))


class Clone(Elementwise):
    """y = a copy of x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return x.copy()

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad


class Neg(Elementwise):
    """y = -x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return -grad


class Exp(Elementwise):
    """y = exp(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y  # d exp(x) = exp(x) dx


class Log(Elementwise):
    """y = ln(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Elementwise):
    """y = sqrt(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad / (2 * y)  # d sqrt(x) = dx / (2 sqrt(x))


class Abs(Elementwise):
    """y = |x| (gradient sign(x), 0 at 0)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (sign,) = ctx.saved_tensors
        return grad * sign


class Relu(Elementwise):
    """y = max(x, 0) (gradient 0 at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = threaded.ufunc(np.maximum, x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad.where(y > 0, 0.0)  # the gradient passes where x > 0


class Sigmoid(Elementwise):
    """y = 1 / (1 + exp(-x)), computed without overflow."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        # e^x / (1 + e^x) below 0: as precise as the float allows for x far below 0 (2e-9 at
        # -20 in float32, where 1 - (1 + e^-x)^-1 and tanh's form round to 0)
        e = np.exp(-np.abs(x))
        y = np.asarray(np.where(x >= 0, 1, e) / (1 + e))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


class Tanh(Elementwise):
    """y = tanh(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)


class Clip(Elementwise):
    """y = min(max(x, low), high); the gradient flows where low <= x <= high, as in PyTorch."""

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, low: float | None, high: float | None
    ) -> np.ndarray:
        low = -np.inf if low is None else low
        high = np.inf if high is None else high
        ctx.save_for_backward((x >= low) & (x <= high))
        return np.clip(x, low, high).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (inside,) = ctx.saved_tensors
        return grad.where(inside, 0.0)


class HardTanh(Clip):
    """y = min(max(x, low), high); the gradient flows where low < x < high, as in PyTorch's
    hardtanh (so relu6 has gradient 0 at 0 and at 6, where clamp's is 1)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, low: float, high: float) -> np.ndarray:
        ctx.save_for_backward((x > low) & (x < high))
        return np.clip(x, low, high).astype(x.dtype, copy=False)


class Cast(Function):
    """y = x converted to `dtype`; the gradient is cast back."""

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, dtype: np.dtype) -> ShapeDtype:
        return ShapeDtype(x.shape, np.dtype(dtype))

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dtype: np.dtype) -> np.ndarray:
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad.to(ctx.inputs[0].dtype)
