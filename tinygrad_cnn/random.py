"""The one random generator behind initialisers, dropout, shuffling and `randn`, seedable; a
thread may draw from one of its own for a while (a DataLoader's worker, for each batch)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import numpy as np

from tinygrad_cnn.arguments import non_negative_int

_generator = np.random.default_rng()
_per_thread = threading.local()  # .generator: a thread's own, while `drawing_from` is active


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
    """The library's current random generator (this thread's own inside `drawing_from`)."""
    own = getattr(_per_thread, "generator", None)
    return _generator if own is None else own


@contextlib.contextmanager
def drawing_from(rng: np.random.Generator) -> Iterator[None]:
    """In this thread, draw from `rng` instead of the library's generator for the block.

    Threads that prepare batches at the same time then draw the same numbers whatever order
    they run in, each from a generator made for its batch in turn.
    """
    previous = getattr(_per_thread, "generator", None)
    _per_thread.generator = rng
    try:
        yield
    finally:
        _per_thread.generator = previous


@contextlib.contextmanager
def fork_rng() -> Iterator[None]:
    """Within, draw (and seed) as you like; on leaving, the generator is back where it was.

    As `torch.random.fork_rng`: a tool that trains on the side (the training doctor, the
    learning-rate finder) seeds and draws inside, and the program around it draws afterwards
    exactly the numbers it would have drawn without it.

    Examples:
        >>> from tinygrad_cnn import manual_seed, randn
        >>> _ = manual_seed(0)
        >>> with fork_rng():
        ...     _ = manual_seed(123)
        ...     _ = randn(5)
        >>> after = randn(1).item()
        >>> _ = manual_seed(0)
        >>> randn(1).item() == after
        True
    """
    global _generator
    kept = _generator
    state = kept.bit_generator.state
    try:
        yield
    finally:
        kept.bit_generator.state = state
        _generator = kept
