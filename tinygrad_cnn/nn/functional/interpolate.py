"""Resizing images as a function of tensors: F.interpolate, nearest and (bi/tri)linear."""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_cnn.arguments import is_int
from tinygrad_cnn.ops.resample import Interpolate
from tinygrad_cnn.shapes import resized_size
from tinygrad_cnn.tensor import Tensor

# The linear mode of each number of spatial dims, as PyTorch names them.
LINEAR_MODES = {1: "linear", 2: "bilinear", 3: "trilinear"}
INTERPOLATION_MODES = ("nearest", *LINEAR_MODES.values())

Size = int | Sequence[int]
Scale = float | Sequence[float]


def check_interpolation(op: str, size: Size | None, scale_factor: Scale | None, mode: str,
                        align_corners: bool | None) -> bool:
    """Check the arguments that do not depend on the input; returns align_corners as a bool.

    Raises:
        ValueError: for an unknown mode, both or neither of size and scale_factor, or
            align_corners with 'nearest'.
        TypeError: for a size that is not an int or a sequence of ints (a bool, a float).
    """
    sizes = size if isinstance(size, (tuple, list)) else (size,)
    if size is not None and not all(is_int(n) for n in sizes):
        raise TypeError(f"{op}: size must be a positive int or one per spatial dim, got "
                        f"{size!r}")
    if mode not in INTERPOLATION_MODES:
        raise ValueError(f"{op}: mode must be one of {INTERPOLATION_MODES}, got {mode!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor, got size={size!r} "
                         f"and scale_factor={scale_factor!r}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError(f"{op}: align_corners can only be set with the linear modes "
                         f"{tuple(LINEAR_MODES.values())}, not with mode 'nearest'")
    return bool(align_corners)


def _check_mode(op: str, shape: tuple[int, ...], mode: str) -> None:
    """Raise unless the input is 3-D to 5-D and `mode` is nearest or its rank's linear mode."""
    dims = len(shape) - 2
    if dims not in LINEAR_MODES:
        raise ValueError(f"{op}: input must be 3-D, 4-D or 5-D (N, C, *spatial), got shape "
                         f"{tuple(shape)}")
    if mode != "nearest" and mode != LINEAR_MODES[dims]:
        raise ValueError(f"{op}: mode {mode!r} does not fit {dims} spatial dims; use "
                         f"{LINEAR_MODES[dims]!r} for input {tuple(shape)}")


def interpolate(input: Tensor, size: Size | None = None, scale_factor: Scale | None = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W), PyTorch's way.

    Output pixel o of a dim of input size n and output size m reads the source position

    - 'nearest': floor(o · n / m) (the pixel whose span starts at or before it);
    - 'linear' / 'bilinear' / 'trilinear' (for 1, 2, 3 spatial dims): (o + 0.5) · n / m - 0.5
      clamped at 0, blending its two neighbours linearly; with ``align_corners=True``,
      o · (n - 1) / (m - 1), so the corner pixels of input and output coincide.

    With `scale_factor`, m = floor(n · scale_factor) and the step n / m is 1 / scale_factor
    unless `recompute_scale_factor` (as in PyTorch, so the same pixels are read).

    Args:
        input: 3-D, 4-D or 5-D, (N, C, *spatial).
        size: the output's spatial size, an int or one per spatial dim.
        scale_factor: a multiplier of the spatial size, a number or one per dim.
        mode: 'nearest', or the linear mode matching the number of spatial dims.
        align_corners: for the linear modes (default False).
        recompute_scale_factor: compute the step from the sizes instead of `scale_factor`.
        antialias: only False (no anti-aliasing filter when downsampling).

    Returns:
        (N, C, *size), in the input's dtype.

    Raises:
        ValueError: for an unknown mode or one that does not match the input's rank, both or
            neither of size and scale_factor, align_corners with 'nearest', non-positive
            sizes or scales, an output size of 0, or antialias.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> x = Tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
        >>> F.interpolate(x, scale_factor=2)[0, 0, 0].tolist()
        [1.0, 1.0, 2.0, 2.0]
        >>> F.interpolate(x, size=3, mode="bilinear", align_corners=True)[0, 0, 1].tolist()
        [2.0, 2.5, 3.0]
    """
    op = "interpolate"
    corners = check_interpolation(op, size, scale_factor, mode, align_corners)
    if antialias:
        raise ValueError(f"{op}: antialias=True is not supported")
    _check_mode(op, input.shape, mode)
    out, scales = resized_size(op, input.shape, size, scale_factor, recompute_scale_factor)
    return Interpolate.apply(input, size=out, mode=mode, align_corners=corners, scales=scales)
