"""RandomRotation: each image turned by its own random angle, all resampled in one gather."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinygrad_cnn.data.transforms.base import (
    Fill,
    Transform,
    fill_values,
    is_number,
    number_pair,
    pad_constant,
    per_channel,
)

INTERPOLATIONS = ("bilinear", "nearest")


def _degrees(degrees: float | Sequence[float]) -> tuple[float, float]:
    if is_number(degrees):
        if degrees < 0:
            raise ValueError(f"RandomRotation: degrees must be non-negative when one number, "
                             f"got {degrees!r}")
        return -float(degrees), float(degrees)
    return number_pair("RandomRotation", "degrees", degrees)


def _source_coordinates(
    angles: np.ndarray, h: int, w: int, cy: float, cx: float
) -> tuple[np.ndarray, np.ndarray]:
    """Where each output pixel (N, H, W) is read from: the output turned back by its angle.

    In float32 on purpose: at multiples of 90 degrees the tiny cosine (6e-17) vanishes in the
    rounding, so the coordinates are whole pixels and the rotation is exact.
    """
    cos = np.cos(angles).astype(np.float32)[:, None, None]
    sin = np.sin(angles).astype(np.float32)[:, None, None]
    y = (np.arange(h, dtype=np.float32) - np.float32(cy))[:, None]  # (H, 1), rows point down
    x = (np.arange(w, dtype=np.float32) - np.float32(cx))[None, :]  # (1, W)
    # Counter-clockwise on screen (y down): the source of (x, y) is (x, y) turned clockwise.
    return cos * x - sin * y + np.float32(cx), sin * x + cos * y + np.float32(cy)


class RandomRotation(Transform):
    """Rotate each image by an angle drawn uniformly from `degrees`, as torchvision.

    Positive angles turn the picture counter-clockwise, about its centre by default; pixels
    that come from outside the image take the value `fill`. Bilinear interpolation treats the
    image as surrounded by `fill`, so edges blend into it; "nearest" copies the closest pixel.
    All images are resampled by one gather with per-image coordinates. A rotation by 90
    degrees of a square image equals `np.rot90` exactly.

    Args:
        degrees: the range of angles in degrees: `(min, max)`, or one number d for (-d, d).
        interpolation: "bilinear" (the default here; torchvision's is "nearest") or
            "nearest".
        center: the pivot `(x, y)` in pixels, with the origin at the top-left corner of the
            top-left pixel (torchvision's convention); None for the image's centre.
        fill: the value of pixels from outside the image: a number or one per channel.

    Raises:
        ValueError: for a negative single `degrees`, a reversed range, an unknown
            interpolation or a bad `center` or `fill`.

    Examples:
        >>> import numpy as np
        >>> x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
        >>> turned = RandomRotation((90, 90))(x)
        >>> bool((turned == np.rot90(x, axes=(2, 3))).all())
        True
    """

    def __init__(
        self,
        degrees: float | Sequence[float],
        interpolation: str = "bilinear",
        center: Sequence[float] | None = None,
        fill: Fill = 0.0,
    ):
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"RandomRotation: interpolation must be one of "
                             f"{', '.join(INTERPOLATIONS)}, got {interpolation!r}")
        if center is not None and (not isinstance(center, Sequence) or len(center) != 2
                                   or not all(is_number(v) for v in center)):
            raise ValueError(f"RandomRotation: center must be None or a pair (x, y), "
                             f"got {center!r}")
        self.degrees = _degrees(degrees)
        self.interpolation = interpolation
        self.center = None if center is None else (float(center[0]), float(center[1]))
        self.fill = fill_values("RandomRotation", fill)

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, _, h, w = x.shape
        angles = np.deg2rad(rng.uniform(*self.degrees, size=n))
        # Pixel k's centre is at k + 0.5 in torchvision's convention, at k in index terms.
        cx, cy = ((w - 1) / 2, (h - 1) / 2) if self.center is None else (
            self.center[0] - 0.5, self.center[1] - 0.5)
        src_x, src_y = _source_coordinates(angles, h, w, cy, cx)
        # A one-pixel frame of fill: every coordinate outside the image is clamped onto it.
        padded = pad_constant(x, 1, 1, 1, 1, per_channel("RandomRotation", "fill", self.fill, x))
        u = np.clip(src_x + 1, 0, w + 1)  # (N, H, W), in the frame's coordinates
        v = np.clip(src_y + 1, 0, h + 1)
        if self.interpolation == "nearest":
            return _gather(padded, np.rint(v).astype(np.intp), np.rint(u).astype(np.intp))
        x0 = np.minimum(np.floor(u), w).astype(np.intp)  # so x0 + 1 stays in the frame
        y0 = np.minimum(np.floor(v), h).astype(np.intp)
        fx = (u - x0).astype(x.dtype)[:, None]  # (N, 1, H, W): weights of the right column
        fy = (v - y0).astype(x.dtype)[:, None]
        top_left, top_right, bottom_left, bottom_right = _gather_quad(padded, y0, x0)
        top = top_left + fx * (top_right - top_left)
        bottom = bottom_left + fx * (bottom_right - bottom_left)
        return top + fy * (bottom - top)


def _flat_index(padded: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Indices into padded.ravel() of pixel (rows, cols) (N, H, W) in every channel."""
    n, c, hp, wp = padded.shape
    plane = (np.arange(n * c) * (hp * wp)).reshape(n, c, 1, 1)  # where each channel starts
    return plane + (rows * wp + cols)[:, None]  # (N, C, H, W)


def _gather(padded: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return np.take(padded.ravel(), _flat_index(padded, rows, cols))


def _gather_quad(padded: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> list[np.ndarray]:
    """The pixel at (rows, cols) and its right, lower and lower-right neighbours."""
    flat, wp = padded.ravel(), padded.shape[3]
    index = _flat_index(padded, rows, cols)
    return [np.take(flat, index + offset) for offset in (0, 1, wp, wp + 1)]
