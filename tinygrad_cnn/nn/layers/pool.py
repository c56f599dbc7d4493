"""Pooling layers: max and average over windows (1-D and 2-D), and adaptive average and max
pooling."""

from __future__ import annotations

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.geometry import Geometry, pool_geometry
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.pool import avg_pooling, max_pooling
from tinygrad_cnn.nn.layers.window import WindowLayer
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor

IntOrTuple = int | tuple[int, ...]


class _PoolNd(WindowLayer):
    """The window arguments, kept as given, and the geometry built from them, shared by max
    and average pooling."""

    dims = 2
    geometry_args = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None, padding: IntOrTuple,
                 dilation: IntOrTuple, ceil_mode: bool):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.ceil_mode = ceil_mode
        self.geometry = self.build_geometry()

    def build_geometry(self) -> Geometry:
        """The checked geometry of the current kernel_size, stride, padding, dilation and
        ceil_mode."""
        return pool_geometry(type(self).__name__, self.kernel_size, self.stride, self.padding,
                             self.dilation, self.ceil_mode, self.dims)


class _MaxPoolNd(_PoolNd):
    """Max pooling's arguments and repr."""

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, dilation: IntOrTuple = 1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__(kernel_size, stride, padding, dilation, ceil_mode)
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The maximum over each window of (N, C, L); the gradient goes to the first maximum.

    Args:
        kernel_size: the window length.
        stride: the step between windows (default: kernel_size).
        padding: implicit -inf added at both ends (at most half the window).
        dilation: the spacing between window taps.
        return_indices: also return the flat index of each maximum.
        ceil_mode: round the output length up, so a partial window at the end counts.
    """

    dims = 1

    def forward(self, input: Tensor) -> Tensor:
        """The window maxima (and their indices, if asked)."""
        return max_pooling("max_pool1d", input, self.geometry, self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """The maximum over each window of (N, C, H, W); the gradient goes to the first maximum.

    Args:
        kernel_size: the window (kH, kW), or one int for both.
        stride: the step between windows (default: kernel_size).
        padding: implicit -inf added on each side (at most half the window).
        dilation: the spacing between window taps.
        return_indices: also return the flat index of each maximum.
        ceil_mode: round output sizes up, so partial windows at the edge count.

    Examples:
        >>> from tinygrad_cnn import eval_shape, nn
        >>> eval_shape(nn.MaxPool2d(2), (1, 6, 24, 24))
        (1, 6, 12, 12)
    """

    dims = 2

    def forward(self, input: Tensor) -> Tensor:
        """The window maxima (and their indices, if asked)."""
        return max_pooling("max_pool2d", input, self.geometry, self.return_indices)


class AvgPool1d(_PoolNd):
    """The mean over each window of (N, C, L).

    Args:
        kernel_size: the window length.
        stride: the step between windows (default: kernel_size).
        padding: zeros added at both ends (at most half the window).
        ceil_mode: round the output length up, so a partial window at the end counts.
        count_include_pad: count padded zeros in the divisor.
    """

    dims = 1

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = count_include_pad
        # PyTorch keeps 1-D average pooling's arguments as 1-tuples
        g = self.geometry
        self.kernel_size, self.stride, self.padding = g.kernel, g.stride, (g.padding[0][0],)

    def forward(self, input: Tensor) -> Tensor:
        """The window means."""
        return avg_pooling("avg_pool1d", input, self.geometry, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_PoolNd):
    """The mean over each window of (N, C, H, W).

    Args:
        kernel_size: the window (kH, kW), or one int for both.
        stride: the step between windows (default: kernel_size).
        padding: zeros added on each side (at most half the window).
        ceil_mode: round output sizes up, so partial windows at the edge count.
        count_include_pad: count padded zeros in the divisor.
        divisor_override: divide every window sum by this instead.
    """

    dims = 2

    def __init__(self, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
                 padding: IntOrTuple = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None):
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """The window means."""
        return avg_pooling("avg_pool2d", input, self.geometry, self.count_include_pad,
                           self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool2d(Module):
    """The output size argument shared by adaptive average and max pooling."""


    def __init__(self, output_size: int | tuple[int | None, int | None]):
        super().__init__()
        layer = type(self).__name__
        pair = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
        if len(pair) != 2:
            raise ValueError(f"{layer}: output_size must be a positive int or a pair of positive "
                             f"ints or None, got {output_size!r}")
        for n in pair:
            if n is not None:
                positive_int(layer, "output_size", n, f" (in {output_size!r})")
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptivePool2d):
    """Average (N, C, H, W) down (or up) to a fixed (oH, oW), whatever the input size.

    Output cell (i, j) averages input rows floor(i·H/oH) .. ceil((i+1)·H/oH) - 1, and
    likewise for columns, as PyTorch's.

    Args:
        output_size: (oH, oW), or one int for both; None in a place keeps that input size.
    """


    def forward(self, input: Tensor) -> Tensor:
        """The averaged input, (N, C, oH, oW)."""
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool2d(_AdaptivePool2d):
    """The maximum over adaptive windows of (N, C, H, W), to a fixed (oH, oW).

    Windows as `AdaptiveAvgPool2d`'s; the gradient goes to each window's first maximum.

    Args:
        output_size: (oH, oW), or one int for both; None in a place keeps that input size.
        return_indices: also return the flat index h·W + w of each maximum.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, nn
        >>> nn.AdaptiveMaxPool2d(1)(Tensor(np.arange(16.0).reshape(1, 1, 4, 4))).tolist()
        [[[[15.0]]]]
    """


    def __init__(self, output_size: int | tuple[int | None, int | None],
                 return_indices: bool = False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        """The window maxima, (N, C, oH, oW) (and their indices, if asked)."""
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)
