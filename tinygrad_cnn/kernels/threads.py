"""Threads for the heavy kernels: how many, one persistent pool, and BLAS kept out of their way.

A kernel cuts its work into parts by shape alone (`split`) and hands a function of the part to
`run`, which computes the parts on the pool's threads and this one and returns the results in
part order. What a kernel computes therefore never depends on the thread count, only who
computes each part: results are the same bits with one thread or eight. (`threaded` cuts
NumPy's ufuncs, sums and products the same way.)

While a kernel runs, BLAS is held to one thread (through threadpoolctl) and the pool is the only
source of threads: a big product is split like any other work. Two thread pools would fight
over the cores, OpenBLAS's threads spinning on after each threaded call (the numbers are in
docs/performance.md, "Threads").
"""

from __future__ import annotations

import itertools
import math
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import positive_int

# A part should hold at least this much work: smaller parts lose more to waking a thread and
# to handing the GIL back and forth between NumPy calls than a second core gains. A BLAS
# multiply-add costs far less than a NumPy pass over a value, hence two units.
MIN_PART_MACS = 2**22
MIN_PART_VALUES = 2**20

# Part counts are powers of two, so parts share out evenly over 1, 2, 4 or 8 threads.
MAX_PARTS = 8


def _default_threads() -> int:
    """The CPUs this process may run on, or OMP_NUM_THREADS when it is set (as PyTorch)."""
    first = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if first.isdigit() and int(first) > 0:
        return int(first)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Job:
    """The parts of one `run` call, taken one at a time by whichever thread is free."""

    def __init__(self, work: Callable[[int], Any], count: int) -> None:
        self.work, self.count = work, count
        self.results: list[Any] = [None] * count
        self.errors: list[BaseException] = []
        self.done: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._next = itertools.count()  # next() on it is atomic under the GIL

    def serve(self) -> None:
        """Compute parts until none is left (or one has failed)."""
        for part in self._next:
            if part >= self.count or self.errors:
                return
            try:
                self.results[part] = self.work(part)
            except BaseException as error:  # re-raised by the caller of run
                self.errors.append(error)


class _Pool:
    """Daemon threads that each serve the jobs put in their own queue; started as needed and
    kept for the life of the process, so a change of thread count costs nothing."""

    def __init__(self) -> None:
        self.inboxes: list[queue.SimpleQueue[_Job]] = []
        self.lock = threading.Lock()  # one job at a time; other callers run their parts serially

    def helpers(self, count: int) -> list[queue.SimpleQueue[_Job]]:
        """The inboxes of `count` threads, starting those not running yet."""
        while len(self.inboxes) < count:
            inbox: queue.SimpleQueue[_Job] = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(inbox,), daemon=True,
                             name=f"tinygrad_cnn-{len(self.inboxes) + 1}").start()
            self.inboxes.append(inbox)
        return self.inboxes[:count]

    @staticmethod
    def _serve(inbox: queue.SimpleQueue[_Job]) -> None:
        local.in_part = True  # kernels called from a part run serially
        while True:
            job = inbox.get()
            job.serve()
            job.done.put(None)


class _BlasHold:
    """BLAS's thread count, held at one while a kernel runs in any thread: the count belongs
    to the process, so the first kernel to start lowers it and the last to end restores it,
    and a new count set meanwhile waits for that end."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kernels = 0  # running now, in all threads
        self.restore: list[tuple[Any, int]] = []  # (library, count) for when the last ends

    def enter(self) -> None:
        with self.lock:
            if self.kernels == 0:
                self.restore = [(library, count) for library in _blas_libraries()
                                if (count := library.get_num_threads()) != 1]
                for library, _ in self.restore:
                    _set_blas_threads(library, 1)
            self.kernels += 1

    def exit(self) -> None:
        with self.lock:
            self.kernels -= 1
            if self.kernels == 0:
                for library, count in self.restore:
                    _set_blas_threads(library, count)

    def set_count(self, n: int) -> None:
        with self.lock:
            if self.kernels:
                self.restore = [(library, n) for library in _blas_libraries()]
            else:
                for library in _blas_libraries():
                    _set_blas_threads(library, n)


def _set_blas_threads(library: Any, n: int) -> None:
    """Set a BLAS library's thread count from any thread (the hold's lock is held)."""
    # threadpoolctl lets one thread alone set OpenBLAS's count (the first to try, for as long
    # as it lives) and silently ignores the others; the hold's lock already keeps threads
    # from fighting over the count, so the thread holding it takes control for the call.
    release = getattr(type(library), "clear_controlling_thread", None)
    if release is not None:
        release(force=True)
    library.set_num_threads(n)
    if release is not None:
        release(force=True)


local = threading.local()
_threads = _default_threads()
_pool = _Pool()
_blas_hold = _BlasHold()


def _fresh_after_fork() -> None:
    """A forked child has only the thread that forked: it starts threads of its own rather
    than wait forever on its parent's, and a BLAS hold of its own (a parent's thread may have
    held the lock)."""
    global _pool, _blas_hold
    _pool, _blas_hold = _Pool(), _BlasHold()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_after_fork)
_blas: list[Any] | None = None  # threadpoolctl's controllers of the BLAS libraries, on first use


def get_num_threads() -> int:
    """The threads tinygrad_cnn's kernels use: by default the CPUs this process may run on, or
    OMP_NUM_THREADS when set."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use `n` threads in tinygrad_cnn's kernels from now on, and give BLAS `n` threads for
    NumPy products outside them (as `torch.set_num_threads`).

    Results do not depend on `n`: only who computes each part of a kernel does.

    Raises:
        TypeError: for an `n` that is not an int (a bool, a float).
        ValueError: for an `n` below 1.
    """
    global _threads
    _threads = positive_int("set_num_threads", "n", n)
    _blas_hold.set_count(_threads)


def _blas_libraries() -> list[Any]:
    """threadpoolctl's controllers of the loaded BLAS libraries (found once: a lookup walks
    every loaded library)."""
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas


class OneBlasThread:
    """Holds BLAS to one thread inside, in every thread at once: its count comes back when
    the last kernel running in any thread ends."""

    def __enter__(self) -> None:
        _blas_hold.enter()

    def __exit__(self, *exc_info: object) -> None:
        _blas_hold.exit()


def split(
    items: int, work: float, per_part: float | None = None, most: int = MAX_PARTS
) -> list[slice]:
    """`items` (images, planes) cut into near-equal parts by shape alone, for `run`.

    `work` is the whole job's cost, in values passed over (or in multiply-adds, with
    `per_part` MIN_PART_MACS); each part gets at least `per_part` of it (default
    MIN_PART_VALUES), and the part count is a power of two up to `most` and MAX_PARTS, so it
    never depends on the thread count.
    """
    per_part = MIN_PART_VALUES if per_part is None else per_part
    count = max(1, min(items, most, MAX_PARTS, int(work // per_part)))
    count = 2 ** int(math.log2(count))
    bounds = [items * k // count for k in range(count + 1)]
    return [slice(start, stop) for start, stop in itertools.pairwise(bounds)]


def run(work: Callable[[int], Any], count: int) -> list[Any]:
    """[work(0), ..., work(count - 1)], computed on the pool's threads and this one.

    Serial when there is one part or one thread, or inside a part already, or while another
    thread has the pool. BLAS runs one thread either way.
    """
    if getattr(local, "in_part", False):
        return [work(part) for part in range(count)]
    with OneBlasThread():
        if count == 1 or _threads == 1 or not _pool.lock.acquire(blocking=False):
            return [work(part) for part in range(count)]
        try:
            return _run_with_helpers(_Job(work, count), helpers=min(count, _threads) - 1)
        finally:
            _pool.lock.release()


def _run_with_helpers(job: _Job, helpers: int) -> list[Any]:
    inboxes = _pool.helpers(helpers)
    for inbox in inboxes:
        inbox.put(job)
    local.in_part = True
    try:
        job.serve()
    finally:
        local.in_part = False
        for _ in inboxes:  # wait for every helper, even when this thread's part failed
            job.done.get()
    if job.errors:
        raise job.errors[0]
    return job.results


def exact_parts(items: int, work: float) -> list[slice]:
    """Parts for a kernel whose every output value comes from its own inputs in a fixed order
    (pooling, elementwise), so that no cut of the items changes a bit: `split`'s parts, or
    the whole on one thread."""
    return [slice(0, items)] if _threads == 1 else split(items, work)


def over_batch(
    kernel: Callable[[slice], Any], items: int, work: float, axes: tuple[int, ...] = (0,)
) -> Any:
    """kernel(part) for the `exact_parts` of `items`, their arrays joined in part order.

    `kernel` returns an array, or a tuple of arrays (or None), joined along `axes`, one axis
    per array. With one part, its result is returned as it is.
    """
    parts = exact_parts(items, work)
    if len(parts) == 1:
        return kernel(parts[0])
    results = run(lambda part: kernel(parts[part]), len(parts))
    if not isinstance(results[0], tuple):
        return np.concatenate(results, axis=axes[0])
    return tuple(None if pieces[0] is None else np.concatenate(pieces, axis=axis)
                 for pieces, axis in zip(zip(*results), axes))
