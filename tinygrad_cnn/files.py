"""Files: one rule for every output (checked before any work, written atomically), and one
bound for every compressed input.

The rule, for checkpoints, IDX files, ONNX models and pictures alike: the folder must already
exist (nothing is created for you, so a mistyped folder is an error, not a new tree of
folders), the path must not be a folder, and the file gets the mode the umask gives
(``0o666 & ~umask``, as `open()` does). Errors name the path the caller gave, never the
temporary file. Downloads follow it too, into the data set's folder, which they create: a
cache folder is theirs to make.

A loader checks what a compressed file declares (an IDX header, a zip directory, a tar member)
before inflating it (`check_inflation`). The bound is a module attribute, read when a check
runs; a program that trusts its files raises it, as Pillow's `Image.MAX_IMAGE_PIXELS`::

    import tinygrad_cnn.files
    tinygrad_cnn.files.MAX_INFLATION = 10_000
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tinygrad_cnn.arguments import readable_bytes

PathLike = str | os.PathLike

# A compressed file (a .gz IDX file, a deflated .npz, a CIFAR-10 tarball) may inflate to
# MAX_INFLATION times its own size, or to MIN_INFLATED bytes, whichever is more. Real data
# compresses far less (MNIST's images about 5 times, weights barely); only a decompression
# bomb comes near deflate's own limit of about 1,000.
MAX_INFLATION = 100
MIN_INFLATED = 64 * 2**20


def check_output(path: PathLike, op: str) -> Path:
    """`path`, once it is known that a file can be written there; else an error naming it.

    Args:
        path: the file to be written.
        op: who asks, the start of every message (``"save"``, ``"--save"``).

    Returns:
        `path` as a `Path`.

    Raises:
        IsADirectoryError: when `path` is an existing folder.
        FileNotFoundError: when the folder that would hold `path` does not exist.
        PermissionError: when that folder cannot be written into.
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"{op}: {path} is a folder; name a file inside it")
    if not folder.is_dir():
        raise FileNotFoundError(f"{op}: cannot write {path}: the folder {folder} does not exist "
                                "(folders are not created; make it first)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"{op}: cannot write {path}: no permission to write in {folder}")
    return path


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], None], op: str = "write") -> None:
    """Call `write` on a temporary file beside `path`, then rename it over `path`.

    An interrupted or failing write (an exception from `write` included) leaves any previous
    file intact and nothing else behind.

    Args:
        path: the file to create or replace; its folder must exist (`check_output`).
        write: writes the whole content to the binary file it is given.
        op: who writes, the start of the messages of `check_output`.
    """
    path = check_output(path, op)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # O_EXCL: never reuse a stranger's file; mode 0o666 lets the umask decide, as open() does
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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
        declared, size = readable_bytes(inflated), readable_bytes(compressed)
        raise ValueError(
            f"{what} declares {declared} once inflated from {size}, more than {MAX_INFLATION} "
            f"times its size (and more than {readable_bytes(MIN_INFLATED)}): "
            "a decompression bomb or a damaged file; if you trust it, raise "
            "tinygrad_cnn.files.MAX_INFLATION"
        )
