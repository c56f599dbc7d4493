"""Every op test runs with the pool on: two threads, and every kernel cut into as many parts
as it has items, so the gradcheck properties check the parallel paths."""

import pytest

from tests.threadpool import threads


@pytest.fixture(autouse=True)
def every_kernel_in_parts_on_two_threads():
    with threads(2):
        yield
