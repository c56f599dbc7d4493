"""The same glibc malloc thresholds for every framework in a benchmark process.

glibc serves big blocks with mmap and gives them back on free, and trims the heap top when
enough is free; a training step that frees and re-allocates tens of megabytes then page-faults
them back in on every step. Which framework pays depends on its allocation sizes, so the suite
fixes both thresholds for the whole process (both frameworks allocate through malloc) and
reports what it set.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc caps the mmap threshold at 32 MiB on 64-bit; blocks below it come from the heap.
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 1024 * 1024 * 1024


def tune() -> dict[str, object]:
    """Set both thresholds (no-op off glibc) and return what was done, for the report."""
    name = ctypes.util.find_library("c")
    settings = {"M_MMAP_THRESHOLD": MMAP_THRESHOLD, "M_TRIM_THRESHOLD": TRIM_THRESHOLD}
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return {"applied": False, "reason": "no glibc mallopt", **settings}
    ok = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return {"applied": ok, **settings}
