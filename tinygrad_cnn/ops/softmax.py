"""Softmax, log-softmax and cross-entropy (log-softmax + NLL fused), stable for large logits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype, grad_mode

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


class LogSoftmax(Function):
    """y = x - log(sum(exp(x), dim)), with the max subtracted first (log-sum-exp)."""

    name = "log_softmax"

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, dim: int) -> ShapeDtype:
        return x

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
    def abstract_eval(x: ShapeDtype, *, dim: int) -> ShapeDtype:
        return x

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dim: int) -> np.ndarray:
        y = np.exp(_log_softmax(x, dim))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(dim=ctx.attrs["dim"], keepdim=True))


class SoftmaxCrossEntropy(Function):
    """loss[n] = weight[n] (logsumexp(x[n]) - x[n, target[n]]) for logits x (N, C); summed
    and multiplied by `scale` unless `scale` is None (then one loss per sample)."""

    name = "cross_entropy"

    @staticmethod
    def abstract_eval(
        x: ShapeDtype, *, target: np.ndarray, weight: np.ndarray, scale: float | None
    ) -> ShapeDtype:
        return ShapeDtype(x.shape[:1] if scale is None else (), x.dtype)

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, target: np.ndarray, weight: np.ndarray,
        scale: float | None,
    ) -> np.ndarray:
        shifted = x - x.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        losses = weight * (np.log(total[:, 0]) - shifted[np.arange(len(x)), target])
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, np.divide(exp, total, out=exp))  # x, softmax(x)
        return losses if scale is None else np.asarray(losses.sum() * scale, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        x, probs = ctx.saved_tensors
        target, weight, scale = ctx.attrs["target"], ctx.attrs["weight"], ctx.attrs["scale"]
        # softmax(x) again as a tensor op when the gradient is being recorded (create_graph),
        # so it is differentiable in x; otherwise the probabilities the forward kept.
        if grad_mode.switches().enabled:
            probs = x.softmax(1)
        onehot = np.zeros(x.shape, dtype=x.dtype)
        onehot[np.arange(len(target)), target] = 1
        per_sample = grad.reshape(-1, 1) if scale is None else grad * scale
        return (probs - onehot) * (per_sample * weight[:, None])  # w (p - 1_t)
