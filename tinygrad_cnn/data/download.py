"""Verified downloads: from the first mirror that serves a file intact, written atomically."""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from tinygrad_cnn.files import atomic_write

_CHUNK = 1 << 20


def cache_dir(name: str) -> Path:
    """The folder where data set `name` is downloaded when no directory is given.

    Args:
        name: the data set's folder name, e.g. `"mnist"` or `"cifar-10"`.

    Returns:
        `$TINYGRAD_CNN_CACHE/name` when that variable is set, else
        `$XDG_CACHE_HOME/tinygrad_cnn/name`, else `~/.cache/tinygrad_cnn/name`.
    """
    root = os.environ.get("TINYGRAD_CNN_CACHE")
    if root:
        return Path(root).expanduser() / name
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "tinygrad_cnn" / name


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, as lower-case hex, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_verified(path: Path, sha256: str, size: int | None) -> bool:
    if not path.is_file():
        return False
    # The size is checked first: it costs nothing, where the hash reads the whole file.
    return (size is None or path.stat().st_size == size) and sha256_of(path) == sha256


@dataclass(frozen=True)
class _Deadline:
    """The time by which a whole download must be done."""

    seconds: float
    at: float  # on the time.monotonic() clock

    def passed(self) -> bool:
        return time.monotonic() > self.at

    def check(self) -> None:
        if self.passed():
            raise TimeoutError(f"the download took longer than its deadline of {self.seconds:g} s")


def _fetch(url: str, target: Path, sha256: str, size: int | None, timeout: float,
           deadline: _Deadline, progress: bool, caller: str) -> None:
    """Stream `url` into `target` atomically, refused unless its size and hash match."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        announced = int(length) if length and length.isdigit() else None
        if size is not None and announced is not None and announced != size:
            raise ValueError(f"size mismatch: the server announces {announced} bytes, "
                             f"expected {size}")
        with tqdm(total=announced or size, unit="B", unit_scale=True, desc=target.name,
                  disable=not progress, leave=False) as bar:
            atomic_write(target, lambda file: _copy(response, file, sha256, size, deadline, bar),
                         caller)


def _copy(response: IO[bytes], file: IO[bytes], sha256: str, size: int | None,
          deadline: _Deadline, bar: tqdm) -> None:
    digest, received = hashlib.sha256(), 0
    # read1: one read from the socket, so a server dripping bytes cannot hold off the deadline
    for chunk in iter(lambda: response.read1(_CHUNK), b""):
        received += len(chunk)
        if size is not None and received > size:  # a wrong file, maybe endless
            raise ValueError(f"size mismatch: more than the {size} bytes expected")
        deadline.check()
        file.write(chunk)
        digest.update(chunk)
        bar.update(len(chunk))
    if size is not None and received != size:
        raise ValueError(f"size mismatch: got {received} bytes, expected {size}")
    if digest.hexdigest() != sha256:
        raise ValueError(f"SHA-256 mismatch: got {digest.hexdigest()}, expected {sha256}")


def download_files(
    names: Sequence[str],
    root: Path,
    *,
    mirrors: Sequence[str],
    checksums: Mapping[str, str],
    sizes: Mapping[str, int] | None = None,
    timeout: float = 30.0,
    deadline: float = 3600.0,
    progress: bool = True,
    caller: str = "download",
) -> Path:
    """Fetch each of `names` into `root` from the first mirror that serves it intact.

    A file already in `root` with the right size and SHA-256 is not fetched again. Each
    missing file is streamed into a temporary file in `root` that replaces the final name only
    once its size and hash match, so an interrupted or corrupt download leaves nothing behind.
    A known size bounds what is read: a mirror announcing another size is refused before its
    first byte, one sending more is cut off there. Files get the mode the umask gives.

    Args:
        names: the file names, each appended to every mirror's base URL.
        root: the target directory, created if needed.
        mirrors: base URLs, tried in order.
        checksums: the expected SHA-256 (hex) of every name.
        sizes: the expected size in bytes of some or all names; a mirror sending more stops
            early. None when unknown.
        timeout: seconds to wait for a mirror to answer (each read) before trying the next.
        deadline: seconds the whole download may take, every file and mirror together; a
            mirror still sending then is abandoned and the others are not tried.
        progress: show a progress bar per file.
        caller: the public function's name, which starts every error message.

    Returns:
        `root`, now holding every file, verified.

    Raises:
        ValueError: when `mirrors` is empty or `checksums` lacks one of `names`.
        OSError: when a file cannot be fetched intact from any mirror; the message names the
            file and lists each mirror's failure.
    """
    if not mirrors:
        raise ValueError(f"{caller}: mirrors must list at least one base URL, got none")
    missing = [name for name in names if name not in checksums]
    if missing:
        raise ValueError(f"{caller}: checksums has no SHA-256 for {', '.join(missing)}")
    sizes = sizes or {}
    stop = _Deadline(deadline, time.monotonic() + deadline)
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        target, expected, size = root / name, checksums[name].lower(), sizes.get(name)
        if _is_verified(target, expected, size):
            continue
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            if stop.passed():
                failures.append(f"  {url}: not tried, the deadline had passed")
                continue
            try:
                _fetch(url, target, expected, size, timeout, stop, progress, caller)
                break
            # URLError, HTTPError and timeouts are OSErrors; a short read is an HTTPException
            except (OSError, ValueError, http.client.HTTPException) as err:
                failures.append(f"  {url}: {err}")
        else:
            raise OSError(
                f"{caller}: could not fetch {name} into {root} from any mirror:\n"
                + "\n".join(failures)
            )
    return root


def download_known(
    names: Sequence[str], folder: str, known: tuple[Sequence[str], Mapping[str, str],
                                                    Mapping[str, int]],
    root: str | os.PathLike[str] | None, mirrors: Sequence[str] | None,
    checksums: Mapping[str, str] | None, caller: str, **options: Any,
) -> Path:
    """`download_files` with a data set's defaults: `known` is its (mirrors, SHA-256, sizes);
    `root` defaults to `cache_dir(folder)`; the sizes are checked only with the official
    checksums. `options` are `download_files`'s timeout, deadline and progress."""
    official_mirrors, official_sha256, official_sizes = known
    return download_files(
        names, cache_dir(folder) if root is None else Path(root),
        mirrors=official_mirrors if mirrors is None else list(mirrors),
        checksums=official_sha256 if checksums is None else checksums,
        sizes=official_sizes if checksums is None else None, caller=caller, **options,
    )
