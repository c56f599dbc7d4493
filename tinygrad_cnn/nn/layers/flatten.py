"""Flatten: merge a range of dims into one, e.g. (N, C, H, W) -> (N, C*H*W)."""

from __future__ import annotations

from tinygrad_cnn import shapes
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class Flatten(Module):
    """Merge dims `start_dim`..`end_dim` into one (by default all but the batch dim).

    Args:
        start_dim: the first dim to merge.
        end_dim: the last dim to merge.

    Examples:
        >>> from tinygrad_cnn import eval_shape, nn
        >>> eval_shape(nn.Flatten(), (32, 16, 4, 4))
        (32, 256)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """The input reshaped with the dims merged."""
        if input.ndim:  # a clear error before any reshape
            start = shapes.normalize_dim("flatten", self.start_dim, input.ndim)
            end = shapes.normalize_dim("flatten", self.end_dim, input.ndim)
            if start > end:
                raise ValueError(f"flatten: start_dim {self.start_dim} comes after end_dim "
                                 f"{self.end_dim} for input {input.shape}")
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
