"""RandomCrop: a window of the padded image at a random offset, drawn per image."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinygrad_cnn.arguments import check_memory, is_int, positive_pair
from tinygrad_cnn.data.transforms.base import (
    Fill,
    Transform,
    fill_values,
    pad_constant,
    per_channel,
)

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def _padding(padding: Any) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) from None, an int, (left/right, top/bottom) or all four."""
    if padding is None:
        return (0, 0, 0, 0)
    values = (padding,) if is_int(padding) else padding
    expected = ("RandomCrop: padding must be a non-negative int, a pair (left/right, "
                f"top/bottom) or (left, top, right, bottom), got {padding!r}")
    if not isinstance(values, Sequence) or not all(is_int(v) for v in values):
        raise TypeError(expected)
    if len(values) not in (1, 2, 4) or min(values) < 0:
        raise ValueError(expected)
    values = [int(v) for v in values]
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return (values[0], values[1], values[0], values[1])
    return (values[0], values[1], values[2], values[3])


class RandomCrop(Transform):
    """Crop each image at a random place, after padding it, as torchvision's `RandomCrop`.

    The batch is padded once; then each image's window of `size` starts at an offset drawn
    uniformly among all the positions where it fits, independently per image. A crop is
    exactly `padded[n, :, top : top + H, left : left + W]`. Constant padding wider than the
    crop costs no memory: the windows wholly in the fill are all alike.

    Args:
        size: the output `(H, W)`, or one int for a square.
        padding: added before cropping: an int for all sides, a pair (left/right, top/bottom)
            or a 4-tuple (left, top, right, bottom), as torchvision; None for none.
        pad_if_needed: pad images smaller than `size` (on both sides, by the shortfall, as
            torchvision does) instead of raising.
        fill: the padding value with `padding_mode="constant"`: a number or one per channel.
        padding_mode: "constant", "edge" (repeat the border pixel), "reflect" (mirror without
            repeating the border) or "symmetric" (mirror repeating it).

    Raises:
        TypeError: for a size or padding that is not an int or ints.
        ValueError: for a non-positive size, a negative padding, an unknown mode, a fill
            that is not finite, or (when called) a crop larger than the padded image, or a
            batch padded by "edge", "reflect" or "symmetric" that would not fit in memory.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import manual_seed
        >>> _ = manual_seed(0)
        >>> RandomCrop(28, padding=2)(np.ones((4, 1, 28, 28), np.float32)).shape
        (4, 1, 28, 28)
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill: Fill = 0.0,
        padding_mode: str = "constant",
    ):
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {', '.join(PADDING_MODES)}"
                             f", got {padding_mode!r}")
        self.size = positive_pair("RandomCrop", "size", size)
        self.padding = _padding(padding)
        self.pad_if_needed = bool(pad_if_needed)
        self.fill = fill_values("RandomCrop", fill)
        self.padding_mode = padding_mode

    def _padding_of(self, x: np.ndarray) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) for this batch: `padding`, and with `pad_if_needed` the
        shortfall of the padded image on both sides."""
        left, top, right, bottom = self.padding
        if self.pad_if_needed:
            h, w = x.shape[2] + top + bottom, x.shape[3] + left + right
            extra_h, extra_w = max(self.size[0] - h, 0), max(self.size[1] - w, 0)
            left, right = left + extra_w, right + extra_w
            top, bottom = top + extra_h, bottom + extra_h
        return left, top, right, bottom

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        left, top, right, bottom = self._padding_of(x)
        n, _, height, width = x.shape
        hp, wp = height + top + bottom, width + left + right
        h, w = self.size
        if h > hp or w > wp:
            raise ValueError(f"RandomCrop: size {self.size} is larger than the padded image "
                             f"({hp}, {wp}); batch {x.shape}, padding {self.padding}")
        tops = rng.integers(0, hp - h + 1, size=n)
        lefts = rng.integers(0, wp - w + 1, size=n)
        if self.padding_mode == "constant":
            top, bottom, tops = _one_window_of_fill(top, bottom, height, h, tops)
            left, right, lefts = _one_window_of_fill(left, right, width, w, lefts)
        check_memory("RandomCrop", f"size={self.size} (the crops of the batch {x.shape})",
                     n * x.shape[1] * h * w * x.itemsize)
        padded = self._pad(x, left, top, right, bottom)
        windows = sliding_window_view(padded, (h, w), axis=(2, 3))  # (N, C, hp-h+1, wp-w+1, h, w)
        return windows[np.arange(n), :, tops, lefts]  # (N, C, h, w): one window per image

    def _pad(self, x: np.ndarray, left: int, top: int, right: int, bottom: int) -> np.ndarray:
        if not any((left, top, right, bottom)):
            return x
        if self.padding_mode == "constant":
            fill = per_channel("RandomCrop", "fill", self.fill, x)
            return pad_constant(x, left, top, right, bottom, fill)
        n, c, h, w = x.shape
        padded = (n, c, h + top + bottom, w + left + right)
        check_memory("RandomCrop", f"padding={self.padding} with padding_mode="
                     f"{self.padding_mode!r} (the batch {x.shape} padded to {padded})",
                     math.prod(padded) * x.itemsize)
        return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=self.padding_mode)


def _one_window_of_fill(
    before: int, after: int, size: int, window: int, starts: np.ndarray
) -> tuple[int, int, np.ndarray]:
    """Constant padding cut to one window on each side, and the window starts moved to match.

    A window wholly in the fill is all fill wherever it lies, so the outermost one left
    stands for all of them: the crops are the same, and the padded batch stays within a few
    times the output's size however wide the padding (10^5 pixels allocated terabytes).
    """
    kept_before, kept_after = min(before, window), min(after, window)
    starts = np.clip(starts - (before - kept_before), 0, size + kept_before + kept_after - window)
    return kept_before, kept_after, starts
