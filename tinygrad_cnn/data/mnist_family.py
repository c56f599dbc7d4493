"""Fashion-MNIST and KMNIST: MNIST's drop-in siblings, with their publishers' files and classes."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from tinygrad_cnn.data.download import cache_dir, download_known
from tinygrad_cnn.data.mnist import FILES, Split, load_idx_dir

GZ_FILES = tuple(f"{name}.gz" for name in FILES)

# Zalando Research's labels, in label order (github.com/zalandoresearch/fashion-mnist).
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
# The publisher's bucket first; the repository's copies are the same files.
FASHION_MNIST_MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
]
# The publisher lists MD5s (8d4fb7e6..., 25c81989..., bef4ecab..., bb300cfd...); these are the
# SHA-256 of the same files, as pinned by torchvision's dataset checksums.
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
    ),
    "train-labels-idx1-ubyte.gz": (
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
    ),
}
FASHION_MNIST_SIZES = dict(zip(GZ_FILES, (26_421_880, 29_515, 4_422_102, 5_148)))

# The romanised reading of each class's hiragana (お き す つ な は ま や れ を), as the
# publisher's kmnist_classmap.csv lists them.
KMNIST_CLASSES = ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")
KMNIST_MIRRORS = [
    "https://codh.rois.ac.jp/kmnist/dataset/kmnist/",
    "https://storage.googleapis.com/kuzushiji-mnist/",
]
# The publisher lists MD5s (bdb82020..., e144d726..., 5c965bf0..., 7320c461...); these are the
# SHA-256 of the same files.
KMNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"
    ),
    "train-labels-idx1-ubyte.gz": (
        "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"
    ),
}
KMNIST_SIZES = dict(zip(GZ_FILES, (18_165_135, 29_497, 3_041_136, 5_120)))


def download_fashion_mnist(
    root: str | os.PathLike[str] | None = None, *, mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None, timeout: float = 30.0, deadline: float = 3600.0,
    progress: bool = True,
) -> Path:
    """Fetch the four Fashion-MNIST `.gz` files into `root` (default
    `cache_dir("fashion-mnist")`), verified by size and SHA-256, from `FASHION_MNIST_MIRRORS`.

    Arguments, return value and errors as `download_mnist`'s; without `checksums`, the files
    are checked against `FASHION_MNIST_SHA256` and `FASHION_MNIST_SIZES`.
    """
    official = (FASHION_MNIST_MIRRORS, FASHION_MNIST_SHA256, FASHION_MNIST_SIZES)
    return download_known(GZ_FILES, "fashion-mnist", official, root, mirrors, checksums,
                          "download_fashion_mnist", timeout=timeout, deadline=deadline,
                          progress=progress)


def download_kmnist(
    root: str | os.PathLike[str] | None = None, *, mirrors: Sequence[str] | None = None,
    checksums: Mapping[str, str] | None = None, timeout: float = 30.0, deadline: float = 3600.0,
    progress: bool = True,
) -> Path:
    """Fetch the four Kuzushiji-MNIST `.gz` files into `root` (default `cache_dir("kmnist")`),
    verified by size and SHA-256, from `KMNIST_MIRRORS`.

    Arguments, return value and errors as `download_mnist`'s; without `checksums`, the files
    are checked against `KMNIST_SHA256` and `KMNIST_SIZES`.
    """
    official = (KMNIST_MIRRORS, KMNIST_SHA256, KMNIST_SIZES)
    return download_known(GZ_FILES, "kmnist", official, root, mirrors, checksums,
                          "download_kmnist", timeout=timeout, deadline=deadline,
                          progress=progress)


def load_fashion_mnist(
    root: str | os.PathLike[str] | None = None, *, download: bool = False
) -> tuple[Split, Split]:
    """Load Fashion-MNIST (Zalando's 28x28 clothing pictures) as `load_mnist` loads MNIST.

    Class `i` is named `FASHION_MNIST_CLASSES[i]`.

    Args:
        root: a directory of the four IDX files (each optionally `.gz`); default the cache
            folder `cache_dir("fashion-mnist")`.
        download: first fetch the official files into `root` with `download_fashion_mnist`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float32 images `(N, 1, 28, 28)` in [0, 1]
        (60,000 and 10,000) and int64 labels `(N,)`.

    Raises:
        FileNotFoundError: when the directory or a file is missing (pass `download=True`).
        ValueError: when a file is corrupt, the images and labels do not fit together, or a
            label is not one of the ten classes (naming the file, the label and its position).
        OSError: when `download=True` and a file cannot be fetched from any mirror.

    Examples:
        >>> FASHION_MNIST_CLASSES[9]
        'Ankle boot'
    """
    root = cache_dir("fashion-mnist") if root is None else Path(root)
    if download:
        download_fashion_mnist(root)
    return load_idx_dir(root, "load_fashion_mnist", "; download=True fetches Fashion-MNIST",
                        len(FASHION_MNIST_CLASSES))


def load_kmnist(
    root: str | os.PathLike[str] | None = None, *, download: bool = False
) -> tuple[Split, Split]:
    """Load Kuzushiji-MNIST (cursive Japanese characters, 28x28) as `load_mnist` loads MNIST.

    Class `i` is named `KMNIST_CLASSES[i]`. Arguments, return value and errors as
    `load_fashion_mnist`'s, with `cache_dir("kmnist")` and `download_kmnist`.
    """
    root = cache_dir("kmnist") if root is None else Path(root)
    if download:
        download_kmnist(root)
    return load_idx_dir(root, "load_kmnist", "; download=True fetches KMNIST",
                        len(KMNIST_CLASSES))
