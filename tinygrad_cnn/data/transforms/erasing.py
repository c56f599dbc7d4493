"""RandomErasing: one random rectangle of each chosen image overwritten, as torchvision."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from tinygrad_cnn.data.transforms.base import (
    Transform,
    is_number,
    number_pair,
    per_channel,
    probability,
)

ATTEMPTS = 10  # torchvision's number of tries at a rectangle that fits


class RandomErasing(Transform):
    """Overwrite one random rectangle in each image with probability `p` (Zhong et al., 2017).

    As torchvision: for each chosen image, up to 10 rectangles are drawn, each with an area
    of `scale` times the image's (uniformly) and an aspect ratio h/w drawn log-uniformly from
    `ratio`; the first that fits inside the image is erased, at a uniformly random place. When
    none fits, the image is left as it is. All tries of all images are drawn at once.

    Args:
        p: the probability that an image is erased.
        scale: `(min, max)` fraction of the image's area to erase, within [0, 1].
        ratio: `(min, max)` aspect ratio (height / width) of the rectangle, positive.
        value: the erased pixels' value: a number, one per channel, or "random" for standard
            normal noise.

    Raises:
        ValueError: for a probability outside [0, 1], a `scale` outside [0, 1], a
            non-positive `ratio`, a reversed range or a bad `value`.

    Examples:
        >>> import numpy as np
        >>> erased = RandomErasing(p=1.0, value=-1.0)(np.ones((2, 1, 8, 8), np.float32))
        >>> bool((erased == -1).any(axis=(1, 2, 3)).all())
        True
    """

    def __init__(
        self,
        p: float = 0.5,
        scale: Sequence[float] = (0.02, 0.33),
        ratio: Sequence[float] = (0.3, 3.3),
        value: float | Sequence[float] | str = 0.0,
    ):
        self.p = probability("RandomErasing", "p", p)
        self.scale = number_pair("RandomErasing", "scale", scale)
        self.ratio = number_pair("RandomErasing", "ratio", ratio)
        if self.scale[0] < 0 or self.scale[1] > 1:
            raise ValueError(f"RandomErasing: scale must lie within [0, 1], got {scale!r}")
        if self.ratio[0] <= 0:
            raise ValueError(f"RandomErasing: ratio must be positive, got {ratio!r}")
        self.value = _value(value)

    def _rectangles(
        self, rng: np.random.Generator, n: int, h: int, w: int
    ) -> tuple[np.ndarray, ...]:
        """Per image: erase or not, and the rectangle's top, left, height and width."""
        chosen = rng.random(n) < self.p
        area = h * w * rng.uniform(*self.scale, size=(n, ATTEMPTS))
        aspect = np.exp(rng.uniform(math.log(self.ratio[0]), math.log(self.ratio[1]),
                                    size=(n, ATTEMPTS)))
        with np.errstate(over="ignore"):  # an extreme ratio: a side of inf, which never fits
            rect_h = np.rint(np.sqrt(area * aspect))
            rect_w = np.rint(np.sqrt(area / aspect))
        fits = (rect_h < h) & (rect_w < w)  # in floats, before any side is cast to an int
        first = np.argmax(fits, axis=1)  # the first try that fits (0 when none does)
        rows = np.arange(n)
        found = fits[rows, first]
        # An image with no fitting try erases nothing: an empty rectangle keeps its draw valid.
        rect_h = np.where(found, rect_h[rows, first], 0).astype(np.int64)
        rect_w = np.where(found, rect_w[rows, first], 0).astype(np.int64)
        top = rng.integers(0, h - rect_h + 1)  # elementwise upper bounds: one draw per image
        left = rng.integers(0, w - rect_w + 1)
        return chosen & found, top, left, rect_h, rect_w

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, _, h, w = x.shape
        erase, top, left, rect_h, rect_w = self._rectangles(rng, n, h, w)
        i, j = np.arange(h), np.arange(w)
        in_rows = (i >= top[:, None]) & (i < (top + rect_h)[:, None])  # (N, H)
        in_cols = (j >= left[:, None]) & (j < (left + rect_w)[:, None])  # (N, W)
        mask = (erase[:, None, None] & in_rows[:, :, None] & in_cols[:, None, :])[:, None]
        if self.value == "random":
            value = rng.standard_normal(x.shape).astype(x.dtype)
        else:
            value = per_channel("RandomErasing", "value", self.value, x)
        return np.where(mask, value, x)


def _value(value: float | Sequence[float] | str) -> tuple[float, ...] | str:
    if value == "random":
        return "random"
    values = ((value,) if isinstance(value, numbers.Real)
              else tuple(value) if isinstance(value, Sequence) else ())
    if not values or isinstance(value, str) or not all(is_number(v) for v in values):
        raise ValueError(f"RandomErasing: value must be a finite number, one per channel or "
                         f"'random', got {value!r}")
    return tuple(float(v) for v in values)
