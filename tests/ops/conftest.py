"""Every op test runs with the pool on: two threads, and every kernel cut into as many parts
as it has items, so the gradcheck properties check the parallel paths."""

import sys

import pytest

from tinygrad_cnn import parallel


@pytest.fixture(autouse=True)
def every_kernel_in_parts_on_two_threads(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PART_MACS", 1)
    monkeypatch.setattr(parallel, "MIN_PART_VALUES", 1)
    monkeypatch.setattr(sys.modules["tinygrad_cnn.kernels.conv"], "MIN_PART_POSITIONS", 1)
    threads = parallel.get_num_threads()
    parallel.set_num_threads(2)
    yield
    parallel.set_num_threads(threads)
