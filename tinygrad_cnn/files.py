"""Writing files: one rule for every output, checked before any work, written atomically.

The rule, for checkpoints, IDX files, ONNX models and pictures alike: the folder must already
exist (nothing is created for you, so a mistyped folder is an error, not a new tree of
folders), the path must not be a folder, and the file gets the mode the umask gives
(``0o666 & ~umask``, as `open()` does). Errors name the path the caller gave, never the
temporary file. Downloads follow it too, into the data set's folder, which they create: a
cache folder is theirs to make.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

PathLike = str | os.PathLike


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
