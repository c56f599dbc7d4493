"""Upsample: resize the spatial dims by a size or a scale factor, calling F.interpolate."""

from __future__ import annotations

from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.interpolate import Scale, Size, check_interpolation
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class Upsample(Module):
    """Resize (N, C, *spatial) to `size` or by `scale_factor`, nearest or (bi/tri)linear.

    Args:
        size: the output's spatial size, an int or one per spatial dim.
        scale_factor: a multiplier of the spatial size, a number or one per dim.
        mode: 'nearest', 'linear' (3-D input), 'bilinear' (4-D) or 'trilinear' (5-D).
        align_corners: for the linear modes: map corner pixels onto corner pixels.
        recompute_scale_factor: compute the step from the sizes instead of `scale_factor`.

    Raises:
        ValueError: for an unknown mode, both or neither of size and scale_factor, or
            align_corners with 'nearest'.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, eval_shape, nn
        >>> up = nn.Upsample(scale_factor=2, mode="bilinear")
        >>> up
        Upsample(scale_factor=2.0, mode='bilinear')
        >>> up(Tensor(np.zeros((1, 3, 8, 8)))).shape
        (1, 3, 16, 16)
        >>> eval_shape(up, (1, 3, 5, 7))
        (1, 3, 10, 14)
    """

    def __init__(self, size: Size | None = None, scale_factor: Scale | None = None,
                 mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None):
        super().__init__()
        check_interpolation("Upsample", size, scale_factor, mode, align_corners)
        self.size = size
        # kept as floats, as PyTorch's Upsample does
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Scale | None = tuple(float(s) for s in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        """The resized input."""
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return f"{what}, mode={self.mode!r}"
