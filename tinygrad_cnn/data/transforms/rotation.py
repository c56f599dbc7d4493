"""RandomRotation: each image turned by its own random angle, all resampled in one gather."""

from __future__ import annotations

import numbers
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
FLOAT32_MAX = float(np.finfo(np.float32).max)
# Images are turned this many values at a time (C·H·W each): the coordinates, indices and
# four neighbours of a chunk stay tens of megabytes, whatever the batch (a 147 MiB batch
# peaked at 1.8 GiB in one piece).
CHUNK_VALUES = 1 << 21


def _degrees(degrees: float | Sequence[float]) -> tuple[float, float]:
    if isinstance(degrees, numbers.Real):
        if not is_number(degrees) or degrees < 0:
            raise ValueError(f"RandomRotation: degrees must be a finite number >= 0 when one "
                             f"number, got {degrees!r}")
        return -float(degrees), float(degrees)
    return number_pair("RandomRotation", "degrees", degrees)


def _center(center: Sequence[float] | None) -> tuple[float, float] | None:
    """The pivot as floats that float32 holds: the coordinates are computed in float32."""
    if center is None:
        return None
    if (not isinstance(center, Sequence) or len(center) != 2
            or not all(is_number(v) and abs(v) < FLOAT32_MAX for v in center)):
        raise ValueError(f"RandomRotation: center must be None or a pair (x, y) of finite "
                         f"numbers, got {center!r}")
    return float(center[0]), float(center[1])


def _source_coordinates(
    angles: np.ndarray, h: int, w: int, cy: float, cx: float
) -> tuple[np.ndarray, np.ndarray]:
    """Where each output pixel (N, H, W) is read from, in the coordinates of the fill frame.

    The output turned back by its angle, shifted by the frame's one pixel, clamped onto the
    frame. In float32 on purpose: at multiples of 90 degrees the tiny cosine (6e-17) vanishes
    in the rounding, so the coordinates are whole pixels and the rotation is exact.
    """
    cos = np.cos(angles).astype(np.float32)[:, None, None]
    sin = np.sin(angles).astype(np.float32)[:, None, None]
    x = (np.arange(w, dtype=np.float32) - np.float32(cx))[None, None, :]
    y = (np.arange(h, dtype=np.float32) - np.float32(cy))[None, :, None]  # rows point down
    # Counter-clockwise on screen (y down): the source of (x, y) is (x, y) turned clockwise.
    # The constants join the small (N, 1, W) and (N, H, 1) terms: one full-size add each.
    u = (cos * x + np.float32(cx + 1)) - sin * y
    v = sin * x + (cos * y + np.float32(cy + 1))
    return np.clip(u, 0, w + 1, out=u), np.clip(v, 0, h + 1, out=v)


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
            interpolation or a bad `center` or `fill` (each number must be finite).

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
        self.degrees = _degrees(degrees)
        self.interpolation = interpolation
        self.center = _center(center)
        self.fill = fill_values("RandomRotation", fill)

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n, c, h, w = x.shape
        angles = np.deg2rad(rng.uniform(*self.degrees, size=n))
        # Pixel k's centre is at k + 0.5 in torchvision's convention, at k in index terms.
        cx, cy = ((w - 1) / 2, (h - 1) / 2) if self.center is None else (
            self.center[0] - 0.5, self.center[1] - 0.5)
        fill = per_channel("RandomRotation", "fill", self.fill, x)
        step = max(1, CHUNK_VALUES // (c * h * w))
        if step >= n:
            return self._turn(x, angles, cx, cy, fill)
        out = np.empty_like(x)
        for start in range(0, n, step):
            part = slice(start, start + step)
            out[part] = self._turn(x[part], angles[part], cx, cy, fill)
        return out

    def _turn(self, x: np.ndarray, angles: np.ndarray, cx: float, cy: float,
              fill: np.ndarray) -> np.ndarray:
        """The images of `x` turned by their `angles` about (cx, cy)."""
        _, _, h, w = x.shape
        u, v = _source_coordinates(angles, h, w, cy, cx)  # (N, H, W), within [0, w+1], [0, h+1]
        # A frame of fill, one pixel wide, two on the right and bottom so that the right and
        # lower neighbours of every clamped coordinate exist: outside the image is all fill.
        frame = pad_constant(x, 1, 1, 2, 2, fill)  # (N, C, H + 3, W + 3)
        if self.interpolation == "nearest":
            return _gather(frame, np.rint(v), np.rint(u), offsets=(0,))[0]
        x0, y0 = np.floor(u), np.floor(v)  # (np.modf is 13 times slower)
        fx, fy = u - x0, v - y0
        top_left, top_right, bottom_left, bottom_right = _gather(
            frame, y0, x0, offsets=(0, 1, w + 3, w + 4))
        fx, fy = fx[:, None].astype(x.dtype), fy[:, None].astype(x.dtype)  # (N, 1, H, W)
        top = top_left + fx * (top_right - top_left)
        bottom = bottom_left + fx * (bottom_right - bottom_left)
        return top + fy * (bottom - top)


def _gather(
    frame: np.ndarray, rows: np.ndarray, cols: np.ndarray, offsets: tuple[int, ...]
) -> list[np.ndarray]:
    """frame[n, c, rows + di, cols + dj] (N, C, H, W) for each flat offset di * width + dj."""
    n, c, hp, wp = frame.shape
    index_type = np.int32 if frame.size < 2**31 else np.int64  # half the memory traffic
    pixel = rows.astype(index_type) * index_type(wp) + cols.astype(index_type)  # (N, H, W)
    plane = np.arange(n * c, dtype=index_type).reshape(n, c, 1, 1) * index_type(hp * wp)
    index = plane + pixel[:, None]  # into frame.ravel(), channel by channel
    flat = frame.ravel()
    # A neighbour is the same index into the flat frame shifted by its offset: a view, no add.
    return [np.take(flat[offset:], index) for offset in offsets]
