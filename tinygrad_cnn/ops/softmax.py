"""Softmax and log-softmax along one dimension, stable for large logits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


class LogSoftmax(Function):
    """y = x - log(sum(exp(x), dim)), with the max subtracted first (log-sum-exp)."""

    name = "log_softmax"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dim: int) -> np.ndarray:
        y = _log_softmax(x, dim)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad - y.exp() * grad.sum(dim=ctx.attrs["dim"], keepdim=True)


class Softmax(Function):
    """y = exp(x) / sum(exp(x), dim), with the max subtracted first."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dim: int) -> np.ndarray:
        y = np.exp(_log_softmax(x, dim))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(dim=ctx.attrs["dim"], keepdim=True))
