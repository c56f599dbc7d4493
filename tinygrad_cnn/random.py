"""The one random generator behind initialisers, dropout, shuffling and `randn`, seedable."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.arguments import non_negative_int

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the library's generator, so that the same program draws the same numbers.

    Args:
        seed: a non-negative integer.

    Returns:
        The freshly seeded generator.

    Raises:
        TypeError: for a seed that is not an int (a bool, a float).
        ValueError: for a negative seed.
    """
    global _generator
    _generator = np.random.default_rng(non_negative_int("manual_seed", "seed", seed))
    return _generator


def generator() -> np.random.Generator:
    """The library's current random generator."""
    return _generator
