"""Pooling as functions of tensors: max, average and adaptive pooling in 1-D and 2-D.

Arguments are checked here, before any array is touched, and become one `Geometry`; the
primitives are 2-D, so the 1-D versions run them on a unit height (`Geometry.lifted`). The
layers build their geometry once and call `max_pooling` and `avg_pooling` with it, which check
only the input.
"""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.arguments import is_int
from tinygrad_cnn.geometry import Geometry, pool_geometry, spatial_tuple
from tinygrad_cnn.nn.functional.conv import check_input
from tinygrad_cnn.ops.avg_pool import AdaptiveAvgPool, AvgPool
from tinygrad_cnn.ops.max_pool import AdaptiveMaxPool, MaxPool
from tinygrad_cnn.tensor import Tensor

IntOrTuple = int | tuple[int, ...]


def _pool_args(op: str, input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None,
               padding: IntOrTuple, dilation: IntOrTuple, ceil_mode: bool, ndim: int) -> Geometry:
    """The checked geometry of a pooling op over `input`."""
    check_input(op, input, ndim)
    note = f"; input {input.shape}"
    geometry = pool_geometry(op, kernel_size, stride, padding, dilation, ceil_mode, ndim, note)
    geometry.output_size(input.shape[2:], op, note)
    return geometry


def _check_fits(op: str, input: Tensor, geometry: Geometry) -> None:
    """Check `input` against a geometry built already (a layer's)."""
    check_input(op, input, len(geometry.kernel))
    geometry.output_size(input.shape[2:], op, f"; input {input.shape}")


def _run_max(input: Tensor, geometry: Geometry,
             return_indices: bool) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling of a checked input; a 1-D geometry runs the 2-D op on a unit height."""
    if len(geometry.kernel) == 2:
        return MaxPool.apply(input, geometry=geometry, return_indices=bool(return_indices))
    out = MaxPool.apply(input.unsqueeze(2), geometry=geometry.lifted(),
                        return_indices=bool(return_indices))
    if not return_indices:
        return out.squeeze(2)
    return out[0].squeeze(2), out[1].squeeze(2)


def _run_avg(input: Tensor, geometry: Geometry, count_include_pad: bool,
             divisor_override: int | None) -> Tensor:
    """Average pooling of a checked input, 1-D on a unit height."""
    attrs = {"count_include_pad": bool(count_include_pad), "divisor_override": divisor_override}
    if len(geometry.kernel) == 2:
        return AvgPool.apply(input, geometry=geometry, **attrs)
    return AvgPool.apply(input.unsqueeze(2), geometry=geometry.lifted(), **attrs).squeeze(2)


def max_pooling(op: str, input: Tensor, geometry: Geometry,
                return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """max_pool1d or max_pool2d (`op`, for errors) with a geometry built already: the entry
    of the layers, which build theirs once."""
    _check_fits(op, input, geometry)
    return _run_max(input, geometry, return_indices)


def avg_pooling(op: str, input: Tensor, geometry: Geometry, count_include_pad: bool = True,
                divisor_override: int | None = None) -> Tensor:
    """avg_pool1d or avg_pool2d with a geometry built already (the layers')."""
    _check_fits(op, input, geometry)
    return _run_avg(input, geometry, count_include_pad, _divisor(op, divisor_override))


def max_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window of (N, C, H, W), as PyTorch's max_pool2d.

    The gradient of a window goes to one position, its first maximum in row-major order
    (as PyTorch); the input is padded with -inf.

    Args:
        input: (N, C, H, W).
        kernel_size: the window, an int or (kH, kW).
        stride: the step between windows (default: the kernel size).
        padding: -inf added on both sides, at most half the kernel.
        dilation: the spacing between taps of a window.
        ceil_mode: round the output size up, keeping only windows that start inside the
            input or its leading padding.
        return_indices: also return where each maximum is, as the flat index h·W + w into
            its (H, W) plane (int64, PyTorch's convention).

    Returns:
        (N, C, oH, oW) (`tinygrad_cnn.summary.pool_output_size`), and the indices if asked.

    Raises:
        ValueError: for a padding over half the kernel, a kernel larger than the padded
            input, stride or dilation below 1, or an input that is not 4-D.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2).tolist()
        [[[[5.0, 7.0], [13.0, 15.0]]]]
    """
    geometry = _pool_args("max_pool2d", input, kernel_size, stride, padding, dilation,
                          ceil_mode, 2)
    return _run_max(input, geometry, return_indices)


def max_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, dilation: IntOrTuple = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """The maximum of each window of (N, C, L); Args, Returns and Raises as `max_pool2d`."""
    geometry = _pool_args("max_pool1d", input, kernel_size, stride, padding, dilation,
                          ceil_mode, 1)
    return _run_max(input, geometry, return_indices)


def avg_pool2d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each window of (N, C, H, W), as PyTorch's avg_pool2d.

    Args:
        input: (N, C, H, W).
        kernel_size: the window, an int or (kH, kW).
        stride: the step between windows (default: the kernel size).
        padding: zeros added on both sides, at most half the kernel.
        ceil_mode: round the output size up (see `max_pool2d`).
        count_include_pad: count the zero padding in each window's divisor (never the
            overhang of ceil mode).
        divisor_override: divide every window's sum by this instead.

    Returns:
        (N, C, oH, oW).

    Raises:
        ValueError: as `max_pool2d`, and for a divisor_override of 0.
    """
    geometry = _pool_args("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode, 2)
    return _run_avg(input, geometry, count_include_pad,
                    _divisor("avg_pool2d", divisor_override))


def _divisor(op: str, divisor_override: Any) -> int | None:
    if divisor_override is None:
        return None
    if not is_int(divisor_override):
        raise TypeError(f"{op}: divisor_override must be an int or None, got "
                        f"{divisor_override!r}")
    if divisor_override == 0:
        raise ValueError(f"{op}: divisor_override must not be 0")
    return int(divisor_override)


def avg_pool1d(input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | None = None,
               padding: IntOrTuple = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """The mean of each window of (N, C, L); Args, Returns and Raises as `avg_pool2d`."""
    geometry = _pool_args("avg_pool1d", input, kernel_size, stride, padding, 1, ceil_mode, 1)
    return _run_avg(input, geometry, count_include_pad, None)


def _output_size(op: str, input: Tensor, output_size: Any) -> tuple[int, int]:
    """(oH, oW) from an int, a pair, or a pair with None for "as the input"."""
    check_input(op, input, 2)
    pair = (output_size,) * 2 if not isinstance(output_size, (tuple, list)) else output_size
    if len(pair) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    pair = tuple(n if o is None else o for o, n in zip(pair, input.shape[2:]))
    return spatial_tuple(op, "output_size", pair, 2)


def adaptive_avg_pool2d(input: Tensor, output_size: IntOrTuple) -> Tensor:
    """Average pooling to a fixed output size, with PyTorch's windows.

    Output row i averages input rows floor(i H / oH) to ceil((i + 1) H / oH) (columns
    likewise), so the windows cover the input even when oH does not divide H.

    Args:
        input: (N, C, H, W).
        output_size: (oH, oW), an int for both, or None in either place for the input's size.

    Returns:
        (N, C, oH, oW).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.adaptive_avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 1).tolist()
        [[[[7.5]]]]
    """
    size = _output_size("adaptive_avg_pool2d", input, output_size)
    return AdaptiveAvgPool.apply(input, output_size=size)


def adaptive_max_pool2d(
    input: Tensor, output_size: IntOrTuple, return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling to a fixed output size, windows as `adaptive_avg_pool2d`; the gradient goes
    to each window's first maximum, and `return_indices` gives its flat index h·W + w."""
    size = _output_size("adaptive_max_pool2d", input, output_size)
    return AdaptiveMaxPool.apply(input, output_size=size, return_indices=bool(return_indices))
