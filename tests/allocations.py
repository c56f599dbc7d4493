"""The peak of what a block of a test allocates, traced by tracemalloc: how tests hold code to
bounded memory (a bomb refused before it inflates, a graph that keeps no activations)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Traced:
    """What the block allocated: `peak` the most at once, `kept` what was still held at its end
    (both in bytes, set when the block ends)."""

    peak: int = 0
    kept: int = 0


@contextmanager
def traced() -> Iterator[Traced]:
    """Trace the allocations of the block, on error too: ``with traced() as memory: ...``."""
    memory = Traced()
    tracemalloc.start()
    try:
        yield memory
    finally:
        memory.kept, memory.peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
