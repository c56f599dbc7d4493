"""The one random generator behind initialisers, dropout, shuffling and `randn`, seedable."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the library's generator, so that the same program draws the same numbers.

    Args:
        seed: a non-negative integer.

    Returns:
        The freshly seeded generator.
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The library's current random generator."""
    return _generator
