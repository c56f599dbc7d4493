"""What a file or an argument may make the library allocate: the bounds checked before it does.

A loader checks what a file declares (an IDX header, a zip directory, a tar member) before
inflating or allocating it, and a function sized by an argument (`num_classes`, `samples`,
`padding`) checks the bytes it would need, so a hostile or mistyped number is refused in one
line naming it, instead of ending in a `MemoryError` or an exhausted machine.

The bound on compressed files is a module attribute, read when a check runs; a program that
trusts its files raises it, as Pillow's `Image.MAX_IMAGE_PIXELS`::

    import tinygrad_cnn.limits
    tinygrad_cnn.limits.MAX_INFLATION = 10_000
"""

from __future__ import annotations

import os

# A compressed file (a .gz IDX file, a deflated .npz, a CIFAR-10 tarball) may inflate to
# MAX_INFLATION times its own size, or to MIN_INFLATED bytes, whichever is more. Real data
# compresses far less (MNIST's images about 5 times, weights barely); only a decompression
# bomb comes near deflate's own limit of about 1,000.
MAX_INFLATION = 100
MIN_INFLATED = 64 * 2**20


def _size(nbytes: int) -> str:
    """Bytes for a reader: 3,072 bytes, 1.5 MiB, 42.0 GiB."""
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB")
    value, unit = float(nbytes), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{nbytes:,} bytes" if unit == 0 else f"{value:,.1f} {units[unit]}"


def check_inflation(what: str, inflated: int, compressed: int) -> None:
    """Refuse `inflated` bytes from a file of `compressed` bytes beyond the bound above.

    Args:
        what: the file (or member), the subject of the message's first sentence.
        inflated: the bytes the file declares it inflates to.
        compressed: the file's size on disk.

    Raises:
        ValueError: naming the file, both sizes, and how to raise the bound.
    """
    allowed = max(MIN_INFLATED, MAX_INFLATION * compressed)
    if inflated > allowed:
        raise ValueError(
            f"{what} declares {_size(inflated)} once inflated from {_size(compressed)}, "
            f"more than {MAX_INFLATION} times its size (and more than {_size(MIN_INFLATED)}): "
            "a decompression bomb or a damaged file; if you trust it, raise "
            "tinygrad_cnn.limits.MAX_INFLATION"
        )


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
        raise ValueError(f"{op}: {what} needs {_size(nbytes)}, more than this machine's "
                         f"{_size(total)} of memory")
