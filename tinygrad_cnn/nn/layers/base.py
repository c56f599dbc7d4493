"""What several layers share: the shape-preserving base class and a positive-int check."""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.nn.module import Module

Shape = tuple[int, ...]


class ShapePreserving(Module):
    """A layer whose output has its input's shape (activations, dropout, identity)."""

    def output_shape(self, input_shape: Shape) -> Shape:
        """The input shape, unchanged."""
        return tuple(input_shape)


def positive_int(layer: str, name: str, value: Any) -> int:
    """`value` as an int, or a ValueError naming the layer and the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return value
