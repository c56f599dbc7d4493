"""Elementwise primitives with NumPy broadcasting; each VJP sums back to its input's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function
from tinygrad_cnn.ops.reduce import sum_to_shape

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _both(ctx: Context, ga: Tensor | None, gb: Tensor | None) -> tuple[Tensor | None, ...]:
    """Reduce broadcast gradients to each input's shape, skipping unwanted ones."""
    a, b = ctx.inputs
    return (
        sum_to_shape(ga, a.shape) if ga is not None and ctx.needs_input_grad[0] else None,
        sum_to_shape(gb, b.shape) if gb is not None and ctx.needs_input_grad[1] else None,
    )


class Add(Function):
    """y = a + b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        return _both(ctx, grad, grad)


class Sub(Function):
    """y = a - b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        return _both(ctx, grad, -grad if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = a * b."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        a, b = ctx.saved_tensors
        ga = grad * b if ctx.needs_input_grad[0] else None
        gb = grad * a if ctx.needs_input_grad[1] else None
        return _both(ctx, ga, gb)


class Div(Function):
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


class Pow(Function):
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


class Maximum(Function):
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


class Where(Function):
    """y = a where condition else b (condition is an attribute and gets no gradient)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray, *, condition: np.ndarray) -> np.ndarray:
        if b.size == 1 and b.ndim <= a.ndim and not b.any():
            # a where condition else 0 (ReLU's and clip's VJPs) as a branch-free product, which
            # a random mask does not slow down as it does np.where; exact unless a holds inf/NaN.
            out = np.multiply(a, condition, dtype=np.result_type(a, b))
            if np.isfinite(out).all():
                return out
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        condition = ctx.attrs["condition"]
        return _both(ctx, grad.where(condition, 0.0), grad.zeros_like().where(condition, grad))


class Neg(Function):
    """y = -x."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        return -x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return -grad


class Exp(Function):
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


class Log(Function):
    """y = ln(x)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x


class Sqrt(Function):
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


class Abs(Function):
    """y = |x| (gradient sign(x), 0 at 0)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (sign,) = ctx.saved_tensors
        return grad * sign


class Relu(Function):
    """y = max(x, 0) (gradient 0 at 0, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad.where(y > 0, 0.0)  # the gradient passes where x > 0


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed without overflow."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        y = np.asarray(0.5 * (1 + np.tanh(0.5 * x)), dtype=x.dtype)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)


class Tanh(Function):
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


class Clip(Function):
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


class Cast(Function):
    """y = x converted to `dtype`; the gradient is cast back."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dtype: np.dtype) -> np.ndarray:
        return x.astype(dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad.to(ctx.inputs[0].dtype)
