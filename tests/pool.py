"""The thread pool's settings for tests: a thread count, and every kernel cut into as many parts
as it has items, so that tiny test inputs take the parallel paths."""

import sys
from contextlib import contextmanager

from tinygrad_cnn import parallel

CONV = sys.modules["tinygrad_cnn.kernels.conv"]  # the module, not the function it exports


@contextmanager
def threads(n, smallest_parts=True):
    """`n` threads, and (by default) every kernel cut into as many parts as it has items."""
    saved = (parallel.get_num_threads(), parallel.MIN_PART_MACS, parallel.MIN_PART_VALUES,
             CONV.MIN_PART_POSITIONS)
    parallel.set_num_threads(n)
    if smallest_parts:
        parallel.MIN_PART_MACS = parallel.MIN_PART_VALUES = CONV.MIN_PART_POSITIONS = 1
    try:
        yield
    finally:
        parallel.set_num_threads(saved[0])
        parallel.MIN_PART_MACS, parallel.MIN_PART_VALUES, CONV.MIN_PART_POSITIONS = saved[1:]
