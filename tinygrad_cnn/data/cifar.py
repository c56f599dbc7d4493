"""CIFAR-10, binary version: 3,073-byte records from the `.bin` files or their tarball."""

from __future__ import annotations

import os
import tarfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from tinygrad_cnn import files
from tinygrad_cnn.data.download import cache_dir, download_known

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"
ARCHIVE = "cifar-10-binary.tar.gz"
EXTRACTED_DIR = "cifar-10-batches-bin"  # the folder the tarball unpacks to

CIFAR10_MIRRORS = ["https://www.cs.toronto.edu/~kriz/"]
# The publisher gives the MD5 c32a1d4ab5d03f1284b67883e8d87530; this is the SHA-256 of the
# same 170,052,171-byte file, as pinned by TensorFlow Datasets' checksums.
CIFAR10_SHA256 = {ARCHIVE: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"}
CIFAR10_SIZES = {ARCHIVE: 170_052_171}

SHAPE = (3, 32, 32)
RECORD = 1 + 3 * 32 * 32  # one label byte, then the red, green and blue planes, row by row
BATCH_RECORDS = 10_000  # each of the six files holds this many (a subset of them also loads)

Split = tuple[np.ndarray, np.ndarray]


def _check_size(name: str, size: int) -> None:
    """Refuse a batch file of more than `BATCH_RECORDS` records, before reading it."""
    if size > BATCH_RECORDS * RECORD:
        raise ValueError(
            f"{name}: {size:,} bytes is more than the {BATCH_RECORDS:,} records of "
            f"{RECORD:,} bytes a CIFAR-10 batch file holds: the file is not CIFAR-10's "
            "binary version"
        )


def _records(name: str, raw: bytes) -> Split:
    """Images (N, 3, 32, 32) float32 in [0, 1] and int64 labels from one batch file's bytes."""
    if len(raw) == 0 or len(raw) % RECORD:
        raise ValueError(
            f"{name}: {len(raw)} bytes is not a whole number of {RECORD}-byte CIFAR-10 "
            f"records ({len(raw) // RECORD} records and {len(raw) % RECORD} bytes over): "
            "the file is truncated or not CIFAR-10's binary version"
        )
    table = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)
    labels = table[:, 0].astype(np.int64)
    if labels.max() >= len(CIFAR10_CLASSES):
        row = int(np.argmax(labels >= len(CIFAR10_CLASSES)))
        raise ValueError(
            f"{name}: record {row} has label {labels[row]}, but CIFAR-10 labels are 0 to 9: "
            "the file is damaged or not CIFAR-10's binary version"
        )
    images = table[:, 1:].reshape(-1, *SHAPE).astype(np.float32)
    images /= 255.0  # in place: no second float32 copy
    return images, labels


def _read_archive(path: Path) -> dict[str, bytes]:
    """The batch files' bytes, read from the tarball in one pass, nothing written to disk."""
    wanted, found = {*TRAIN_FILES, TEST_FILE}, {}
    compressed = path.stat().st_size
    try:
        with tarfile.open(path, "r|gz") as tar:  # a stream: members are read in order, once
            for member in tar:
                # Sizes from the member's header, checked before its bytes are inflated
                files.check_inflation(f"{path} (to the end of {member.name})",
                                       member.offset_data + member.size, compressed)
                name = Path(member.name).name
                if member.isfile() and name in wanted and name not in found:
                    _check_size(f"{path}:{name}", member.size)
                    found[name] = tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{path}: corrupt or truncated CIFAR-10 archive: {err}") from None
    missing = sorted(wanted - set(found))
    if missing:
        raise ValueError(f"{path}: the archive has no {', '.join(missing)}")
    return {f"{path}:{name}": found[name] for name in (*TRAIN_FILES, TEST_FILE)}


def _read_folder(folder: Path) -> dict[str, bytes]:
    batches = {}
    for name in (*TRAIN_FILES, TEST_FILE):
        _check_size(str(folder / name), (folder / name).stat().st_size)
        batches[str(folder / name)] = (folder / name).read_bytes()
    return batches


def _batches(root: Path) -> dict[str, bytes]:
    """The six batch files, from `root`, its extracted folder, or the tarball in either place."""
    if root.is_file():
        return _read_archive(root)
    if not root.is_dir():
        raise FileNotFoundError(f"load_cifar10: {root} does not exist")
    for folder in (root, root / EXTRACTED_DIR):
        if all((folder / name).is_file() for name in (*TRAIN_FILES, TEST_FILE)):
            return _read_folder(folder)
    if (root / ARCHIVE).is_file():
        return _read_archive(root / ARCHIVE)
    raise FileNotFoundError(
        f"load_cifar10: {root} holds neither {', '.join(TRAIN_FILES)} and {TEST_FILE} (nor "
        f"them in {EXTRACTED_DIR}/) nor {ARCHIVE}; download=True fetches it"
    )


def load_cifar10(
    root: str | os.PathLike[str] | None = None, *, download: bool = False
) -> tuple[Split, Split]:
    """Load CIFAR-10 (60,000 32x32 colour photographs in 10 classes) from its binary version.

    `root` may hold the six batch files (`data_batch_1.bin` ... `data_batch_5.bin`,
    `test_batch.bin`), the folder `cifar-10-batches-bin/` they unpack to, or the tarball
    `cifar-10-binary.tar.gz` itself, whose members are read in memory without extracting
    anything; `root` may also be the tarball's path. Each record is a label byte and
    3,072 pixel bytes (red, green, blue planes, row by row); no pickle is involved. Class `i`
    is named `CIFAR10_CLASSES[i]`.

    Args:
        root: where the files are; default the cache folder `cache_dir("cifar-10")`.
        download: first fetch the tarball into `root` with `download_cifar10`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 images `(N, 3, 32, 32)` in [0, 1]
        (50,000 and 10,000) and int64 labels `(N,)`.

    Raises:
        FileNotFoundError: when `root` or the files are missing.
        ValueError: when a file is truncated, not a whole number of records, holds more than
            the 10,000 records of a batch or a label above 9, or the tarball is corrupt or
            declares more than it may inflate to (`files.check_inflation`); the message
            names the file.
        OSError: when `download=True` and the tarball cannot be fetched from any mirror.

    Examples:
        >>> CIFAR10_CLASSES[3]
        'cat'
    """
    root = cache_dir("cifar-10") if root is None else Path(root)
    if download:
        root = download_cifar10(root) / ARCHIVE
    batches = [_records(name, raw) for name, raw in _batches(root).items()]
    x_train = np.concatenate([x for x, _ in batches[:-1]])
    y_train = np.concatenate([y for _, y in batches[:-1]])
    return (x_train, y_train), batches[-1]


def download_cifar10(
    root: str | os.PathLike[str] | None = None, *, mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None, timeout: float = 30.0, deadline: float = 3600.0,
    progress: bool = True,
) -> Path:
    """Fetch `cifar-10-binary.tar.gz` (162 MiB) into `root`, verified by size and SHA-256.

    Works as `download_mnist`: a file already present and intact is kept, a missing one comes
    from the first mirror that serves it intact, and nothing partial is left behind. The
    tarball is kept as it is; `load_cifar10` reads it without extracting.

    Args:
        root: the target directory, created if needed; default `cache_dir("cifar-10")`.
        mirrors: base URLs tried in order; default `CIFAR10_MIRRORS`.
        checksums: the expected SHA-256 of the tarball, keyed by its name; default
            `CIFAR10_SHA256`, the official file (whose size is then checked too).
        timeout: seconds to wait for a mirror to answer before trying the next.
        deadline: seconds the whole download may take (default an hour); past it, `OSError`.
        progress: show a progress bar.

    Returns:
        The directory holding the verified tarball.

    Raises:
        ValueError: when `mirrors` is empty or `checksums` lacks the tarball.
        OSError: when it cannot be fetched intact from any mirror.
    """
    official = (CIFAR10_MIRRORS, CIFAR10_SHA256, CIFAR10_SIZES)
    return download_known([ARCHIVE], "cifar-10", official, root, mirrors, checksums,
                          "download_cifar10", timeout=timeout, deadline=deadline,
                          progress=progress)
