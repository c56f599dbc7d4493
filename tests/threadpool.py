"""The thread pool's settings for tests: a thread count, and every kernel cut into as many parts
as it has items, so that tiny test inputs take the parallel paths."""

from contextlib import contextmanager

from tinygrad_cnn.kernels import conv as conv_kernels
from tinygrad_cnn.kernels import threads as kernel_threads


@contextmanager
def threads(n, smallest_parts=True):
    """`n` threads, and (by default) every kernel cut into as many parts as it has items."""
    saved = (kernel_threads.get_num_threads(), kernel_threads.MIN_PART_MACS,
             kernel_threads.MIN_PART_VALUES, conv_kernels.MIN_PART_POSITIONS)
    kernel_threads.set_num_threads(n)
    if smallest_parts:
        kernel_threads.MIN_PART_MACS = kernel_threads.MIN_PART_VALUES = 1
        conv_kernels.MIN_PART_POSITIONS = 1
    try:
        yield
    finally:
        kernel_threads.set_num_threads(saved[0])
        (kernel_threads.MIN_PART_MACS, kernel_threads.MIN_PART_VALUES,
         conv_kernels.MIN_PART_POSITIONS) = saved[1:]
