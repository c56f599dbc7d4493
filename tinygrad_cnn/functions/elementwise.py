"""The torch-style elementwise functions: `tg.exp(x)`, `tg.relu(x)`, `tg.clamp(x, 0, 1)`,
`tg.softmax(x, 1)`, ..., of a tensor or an ndarray."""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.creation import as_tensor
from tinygrad_cnn.tensor import Tensor


def exp(input: Any) -> Tensor:
    """e ** x, elementwise."""
    return as_tensor(input).exp()


def log(input: Any) -> Tensor:
    """The natural logarithm, elementwise."""
    return as_tensor(input).log()


def sqrt(input: Any) -> Tensor:
    """The square root, elementwise."""
    return as_tensor(input).sqrt()


def abs(input: Any) -> Tensor:
    """The absolute value, elementwise."""
    return as_tensor(input).abs()


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent, elementwise."""
    return as_tensor(input) ** exponent


def sigmoid(input: Any) -> Tensor:
    """1 / (1 + e ** -x), elementwise."""
    return as_tensor(input).sigmoid()


def tanh(input: Any) -> Tensor:
    """The hyperbolic tangent, elementwise."""
    return as_tensor(input).tanh()


def relu(input: Any) -> Tensor:
    """max(x, 0), elementwise."""
    return as_tensor(input).relu()


def clamp(input: Any, min: float | None = None, max: float | None = None) -> Tensor:
    """`input` limited to [min, max] (either may be None)."""
    return as_tensor(input).clamp(min, max)


clip = clamp


def maximum(input: Any, other: Any) -> Tensor:
    """The larger of the two, elementwise."""
    return as_tensor(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:
    """The smaller of the two, elementwise."""
    return as_tensor(input).minimum(other)


def softmax(input: Any, dim: int, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, in `dtype` if given."""
    x = as_tensor(input)
    return (x if dtype is None else x.to(dtype)).softmax(dim)


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably, in `dtype` if given."""
    x = as_tensor(input)
    return (x if dtype is None else x.to(dtype)).log_softmax(dim)
