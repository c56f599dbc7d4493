"""What every batch transform shares: the batch check, the seeded generator, argument checks."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_cnn import random

Fill = float | Sequence[float]


def check_batch(name: str, x: Any) -> None:
    """Raise unless `x` is a float NumPy array of shape (N, C, H, W)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a NumPy array of shape (N, C, H, W), "
                        f"got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"{name}: expected a batch of shape (N, C, H, W), got shape {x.shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: expected float images, got {x.dtype} of shape {x.shape}; "
                        "convert them first, e.g. x.astype(np.float32) / 255")


class Transform:
    """A batch transform: `t(x)` maps float images `(N, C, H, W)` to a new array.

    Subclasses implement `forward(x, rng)`, drawing any random parameters, one set per image,
    from `rng`: the library's generator, so `tinygrad_cnn.manual_seed` repeats them exactly.
    The input is never written to.
    """

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Check `x` and transform it, with the library's generator."""
        check_batch(type(self).__name__, x)
        return self.forward(x, random.generator())

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The transformed batch; `x` is already checked."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Compose:
    """Apply transforms one after the other.

    Args:
        transforms: callables, each taking and returning a batch `(N, C, H, W)`.

    Raises:
        TypeError: when an entry is not callable.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn.data import transforms as T
        >>> augment = T.Compose([T.RandomCrop(28, padding=2), T.RandomRotation(10)])
        >>> augment(np.zeros((8, 1, 28, 28), np.float32)).shape
        (8, 1, 28, 28)
    """

    def __init__(self, transforms: Sequence[Callable[[np.ndarray], np.ndarray]]):
        self.transforms = list(transforms)
        for i, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(f"Compose: transforms[{i}] is not callable, got {t!r}")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The batch after every transform, in order."""
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(repr(t) for t in self.transforms) + "])"


def is_number(value: Any) -> bool:
    """A finite real number that is not a bool: no argument of a transform means anything
    as NaN or infinity (a NaN centre gave all-NaN images, an infinite angle an
    OverflowError in the middle of a call)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def probability(name: str, arg: str, p: Any) -> float:
    """`p` as a float in [0, 1], or a ValueError naming the transform and the argument."""
    if not is_number(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: {arg} must be a probability in [0, 1], got {p!r}")
    return float(p)


def number_pair(name: str, arg: str, value: Any) -> tuple[float, float]:
    """A `(low, high)` pair of finite numbers with low <= high (and a finite width, so a
    value can be drawn between them), or a ValueError."""
    if (not isinstance(value, Sequence) or len(value) != 2
            or not all(is_number(v) for v in value) or value[0] > value[1]
            or not math.isfinite(float(value[1]) - float(value[0]))):
        raise ValueError(f"{name}: {arg} must be a pair (low, high) of finite numbers with "
                         f"low <= high, got {value!r}")
    return float(value[0]), float(value[1])


def fill_values(name: str, fill: Any) -> tuple[float, ...]:
    """A fill as a tuple: one number for every channel, or one number per channel."""
    values = ((fill,) if isinstance(fill, numbers.Real)
              else tuple(fill) if isinstance(fill, Sequence) else ())
    if not values or not all(is_number(v) for v in values):
        raise ValueError(f"{name}: fill must be a finite number or a sequence of them (one per "
                         f"channel), got {fill!r}")
    return tuple(float(v) for v in values)


def per_channel(name: str, arg: str, values: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """`values` as an array (1, C, 1, 1) of x's dtype, from one value or one per channel."""
    channels = x.shape[1]
    if len(values) not in (1, channels):
        raise ValueError(f"{name}: {arg} has {len(values)} values but the batch has {channels} "
                         f"channels; batch {x.shape}")
    with np.errstate(over="ignore"):
        array = np.asarray(values, dtype=x.dtype)
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: {arg} {values} does not fit in the batch's {x.dtype}: it "
                         "would be infinite")
    return np.broadcast_to(array, (channels,)).reshape(1, -1, 1, 1)


def pad_constant(x: np.ndarray, left: int, top: int, right: int, bottom: int,
                 fill: np.ndarray) -> np.ndarray:
    """`x` framed by the given widths of `fill` (1, C, 1, 1), in one new array."""
    n, c, h, w = x.shape
    out = np.empty((n, c, top + h + bottom, left + w + right), dtype=x.dtype)
    out[...] = fill
    out[:, :, top : top + h, left : left + w] = x
    return out
