"""Flatten: merge a range of dims into one, e.g. (N, C, H, W) -> (N, C*H*W)."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn import shapes
from tinygrad_cnn.nn.layers.base import Shape
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class Flatten(Module):
    """Merge dims `start_dim`..`end_dim` into one (by default all but the batch dim).

    Args:
        start_dim: the first dim to merge.
        end_dim: the last dim to merge.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> nn.Flatten().output_shape((32, 16, 4, 4))
        (32, 256)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """The input reshaped with the dims merged."""
        self.output_shape(input.shape)  # a clear error before any reshape
        return input.flatten(self.start_dim, self.end_dim)

    def output_shape(self, input_shape: Shape) -> Shape:
        """The shape with dims `start_dim`..`end_dim` replaced by their product."""
        shape = tuple(input_shape)
        if not shape:
            return (1,)
        start = shapes.normalize_dim("flatten", self.start_dim, len(shape))
        end = shapes.normalize_dim("flatten", self.end_dim, len(shape))
        if start > end:
            raise ValueError(
                f"flatten: start_dim {self.start_dim} comes after end_dim {self.end_dim} "
                f"for input {shape}"
            )
        return (*shape[:start], int(np.prod(shape[start : end + 1])), *shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
