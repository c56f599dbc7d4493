"""Reduction primitives (sum, max) and the sum-to-shape rule that undoes broadcasting."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.kernels import threaded

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def sum_to_shape(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum `grad` over the axes that broadcasting added or stretched, giving `shape`."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    axes = tuple(range(lead)) + stretched
    return grad.sum(dim=axes, keepdim=True).reshape(shape) if axes else grad.reshape(shape)


def _kept_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """The reduced shape with reduced dims kept as 1."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _reduced(x: ShapeDtype, dims: tuple[int, ...], keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return _kept_shape(x.shape, dims)
    return tuple(n for i, n in enumerate(x.shape) if i not in dims)


def _summed(dtype: np.dtype) -> np.dtype:
    """The dtype of a sum: int64 for bools and integers (as PyTorch), else the input's."""
    return np.dtype(np.int64) if dtype.kind in "biu" else dtype


class Sum(Function):
    """y = sum of x over `dims`."""

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, dims: tuple[int, ...], keepdim: bool) -> ShapeDtype:
        return ShapeDtype(_reduced(x, dims, keepdim), _summed(x.dtype))

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        return np.asarray(threaded.total(x.astype(_summed(x.dtype), copy=False), dims, keepdim))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        shape = ctx.inputs[0].shape
        kept = _kept_shape(shape, ctx.attrs["dims"])
        return grad.reshape(kept).expand(shape)  # every summed element gets the same gradient


class Max(Function):
    """y = max of x over `dims`; tied maxima share the gradient equally (as `torch.amax`)."""

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, dims: tuple[int, ...], keepdim: bool) -> ShapeDtype:
        return ShapeDtype(_reduced(x, dims, keepdim), x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dims: tuple[int, ...], keepdim: bool) -> np.ndarray:
        y = np.asarray(x.max(axis=dims, keepdims=True))
        is_max = (x == y).astype(x.dtype)
        ctx.save_for_backward(is_max / is_max.sum(axis=dims, keepdims=True))
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (share,) = ctx.saved_tensors
        shape = ctx.inputs[0].shape
        return grad.reshape(_kept_shape(shape, ctx.attrs["dims"])) * share
