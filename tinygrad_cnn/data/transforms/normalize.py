"""Normalize: subtract a mean and divide by a standard deviation, channel by channel."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from tinygrad_cnn.data.transforms.base import Transform, is_number, per_channel


def _values(arg: str, value: float | Sequence[float]) -> tuple[float, ...]:
    values = ((value,) if isinstance(value, numbers.Real)
              else tuple(value) if isinstance(value, Sequence) else ())
    if not values or not all(is_number(v) for v in values):
        raise ValueError(f"Normalize: {arg} must be a finite number or a sequence of them (one "
                         f"per channel), got {value!r}")
    return tuple(float(v) for v in values)


class Normalize(Transform):
    """`(x - mean[c]) / std[c]` for every channel c, as torchvision's `Normalize`.

    Args:
        mean: one number for all channels, or one per channel.
        std: one positive number for all channels, or one per channel.

    Raises:
        ValueError: when a value is not finite or a std is not positive, or (when called) the
            number of values fits neither 1 nor the batch's channels, or a value is not
            finite in the batch's dtype (a mean of 1e300 in float32) or a std so small that
            dividing by it gives infinity there (1e-50 in float32).

    Examples:
        >>> import numpy as np
        >>> Normalize(mean=0.5, std=0.25)(np.ones((1, 1, 1, 1), np.float32)).item()
        2.0
    """

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]):
        self.mean = _values("mean", mean)
        self.std = _values("std", std)
        if min(self.std) <= 0:
            raise ValueError(f"Normalize: std must be positive, got {std!r}")

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mean = per_channel("Normalize", "mean", self.mean, x)
        std = per_channel("Normalize", "std", self.std, x)
        with np.errstate(divide="ignore", over="ignore"):
            scale = np.reciprocal(std)
        if not np.isfinite(scale).all():  # torchvision refuses a std that rounds to 0 too
            raise ValueError(f"Normalize: std {self.std} is too small for the batch's "
                             f"{x.dtype}: dividing by it gives infinity; batch {x.shape}")
        return (x - mean) / std
