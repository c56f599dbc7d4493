"""MNIST-format data sets: the embedded 5,000-digit subset, a directory of IDX files, download."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from tinygrad_cnn.data.download import cache_dir, download_known
from tinygrad_cnn.data.idx import read_idx
from tinygrad_cnn.data.labels import MAX_CLASSES, check_labels

# The four files of an MNIST-format data set, in the order load_mnist returns them.
FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

# Tried in order; each is a base URL under which the four `.gz` files live.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
]

# SHA-256 of the official MNIST archives, identical on every mirror above.
SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
}

# Their sizes in bytes: a mirror sending anything else is cut off before the hash is checked.
MNIST_SIZES = dict(zip((f"{name}.gz" for name in FILES), (9_912_422, 28_881, 1_648_877, 4_542)))

# The label of each class index: MNIST's classes are its digits.
MNIST_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")

EMBEDDED_DIR = Path(__file__).resolve().parent / "mnist-5k"

Split = tuple[np.ndarray, np.ndarray]


def default_cache_dir() -> Path:
    """Where `download_mnist` puts MNIST when no directory is given.

    Returns:
        `$TINYGRAD_CNN_CACHE/mnist` when that variable is set, else
        `$XDG_CACHE_HOME/tinygrad_cnn/mnist`, else `~/.cache/tinygrad_cnn/mnist`.
    """
    return cache_dir("mnist")


def _find(root: Path, name: str) -> Path | None:
    for candidate in (root / f"{name}.gz", root / name):
        if candidate.is_file():
            return candidate
    return None


def _check_pair(images: np.ndarray, labels: np.ndarray, image_path: Path, label_path: Path,
                classes: int):
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{image_path}: expected uint8 images of shape (N, H, W), "
            f"got {images.dtype} array of shape {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{label_path}: expected integer labels of shape (N,), "
            f"got {labels.dtype} array of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"{label_path}: {len(labels)} labels for the {len(images)} images in {image_path}"
        )
    check_labels(labels, str(label_path), classes)


def _to_split(images: np.ndarray, labels: np.ndarray) -> Split:
    n, h, w = images.shape
    x = images.reshape(n, 1, h, w).astype(np.float32)
    x /= 255.0  # in place: no second float32 copy of the whole set
    return x, labels.astype(np.int64)


def load_idx_dir(root: Path, caller: str = "load_mnist", hint: str = "",
                 classes: int = MAX_CLASSES) -> tuple[Split, Split]:
    """The two splits of an MNIST-format directory; errors start with `caller`, end with `hint`.

    Labels must be below `classes`: the data set's declared number, else the bound on any.
    """
    if not root.is_dir():
        raise FileNotFoundError(f"{caller}: directory {root} does not exist{hint}")
    paths = [_find(root, name) for name in FILES]
    missing = [name for name, p in zip(FILES, paths, strict=True) if p is None]
    if missing:
        wanted = ", ".join(f"{name}[.gz]" for name in missing)
        raise FileNotFoundError(
            f"{caller}: {root} has no {wanted}; an MNIST-format directory holds "
            f"{', '.join(FILES)}, each optionally gzip-compressed (.gz){hint}"
        )
    arrays = [read_idx(p) for p in paths]
    _check_pair(arrays[0], arrays[1], paths[0], paths[1], classes)
    _check_pair(arrays[2], arrays[3], paths[2], paths[3], classes)
    if arrays[0].shape[1:] != arrays[2].shape[1:]:
        raise ValueError(
            f"{caller}: train images are {arrays[0].shape[1:]} but test images are "
            f"{arrays[2].shape[1:]}; {paths[0]}, {paths[2]}"
        )
    return _to_split(arrays[0], arrays[1]), _to_split(arrays[2], arrays[3])


def load_mnist(
    root: str | os.PathLike[str] | None = None, *, download: bool = False
) -> tuple[Split, Split]:
    """Load an MNIST-format data set as float images in [0, 1] and int64 labels.

    With no arguments this reads the 5,000-digit MNIST subset shipped inside the package
    (4,000 train / 1,000 test, 400 and 100 per class), so it works offline. With `root`, it
    reads the four standard IDX files from that directory, each with or without `.gz`, so
    MNIST, Fashion-MNIST and KMNIST all load the same way.

    Args:
        root: a directory holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
            `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (each optionally `.gz`);
            None for the embedded subset, or with `download=True` for the cache folder.
        download: first fetch the full official MNIST into `root` (default
            `default_cache_dir()`) with `download_mnist`, skipping files already there.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 images `(N, 1, H, W)` in [0, 1]
        (H = W = 28 for MNIST) and int64 labels `(N,)`.

    Raises:
        FileNotFoundError: when the directory or one of the four files is missing; the
            message names the directory and the files looked for.
        ValueError: when a file is corrupt, images are not uint8 `(N, H, W)`, labels are not
            `(N,)` integers, a label is negative or not below `labels.MAX_CLASSES` (100,000;
            the message names the file, the label and its position), or the counts of images
            and labels differ.
        OSError: when `download=True` and a file cannot be fetched from any mirror.

    Examples:
        >>> (x_train, y_train), (x_test, y_test) = load_mnist()
        >>> x_train.shape, y_train.dtype, x_test.shape
        ((4000, 1, 28, 28), dtype('int64'), (1000, 1, 28, 28))
    """
    if download:
        root = download_mnist(root)
    return load_idx_dir(EMBEDDED_DIR if root is None else Path(root))


def download_mnist(
    root: str | os.PathLike[str] | None = None, *, mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None, timeout: float = 30.0, deadline: float = 3600.0,
    progress: bool = True,
) -> Path:
    """Fetch the four MNIST `.gz` files into `root`, verified by size and SHA-256.

    A file already present with the right hash is not fetched again. Each missing file is
    streamed from the first mirror that serves it with the expected hash, into a temporary
    file in `root` that replaces the final name only after the hash matches: an interrupted
    or corrupt download never leaves a partial file behind.

    Passing other `mirrors` and `checksums` downloads any data set published under the same
    four file names (e.g. Fashion-MNIST).

    Args:
        root: the target directory, created if needed; default `default_cache_dir()`.
        mirrors: base URLs tried in order, each followed by the file name; default `MIRRORS`.
        checksums: the expected SHA-256 (hex) of each of the four `.gz` files, keyed by file
            name; default `SHA256`, the hashes of the official MNIST files (whose sizes,
            `MNIST_SIZES`, are then checked too: a mirror sending more is cut off).
        timeout: seconds to wait for a mirror to answer before trying the next.
        deadline: seconds the whole download may take (default an hour); past it, `OSError`.
        progress: show a progress bar per file.

    Returns:
        The directory holding the four verified files.

    Raises:
        ValueError: when `mirrors` is empty or `checksums` lacks one of the four files.
        OSError: when a file cannot be fetched with the right hash from any mirror; the
            message names the file and lists each mirror's failure.
    """
    names, official = [f"{name}.gz" for name in FILES], (MIRRORS, SHA256, MNIST_SIZES)
    return download_known(names, "mnist", official, root, mirrors, checksums, "download_mnist",
                          timeout=timeout, deadline=deadline, progress=progress)
