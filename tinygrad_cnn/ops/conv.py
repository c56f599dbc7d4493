"""Convolution and its two partners, the transposed convolution and the weight gradient.

The ops are 2-D (conv1d is conv2d on a unit height) and take one attribute, their window
`Geometry`; shape letters as in `kernels/conv.py`. Each op's VJP is made of the three, so
every derivative of a convolution, to any order, is again one of them:

    y = conv(x, w)                 gx = conv_transpose(gy, w)    gw = conv_weight_grad(x, gy)
    y = conv_transpose(x, w)       gx = conv(gy, w)              gw = conv_weight_grad(gy, x)
    gw = conv_weight_grad(x, g)    gx = conv_transpose(g, ggw)   gg = conv(x, ggw)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import conv as kernel

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _crop(t: Tensor, size: tuple[int, ...]) -> Tensor:
    """The leading `size` of t's spatial dims (a conv may see a few trailing pixels more)."""
    return t if t.shape[2:] == tuple(size) else t[:, :, : size[0], : size[1]]


class Convolution(Function):
    """y[n, o, h, w] = Σ_c,i,j w[o, c, i, j] x_pad[n, g Cg + c, sH h + dH i, sW w + dW j]."""

    name = "conv2d"

    @staticmethod
    def abstract_eval(x: ShapeDtype, w: ShapeDtype, *, geometry: Geometry) -> ShapeDtype:
        out = geometry.output_size(x.shape[2:])  # (N, O, oH, oW)
        return ShapeDtype((x.shape[0], w.shape[0], *out), np.result_type(x.dtype, w.dtype))

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w: np.ndarray, *, geometry: Geometry) -> np.ndarray:
        ctx.save_for_backward(x, w)
        return kernel.conv(x, w, geometry)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        g: Geometry = ctx.attrs["geometry"]
        gx = gw = None
        if ctx.needs_input_grad[0]:  # dx = conv_transpose(gy, w), sized back to x
            back = g.fitting_output_padding(x.shape[2:], grad.shape[2:])
            gx = ConvTranspose.apply(grad, w, geometry=back)
        if ctx.needs_input_grad[1]:  # dw = Σ over windows of gy ⊗ window
            gw = ConvWeightGrad.apply(x, grad, geometry=g)
        return gx, gw


class ConvTranspose(Function):
    """y = conv_transpose(x, w): x[n, c, h, w] · w[c, o, i, j] is added at output position
    (sH h + dH i - top, sW w + dW j - left); the adjoint of `Convolution` in its input."""

    name = "conv_transpose2d"

    @staticmethod
    def abstract_eval(x: ShapeDtype, w: ShapeDtype, *, geometry: Geometry) -> ShapeDtype:
        size = geometry.transposed_size(x.shape[2:])  # (N, G·Og, *size)
        channels = geometry.groups * w.shape[1]
        return ShapeDtype((x.shape[0], channels, *size), np.result_type(x.dtype, w.dtype))

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, w: np.ndarray, *, geometry: Geometry) -> np.ndarray:
        ctx.save_for_backward(x, w)
        return kernel.conv_transpose(x, w, geometry)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        g: Geometry = ctx.attrs["geometry"]
        gx = gw = None
        if ctx.needs_input_grad[0]:  # dx = conv(gy, w)
            gx = _crop(Convolution.apply(grad, w, geometry=g), x.shape[2:])
        if ctx.needs_input_grad[1]:  # dw: gy plays the conv's input, x its output gradient
            gw = ConvWeightGrad.apply(grad, x, geometry=g)
        return gx, gw


class ConvWeightGrad(Function):
    """gw[o, c, i, j] = Σ_n,h,w gy[n, o, h, w] x_pad[n, g Cg + c, sH h + dH i, sW w + dW j]."""

    name = "conv2d_weight_grad"

    @staticmethod
    def abstract_eval(x: ShapeDtype, gy: ShapeDtype, *, geometry: Geometry) -> ShapeDtype:
        shape = (gy.shape[1], x.shape[1] // geometry.groups, *geometry.kernel)  # (O, Cg, kH, kW)
        return ShapeDtype(shape, np.result_type(x.dtype, gy.dtype))

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, gy: np.ndarray, *, geometry: Geometry) -> np.ndarray:
        ctx.save_for_backward(x, gy)
        return kernel.conv_weight_grad(x, gy, geometry)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, gy = ctx.saved_tensors
        g: Geometry = ctx.attrs["geometry"]
        gx = ggy = None
        if ctx.needs_input_grad[0]:  # linear in x through the windows: conv_transpose(gy, g)
            back = g.fitting_output_padding(x.shape[2:], gy.shape[2:])
            gx = ConvTranspose.apply(gy, grad, geometry=back)
        if ctx.needs_input_grad[1]:  # linear in gy: the conv of x with g
            ggy = _crop(Convolution.apply(x, grad, geometry=g), gy.shape[2:])
        return gx, ggy
