"""Convolutions as functions of tensors: conv1d, conv2d, conv_transpose1d, conv_transpose2d.

Arguments are checked here, once, before any array is touched, and become one `Geometry`;
the primitives in `tinygrad_cnn.ops.conv` are 2-D, so the 1-D versions run them on a unit
height (`Geometry.lifted`). The layers build their geometry once and call `convolution` and
`transposed_convolution` with it, which check only the tensors.
"""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.autograd import Function
from tinygrad_cnn.geometry import (
    Geometry,
    check_groups,
    check_rank,
    conv_geometry,
    conv_transpose_geometry,
)
from tinygrad_cnn.ops.conv import Convolution, ConvTranspose
from tinygrad_cnn.tensor import Tensor

IntOrTuple = int | tuple[int, ...]
Padding = int | tuple[int, ...] | str


def check_input(op: str, input: Any, ndim: int) -> None:
    """A floating-point Tensor of rank ndim + 2, or a TypeError/ValueError naming `op`."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    check_rank(op, input.shape, ndim)
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")


def _check_weight(op: str, input: Tensor, weight: Any, bias: Any, ndim: int, layout: str) -> None:
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != ndim + 2:
        raise ValueError(f"{op}: weight must be {ndim + 2}-D {layout}, got shape "
                         f"{weight.shape}; input {input.shape}")
    if min(weight.shape) < 1:
        raise ValueError(f"{op}: weight {weight.shape} is empty; input {input.shape}")
    tensors = [("weight", weight)] + ([("bias", bias)] if bias is not None else [])
    for name, t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor or None, got {type(t).__name__}")
        if t.dtype != input.dtype:
            raise TypeError(f"{op}: input is {input.dtype} but {name} is {t.dtype}; convert "
                            f"one with .to(dtype)")


def _check_bias(op: str, bias: Tensor | None, out_channels: int, note: str) -> None:
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},) for {out_channels} "
                         f"output channels, got {bias.shape}{note}")


def _check_conv(op: str, input: Tensor, weight: Tensor, bias: Tensor | None, groups: Any,
                ndim: int) -> str:
    """Check a convolution's tensors against each other; returns the note that ends errors."""
    check_input(op, input, ndim)
    _check_weight(op, input, weight, bias, ndim, "(out_channels, in_channels / groups, *kernel)")
    note = f"; input {input.shape}, weight {weight.shape}"
    channels, (out_channels, per_group) = input.shape[1], weight.shape[:2]
    counts = {"input channels": channels, "output channels of the weight": out_channels}
    groups = check_groups(op, groups, counts, note)
    if per_group * groups != channels:
        raise ValueError(f"{op}: input has {channels} channels but weight {weight.shape} with "
                         f"groups={groups} expects {per_group * groups}; input {input.shape}")
    _check_bias(op, bias, out_channels, note)
    return note


def _check_conv_transpose(op: str, input: Tensor, weight: Tensor, bias: Tensor | None,
                          groups: Any, ndim: int) -> str:
    """Check a transposed convolution's tensors against each other; returns the note."""
    check_input(op, input, ndim)
    _check_weight(op, input, weight, bias, ndim, "(in_channels, out_channels / groups, *kernel)")
    note = f"; input {input.shape}, weight {weight.shape}"
    channels, (expected, per_group) = input.shape[1], weight.shape[:2]
    if channels != expected:
        raise ValueError(f"{op}: input has {channels} channels but weight {weight.shape} "
                         f"expects {expected} (its first dim); input {input.shape}")
    groups = check_groups(op, groups, {"input channels": channels}, note)
    _check_bias(op, bias, per_group * groups, note)
    return note


def _check_kernel(op: str, weight: Tensor, geometry: Geometry, note: str) -> None:
    """A ready geometry fits only the kernel it was built for."""
    if tuple(weight.shape[2:]) != geometry.kernel:
        raise ValueError(f"{op}: weight {weight.shape} has kernel {tuple(weight.shape[2:])} "
                         f"but the geometry was built for kernel_size {geometry.kernel}; build "
                         f"a new layer for another kernel size{note}")


def _add_bias(out: Tensor, bias: Tensor | None) -> Tensor:
    """out + bias per channel, an ordinary broadcast add (bias is not part of the primitive)."""
    if bias is None:
        return out
    return out + bias.reshape(-1, *(1,) * (out.ndim - 2))


def _run(primitive: type[Function], input: Tensor, weight: Tensor, bias: Tensor | None,
         geometry: Geometry) -> Tensor:
    """`primitive` (Convolution or ConvTranspose) of checked tensors, whose sizes the
    geometry fits, plus the bias; a 1-D geometry runs the 2-D primitive on a unit height."""
    if len(geometry.kernel) == 2:
        return _add_bias(primitive.apply(input, weight, geometry=geometry), bias)
    out = primitive.apply(input.unsqueeze(2), weight.unsqueeze(2), geometry=geometry.lifted())
    return _add_bias(out.squeeze(2), bias)


def convolution(op: str, input: Tensor, weight: Tensor, bias: Tensor | None,
                geometry: Geometry) -> Tensor:
    """conv1d or conv2d (`op`, for errors) with a geometry built already: the entry of the
    layers, which build theirs once."""
    note = _check_conv(op, input, weight, bias, geometry.groups, len(geometry.kernel))
    _check_kernel(op, weight, geometry, note)
    geometry.output_size(input.shape[2:], op, note)
    return _run(Convolution, input, weight, bias, geometry)


def transposed_convolution(op: str, input: Tensor, weight: Tensor, bias: Tensor | None,
                           geometry: Geometry) -> Tensor:
    """conv_transpose1d or conv_transpose2d with a geometry built already (the layers')."""
    note = _check_conv_transpose(op, input, weight, bias, geometry.groups, len(geometry.kernel))
    _check_kernel(op, weight, geometry, note)
    geometry.transposed_size(input.shape[2:], op, note)
    return _run(ConvTranspose, input, weight, bias, geometry)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation (PyTorch's conv2d): out[n, o] = Σ_c w[o, c] ⋆ x[n, c] + b[o].

    Args:
        input: (N, C, H, W).
        weight: (O, C / groups, kH, kW).
        bias: (O,) or None.
        stride: the step between windows, an int or (sH, sW).
        padding: zeros around the input: an int, (pH, pW), (left, right, top, bottom),
            'valid' (none) or 'same' (output as large as the input; stride 1 only).
        dilation: the spacing between kernel taps, an int or (dH, dW).
        groups: split the channels into this many independent convolutions (groups = C
            with O = C is a depthwise convolution).

    Returns:
        (N, O, oH, oW) with oH = floor((H + top + bottom - dH (kH - 1) - 1) / sH) + 1
        (`tinygrad_cnn.summary.conv_output_size`), in the input's dtype.

    Raises:
        ValueError: for channels that do not match the weight, groups that do not divide
            them, a kernel larger than the padded input, stride or dilation below 1,
            negative padding, or a tensor of the wrong rank; the message names the argument
            and the shapes.
        TypeError: for non-Tensor arguments or mixed dtypes.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> x = Tensor(np.arange(1.0, 17.0).reshape(1, 1, 4, 4))
        >>> w = Tensor(np.array([[[[0.0, 0, 0], [0, 1, 0], [0, -1, 0]]]]))
        >>> F.conv2d(x, w).tolist()
        [[[[-4.0, -4.0], [-4.0, -4.0]]]]
    """
    note = _check_conv("conv2d", input, weight, bias, groups, 2)
    geometry = conv_geometry("conv2d", weight.shape[2:], stride, padding, dilation, groups, 2,
                             note)
    geometry.output_size(input.shape[2:], "conv2d", note)
    return _run(Convolution, input, weight, bias, geometry)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrTuple = 1,
           padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C, L) with weight (O, C / groups, k): conv2d on a unit
    height.

    Args and Raises as `conv2d`, one value per argument; padding is an int, (left, right),
    'valid' or 'same'.

    Returns:
        (N, O, oL) with oL = floor((L + left + right - d (k - 1) - 1) / s) + 1.
    """
    note = _check_conv("conv1d", input, weight, bias, groups, 1)
    geometry = conv_geometry("conv1d", weight.shape[2:], stride, padding, dilation, groups, 1,
                             note)
    geometry.output_size(input.shape[2:], "conv1d", note)
    return _run(Convolution, input, weight, bias, geometry)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """2-D transposed convolution: the gradient of conv2d with respect to its input.

    Each input pixel x[n, c, h, w] adds x · weight[c, o] to the output window at
    (sH h, sW w); then `padding` rows and columns are cut from each side.

    Args:
        input: (N, C, H, W).
        weight: (C, O / groups, kH, kW).
        bias: (O,) or None.
        stride: an int or (sH, sW).
        padding: an int, (pH, pW) or (left, right, top, bottom), cut from the output.
        output_padding: rows and columns added at the bottom and right, to reach the input
            size of a strided conv2d that dropped them; smaller than stride or dilation.
        groups: independent groups of channels.
        dilation: the spacing between kernel taps.

    Returns:
        (N, O, oH, oW) with oH = (H - 1) sH - top - bottom + dH (kH - 1) + output_padding + 1.

    Raises:
        ValueError: as `conv2d`, and for an output_padding too large or a padding that
            removes the whole output.
        TypeError: for non-Tensor arguments or mixed dtypes.
    """
    note = _check_conv_transpose("conv_transpose2d", input, weight, bias, groups, 2)
    geometry = conv_transpose_geometry("conv_transpose2d", weight.shape[2:], stride, padding,
                                       output_padding, dilation, groups, 2, note)
    geometry.transposed_size(input.shape[2:], "conv_transpose2d", note)
    return _run(ConvTranspose, input, weight, bias, geometry)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> Tensor:
    """1-D transposed convolution over (N, C, L) with weight (C, O / groups, k).

    Args, Returns and Raises as `conv_transpose2d`, one value per argument.
    """
    note = _check_conv_transpose("conv_transpose1d", input, weight, bias, groups, 1)
    geometry = conv_transpose_geometry("conv_transpose1d", weight.shape[2:], stride, padding,
                                       output_padding, dilation, groups, 1, note)
    geometry.transposed_size(input.shape[2:], "conv_transpose1d", note)
    return _run(ConvTranspose, input, weight, bias, geometry)
