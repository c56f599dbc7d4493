"""Normalisation by statistics of the input: batch norm's per-channel standardisation with its
scale and shift, and the standardisation over trailing dims behind layer and group norm.

The forward is two passes for the statistics (the mean, then the squares of x - mean, in
`kernels/norm.py`) and the scaling in place. Both VJPs are the closed form of the
standardisation's, with x̂ = (x - mean) · rstd and rstd = 1 / sqrt(var + eps):

    gx = rstd · (ĝ - mean(ĝ) - x̂ · mean(ĝ · x̂)),   ĝ the gradient reaching x̂

two reductions (Σ g, and Σ g · (x - mean) as a matrix product per row) and a few passes,
instead of a VJP for each of the dozen ops the formula is made of. The statistics are
functions of x, so a gradient that will itself be differentiated (`create_graph=True`)
recomputes them with tensor ops from x; otherwise the forward's are used as constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype, grad_mode
from tinygrad_cnn.kernels import norm as kernel
from tinygrad_cnn.kernels import threaded

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


@dataclass
class RunningStats:
    """Running estimates a batch norm updates in place as it normalises a batch (as PyTorch's
    native op does): ``running = (1 - momentum) · running + momentum · batch``, with the
    batch's unbiased variance.

    Attributes:
        mean: (C,) running mean, updated in place.
        var: (C,) running variance, updated in place.
        momentum: the weight of each batch.
    """

    mean: np.ndarray
    var: np.ndarray
    momentum: float

    def update(self, mean: np.ndarray, var: np.ndarray, count: int) -> None:
        """Fold in a batch's mean and biased variance over `count` values per channel."""
        unbiased = var * (count / (count - 1))
        for running, batch in ((self.mean, mean), (self.var, unbiased)):
            running *= 1.0 - self.momentum
            running += self.momentum * batch.reshape(running.shape).astype(running.dtype)


def _statistics(x: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor]:
    """x - mean and rstd over `dims` as tensor ops of x, so that they are differentiable in x."""
    centred = x - x.mean(dims, keepdim=True)
    return centred, ((centred * centred).mean(dims, keepdim=True) + eps) ** -0.5


def _dot(a: Tensor, b: Tensor, dims: tuple[int, ...]) -> Tensor:
    """Σ a · b over `dims`, kept as 1s: the trailing ones as a matrix product per row (no
    temporary a · b), the rest summed after."""
    trailing = kernel.trailing_dims(a.ndim, dims)
    if trailing == 0:
        return (a * b).sum(dims, keepdim=True)
    lead = a.shape[: a.ndim - trailing]
    rows = math.prod(lead)
    products = (a.reshape(rows, 1, -1) @ b.reshape(rows, -1, 1)).reshape(lead)
    rest = tuple(d for d in dims if d < a.ndim - trailing)
    if rest:
        products = products.sum(rest, keepdim=True)
    return products.reshape(*products.shape, *([1] * trailing))


def _vjp(grad: Tensor, centred: Tensor, rstd: Tensor | np.ndarray, scale: Tensor | np.ndarray,
         dims: tuple[int, ...]) -> tuple[Tensor, Tensor, Tensor]:
    """The VJP of y = x̂ · k (+ a shift), k constant over `dims` and x̂ = centred · rstd, given
    scale = k · rstd: (gx, Σ g, Σ g · x̂) with gx = scale · (g - mean(g) - x̂ · mean(g · x̂)),
    the sums and means over `dims` (Σ g and Σ g · x̂ are the shift's and k's gradients)."""
    count = math.prod(grad.shape[d] for d in dims)
    g_sum, gxhat_sum = grad.sum(dims, keepdim=True), _dot(grad, centred, dims) * rstd
    gx = grad * scale - centred * (scale * rstd * gxhat_sum / count) - scale * g_sum / count
    return gx, g_sum, gxhat_sum


class BatchNormalize(Function):
    """y = (x - mean) / sqrt(var + eps) · w + b per channel of (N, C, *), with the mean and
    biased variance of the batch over N and every position."""

    name = "batch_norm"

    @staticmethod
    def abstract_eval(x: ShapeDtype, w: ShapeDtype, b: ShapeDtype, *, eps: float,
                      running: RunningStats | None) -> ShapeDtype:
        return ShapeDtype(x.shape, x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w: np.ndarray, b: np.ndarray, *, eps: float,
                running: RunningStats | None) -> np.ndarray:
        dims = _channel_dims(x.ndim)
        y, mean, var, rstd = kernel.moments(x, dims, eps)
        if running is not None:
            running.update(mean, var, x.size // x.shape[1])
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, w)
            ctx.statistics = (mean, rstd)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        threaded.ufunc(np.multiply, y, rstd * w.reshape(shape), out=y)  # y held x - mean
        return threaded.ufunc(np.add, y, b.reshape(shape), out=y)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        dims = _channel_dims(x.ndim)
        if grad_mode.switches().enabled:  # differentiable in x: statistics from tensor ops
            centred, rstd = _statistics(x, dims, ctx.attrs["eps"])
        else:  # the forward's statistics, as constants
            mean, rstd = ctx.statistics
            centred = x - mean
        scale = w.reshape((1, -1) + (1,) * (x.ndim - 2)) * rstd  # ĝ = g · w, w per channel
        gx, g_sum, gxhat_sum = _vjp(grad, centred, rstd, scale, dims)
        return (gx if ctx.needs_input_grad[0] else None,
                gxhat_sum.reshape(-1) if ctx.needs_input_grad[1] else None,
                g_sum.reshape(-1) if ctx.needs_input_grad[2] else None)


class Standardize(Function):
    """y = (x - mean) / sqrt(var + eps), the mean and biased variance over `dims`, separately
    for every index of the other dims (layer norm: a sample's trailing dims; group norm: a
    sample's group, viewed as (N, G, C/G · H · W))."""

    name = "standardize"

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, dims: tuple[int, ...], eps: float) -> ShapeDtype:
        return ShapeDtype(x.shape, x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dims: tuple[int, ...], eps: float
                ) -> np.ndarray:
        y, _, _, rstd = kernel.moments(x, dims, eps)
        threaded.ufunc(np.multiply, y, rstd, out=y)  # in place: y held x - mean
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, y)
            ctx.rstd = rstd
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        dims = ctx.attrs["dims"]
        if grad_mode.switches().enabled:  # differentiable in x: statistics from tensor ops
            centred, rstd = _statistics(x, dims, ctx.attrs["eps"])
            return _vjp(grad, centred, rstd, rstd, dims)[0]
        return _vjp(grad, y, 1.0, ctx.rstd, dims)[0]  # the forward's x̂ and rstd, as constants


def _channel_dims(ndim: int) -> tuple[int, ...]:
    """The dims batch norm's statistics run over: all but the channels (dim 1)."""
    return (0, *range(2, ndim))
