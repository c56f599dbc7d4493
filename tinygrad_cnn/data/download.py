"""Verified downloads: from the first mirror that serves a file intact, written atomically."""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

from tqdm import tqdm

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
    # The size is checked first: it costs nothing, a hash of 170 MB costs a second.
    return (size is None or path.stat().st_size == size) and sha256_of(path) == sha256


def _fetch(url: str, target: Path, sha256: str, size: int | None, timeout: float,
           progress: bool) -> None:
    """Stream `url` into a temporary file beside `target`; replace `target` if the hash matches."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        digest, received = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as f, urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else size
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name,
                      disable=not progress, leave=False) as bar:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    received += len(chunk)
                    if size is not None and received > size:  # a wrong file, maybe endless
                        raise ValueError(f"size mismatch: more than the {size} bytes expected")
                    f.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            f.flush()
            os.fsync(f.fileno())
        if size is not None and received != size:
            raise ValueError(f"size mismatch: got {received} bytes, expected {size}")
        if digest.hexdigest() != sha256:
            raise ValueError(f"SHA-256 mismatch: got {digest.hexdigest()}, expected {sha256}")
        os.replace(tmp_name, target)
    finally:
        Path(tmp_name).unlink(missing_ok=True)  # a no-op once replaced


def download_files(
    names: Sequence[str],
    root: Path,
    *,
    mirrors: Sequence[str],
    checksums: Mapping[str, str],
    sizes: Mapping[str, int] | None = None,
    timeout: float = 30.0,
    progress: bool = True,
    caller: str = "download",
) -> Path:
    """Fetch each of `names` into `root` from the first mirror that serves it intact.

    A file already in `root` with the right size and SHA-256 is not fetched again. Each
    missing file is streamed into a temporary file in `root` that replaces the final name only
    once its size and hash match, so an interrupted or corrupt download leaves nothing behind.

    Args:
        names: the file names, each appended to every mirror's base URL.
        root: the target directory, created if needed.
        mirrors: base URLs, tried in order.
        checksums: the expected SHA-256 (hex) of every name.
        sizes: the expected size in bytes of some or all names; a mirror sending more stops
            early. None when unknown.
        timeout: seconds to wait for a mirror to answer before trying the next.
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
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        target, expected, size = root / name, checksums[name].lower(), sizes.get(name)
        if _is_verified(target, expected, size):
            continue
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                _fetch(url, target, expected, size, timeout, progress)
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
