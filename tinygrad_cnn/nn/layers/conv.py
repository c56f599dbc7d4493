"""Convolution layers: Conv1d, Conv2d and ConvTranspose2d, each calling F with its geometry."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.arguments import is_int, positive_int
from tinygrad_cnn.autograd import dtypes
from tinygrad_cnn.geometry import (
    Geometry,
    check_groups,
    conv_geometry,
    conv_transpose_geometry,
    spatial_tuple,
)
from tinygrad_cnn.nn import init
from tinygrad_cnn.nn.functional.conv import convolution, transposed_convolution
from tinygrad_cnn.nn.layers.window import WindowLayer
from tinygrad_cnn.nn.parameter import Parameter
from tinygrad_cnn.tensor import Tensor

Padding = int | tuple[int, ...] | str


class _ConvNd(WindowLayer):
    """Parameters, geometry, default init and repr shared by the convolution layers."""

    dims = 2
    transposed = False
    geometry_args = ("kernel_size", "stride", "padding", "dilation", "groups", "output_padding")

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, ...],
                 stride: int | tuple[int, ...], padding: Padding, dilation: int | tuple[int, ...],
                 groups: int, bias: bool, padding_mode: str, device: Any, dtype: Any,
                 output_padding: int | tuple[int, ...] = 0):
        super().__init__()
        layer = type(self).__name__
        dtypes.check_device(layer, device)
        self.in_channels = positive_int(layer, "in_channels", in_channels)
        self.out_channels = positive_int(layer, "out_channels", out_channels)
        self.groups = check_groups(layer, groups, {"in_channels": in_channels,
                                                   "out_channels": out_channels})
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.output_padding = dilation, output_padding
        g = self.build_geometry()
        self.kernel_size, self.stride, self.dilation = g.kernel, g.stride, g.dilation
        self.output_padding = g.output_padding or (0,) * self.dims
        # kept as given (a tuple per dim, as PyTorch shows it)
        self.padding = padding if isinstance(padding, str) else (
            spatial_tuple(layer, "padding", padding, self.dims, minimum=0)
            if is_int(padding) or len(padding) == self.dims else tuple(padding))
        if padding_mode != "zeros":
            raise ValueError(f"{layer}: padding_mode {padding_mode!r} is not supported; "
                             "only 'zeros'")
        self.padding_mode = padding_mode
        dtype = np.dtype(dtype or np.float32)
        if self.transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.geometry = g
        self.reset_parameters()

    def build_geometry(self, kernel_size: tuple[int, ...] | None = None) -> Geometry:
        """The checked geometry of the current kernel_size (or the one given), stride,
        padding, dilation and groups (and output_padding, transposed)."""
        layer, kernel = type(self).__name__, kernel_size or self.kernel_size
        if self.transposed:
            return conv_transpose_geometry(layer, kernel, self.stride, self.padding,
                                           self.output_padding, self.dilation, self.groups,
                                           self.dims)
        return conv_geometry(layer, kernel, self.stride, self.padding, self.dilation,
                             self.groups, self.dims)

    def _weight_geometry(self) -> Geometry:
        """The geometry for the current weight: the layer's own, or for a weight assigned
        with another kernel size one built for that kernel, as PyTorch's layers follow their
        weight (kernel_size still says what the layer was built with)."""
        kernel = tuple(self.weight.shape[2:])
        if kernel == self.geometry.kernel or len(kernel) != self.dims:
            return self.geometry  # a weight of the wrong rank is F's to refuse
        return self.build_geometry(kernel)

    def reset_parameters(self) -> None:
        """Draw fresh weights as PyTorch does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both."""
        init.default_layer_init_(self.weight, self.bias)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) -> (N, C_out, L_out), PyTorch's arguments and init.

    Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out (filters).
        kernel_size: the window length k.
        stride: the step between windows.
        padding: zeros added at both ends, a (left, right) pair, 'valid' (none) or 'same'.
        dilation: the spacing between kernel taps.
        groups: split channels into this many independent groups.
        bias: learn an additive bias per output channel.
        padding_mode: only 'zeros'.
        device: only the CPU.
        dtype: the parameters' dtype (float32 by default).
    """

    dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int],
                 stride: int | tuple[int] = 1, padding: Padding = 0,
                 dilation: int | tuple[int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """The convolution of `input` with `weight`, plus `bias`."""
        return convolution("conv1d", input, self.weight, self.bias, self._weight_geometry())


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out), as PyTorch's.

    Weight (C_out, C_in / groups, kH, kW) and bias (C_out,) start as PyTorch's:
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = C_in / groups × kH × kW.

    Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out (filters).
        kernel_size: the window (kH, kW), or one int for both.
        stride: the step between windows, an int or a pair.
        padding: zeros added on each side: an int, a pair, a 4-tuple (left, right, top,
            bottom), 'valid' (none) or 'same' (output as large as the input; stride 1).
        dilation: the spacing between kernel taps, an int or a pair.
        groups: split channels into this many independent groups.
        bias: learn an additive bias per output channel.
        padding_mode: only 'zeros'.
        device: only the CPU.
        dtype: the parameters' dtype (float32 by default).

    Examples:
        >>> from tinygrad_cnn import eval_shape, nn
        >>> conv = nn.Conv2d(1, 6, 5)
        >>> conv
        Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
        >>> eval_shape(conv, (64, 1, 28, 28))
        (64, 6, 24, 24)
    """

    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: Padding = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """The convolution of `input` with `weight`, plus `bias`."""
        return convolution("conv2d", input, self.weight, self.bias, self._weight_geometry())


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the gradient of Conv2d): (N, C_in, H, W) -> upsampled.

    H_out = (H - 1) × stride - 2 × padding + dilation × (kH - 1) + output_padding + 1.
    Weight (C_in, C_out / groups, kH, kW), initialised as PyTorch's.

    Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out.
        kernel_size: the window (kH, kW), or one int for both.
        stride: the upsampling step, an int or a pair.
        padding: rows and columns removed from each side of the full output.
        output_padding: extra rows and columns added to one side, to pick among the input
            sizes that a strided Conv2d maps to the same output size.
        groups: split channels into this many independent groups.
        bias: learn an additive bias per output channel.
        dilation: the spacing between kernel taps.
        padding_mode: only 'zeros'.
        device: only the CPU.
        dtype: the parameters' dtype (float32 by default).
    """

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 output_padding: int | tuple[int, int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, int] = 1, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def forward(self, input: Tensor) -> Tensor:
        """The transposed convolution of `input` with `weight`, plus `bias`."""
        return transposed_convolution("conv_transpose2d", input, self.weight, self.bias,
                                      self._weight_geometry())
