"""The output sizes of convolution and pooling for people: the sizing questions of a course.

`conv_output_size`, `pool_output_size` and `conv_transpose_output_size` take sizes and
arguments as a user writes them and answer with the very rule the ops use (`Geometry`'s
methods, in `geometry.py`).
"""

from __future__ import annotations

import dataclasses

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.geometry import PaddingArg, Shape, SizeArg, conv_geometry, spatial_tuple


def _in_size(op: str, in_size: SizeArg) -> tuple[Shape, bool]:
    """The input size as a tuple, and whether it was a single int."""
    if isinstance(in_size, (tuple, list)):
        return spatial_tuple(op, "in_size", in_size, len(in_size)), False
    return (positive_int(op, "in_size", in_size),), True


def conv_output_size(in_size: SizeArg, kernel_size: SizeArg, stride: SizeArg = 1,
                     padding: PaddingArg = 0, dilation: SizeArg = 1, ceil_mode: bool = False,
                     strict: bool = False) -> int | Shape:
    """The output size of a convolution: floor((n + 2p - d (k - 1) - 1) / s) + 1 per dim.

    Args:
        in_size: the input's spatial size, an int or one int per dim.
        kernel_size: an int or one per dim.
        stride: an int or one per dim.
        padding: as `conv2d` takes it: an int, one int per dim, (left, right, top, bottom),
            'valid' or 'same'.
        dilation: an int or one per dim.
        ceil_mode: round up, keeping only windows that start inside the input or its leading
            padding (pooling's rule).
        strict: raise when the stride leaves pixels at the end unused.

    Returns:
        An int for an int `in_size`, else a tuple.

    Raises:
        ValueError: for a kernel larger than the padded input, a bad argument, or (strict)
            dropped pixels.
        TypeError: for a size that is not an int or ints (a bool, a float).

    Examples:
        >>> conv_output_size(144, 3)
        142
        >>> conv_output_size((20, 20), 3, stride=2)
        (9, 9)
    """
    op = "conv_output_size"
    size, scalar = _in_size(op, in_size)
    geometry = conv_geometry(op, kernel_size, stride, padding, dilation, 1, len(size))
    geometry = dataclasses.replace(geometry, ceil_mode=bool(ceil_mode))
    out = geometry.output_size(size, op, strict=strict)
    return out[0] if scalar else out


def pool_output_size(in_size: SizeArg, kernel_size: SizeArg, stride: SizeArg | None = None,
                     padding: PaddingArg = 0, dilation: SizeArg = 1, ceil_mode: bool = False,
                     strict: bool = False) -> int | Shape:
    """The output size of a pooling layer: `conv_output_size` with the stride defaulting to
    the kernel size.

    Examples:
        >>> pool_output_size(24, 2)
        12
        >>> pool_output_size(5, 2, ceil_mode=True)
        3
    """
    stride = kernel_size if stride is None or stride == () else stride
    return conv_output_size(in_size, kernel_size, stride, padding, dilation, ceil_mode, strict)


def conv_transpose_output_size(in_size: SizeArg, kernel_size: SizeArg, stride: SizeArg = 1,
                               padding: PaddingArg = 0, output_padding: SizeArg = 0,
                               dilation: SizeArg = 1) -> int | Shape:
    """(n - 1) s - before - after + d (k - 1) + output_padding + 1 per dim.

    Raises:
        ValueError: when the padding removes the whole output.

    Examples:
        >>> conv_transpose_output_size(9, 3, stride=2, output_padding=1)
        20
    """
    op = "conv_transpose_output_size"
    size, scalar = _in_size(op, in_size)
    geometry = conv_geometry(op, kernel_size, stride, padding, dilation, 1, len(size))
    extra = spatial_tuple(op, "output_padding", output_padding, len(size), minimum=0)
    out = dataclasses.replace(geometry, output_padding=extra).transposed_size(size, op)
    return out[0] if scalar else out
