"""RandomHorizontalFlip and RandomVerticalFlip: each image mirrored with probability p."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.data.transforms.base import Transform, probability


def _flip_some(x: np.ndarray, rng: np.random.Generator, p: float, axis: int) -> np.ndarray:
    flipped = rng.random(len(x)) < p
    return np.where(flipped[:, None, None, None], np.flip(x, axis=axis), x)


class RandomHorizontalFlip(Transform):
    """Mirror each image left to right with probability `p`, independently per image.

    Args:
        p: the probability that an image is flipped.

    Raises:
        ValueError: when `p` is not in [0, 1].

    Examples:
        >>> import numpy as np
        >>> x = np.arange(3, dtype=np.float32).reshape(1, 1, 1, 3)
        >>> RandomHorizontalFlip(p=1.0)(x).ravel().tolist()
        [2.0, 1.0, 0.0]
    """

    def __init__(self, p: float = 0.5):
        self.p = probability("RandomHorizontalFlip", "p", p)

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return _flip_some(x, rng, self.p, axis=3)


class RandomVerticalFlip(Transform):
    """Mirror each image top to bottom with probability `p`, independently per image.

    Args:
        p: the probability that an image is flipped.

    Raises:
        ValueError: when `p` is not in [0, 1].
    """

    def __init__(self, p: float = 0.5):
        self.p = probability("RandomVerticalFlip", "p", p)

    def forward(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return _flip_some(x, rng, self.p, axis=2)
