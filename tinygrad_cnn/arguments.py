"""The one rule for a count argument (channels, sizes, epochs, threads): an int, not a bool;
and the one bound on what a size argument may make the library allocate.

A Python or NumPy integer is an int (`np.int64(5)` from an array's shape or an `argmax` is
as good as `5`); a bool is not, although Python says it is (`epochs=True` is a slip, not one
epoch). A value that is not an int is a `TypeError`, an int out of range a `ValueError`, and
both name the owner (the layer or function the user called) and the argument:
`Conv2d: in_channels must be a positive int, got True`. The value comes back as a Python int,
so a NumPy int never reaches a repr, a state dict or a shape.

A function sized by an argument (`num_classes`, `samples`, `padding`) checks the bytes it would
need against the machine's memory (`check_memory`), so a hostile or mistyped number is refused
in one line naming it instead of ending in a `MemoryError`.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np


def is_int(value: Any) -> bool:
    """True for a Python or NumPy int; False for a bool and for everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def positive_int(owner: str, name: str, value: Any, note: str = "") -> int:
    """`value` as an int >= 1.

    Args:
        owner: who checks, the start of the message (`"Conv2d"`, `"set_num_threads"`).
        name: the argument's name.
        value: what the user gave.
        note: the end of the message, e.g. the shapes involved.

    Raises:
        TypeError: for a value that is not an int (a bool, a float, a string, None).
        ValueError: for an int below 1.

    Examples:
        >>> import numpy as np
        >>> positive_int("Linear", "in_features", np.int64(3))
        3
        >>> positive_int("Linear", "in_features", True)
        Traceback (most recent call last):
        TypeError: Linear: in_features must be a positive int, got True
    """
    return _int_at_least(owner, name, value, 1, "a positive int", note)


def non_negative_int(owner: str, name: str, value: Any, note: str = "") -> int:
    """`value` as an int >= 0 (a seed, a depth, a padding); raises as `positive_int`."""
    return _int_at_least(owner, name, value, 0, "a non-negative int", note)


def positive_pair(owner: str, name: str, value: Any) -> tuple[int, int]:
    """An image size as (H, W): one int for both, or two of them, each >= 1.

    Raises:
        TypeError: for a value that is neither an int nor a pair, or a pair holding something
            other than ints.
        ValueError: for a sequence that is not a pair, or a size below 1.
    """
    pair = (value, value) if is_int(value) else value
    ints = isinstance(pair, (tuple, list, np.ndarray)) and all(is_int(n) for n in pair)
    if ints and len(pair) == 2 and min(pair) >= 1:
        return int(pair[0]), int(pair[1])
    error = ValueError if ints else TypeError
    raise error(f"{owner}: {name} must be a positive int or a pair (H, W), got {value!r}")


def _int_at_least(owner: str, name: str, value: Any, least: int, kind: str, note: str) -> int:
    if is_int(value) and value >= least:
        return int(value)
    error = ValueError if is_int(value) else TypeError
    raise error(f"{owner}: {name} must be {kind}, got {value!r}{note}")


def readable_bytes(nbytes: int) -> str:
    """Bytes for a reader: 3,072 bytes, 1.5 MiB, 42.0 GiB."""
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB")
    value, unit = float(nbytes), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{nbytes:,} bytes" if unit == 0 else f"{value:,.1f} {units[unit]}"


def physical_memory() -> int | None:
    """The machine's memory in bytes, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows), or no such name
        return None


def check_memory(op: str, what: str, nbytes: int) -> None:
    """Refuse to allocate `nbytes` when they exceed the machine's memory.

    Args:
        op: who allocates, the start of the message.
        what: the argument and what it asks for, e.g. ``"num_classes=10000000 (a 10000000 x
            10000000 matrix)"``.
        nbytes: the bytes it would take.

    Raises:
        ValueError: naming `op`, `what`, the bytes and the machine's memory.
    """
    total = physical_memory()
    if total is not None and nbytes > total:
        raise ValueError(f"{op}: {what} needs {readable_bytes(nbytes)}, more than this machine's "
                         f"{readable_bytes(total)} of memory")
