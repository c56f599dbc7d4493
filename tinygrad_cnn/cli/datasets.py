"""`--dataset`: the data sets the commands know by name, read from the cache (or `--data`) and
downloaded there, verified by SHA-256, when `--download` asks; and CIFAR-10's binary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinygrad_cnn.data import (
    cache_dir,
    cifar,
    load_cifar10,
    load_fashion_mnist,
    load_kmnist,
    load_mnist,
)

Loader = Callable[..., Any]

# name -> (loader, cache folder, what it is); the loaders take (root, download=)
DATASETS: dict[str, tuple[Loader, str | None, str]] = {
    "mnist-subset": (load_mnist, None, "the 5,000 MNIST digits inside the package"),
    "mnist": (load_mnist, "mnist", "MNIST, 70,000 handwritten digits (11 MB)"),
    "fashion-mnist": (load_fashion_mnist, "fashion-mnist",
                      "Fashion-MNIST, 70,000 clothing pictures (30 MB)"),
    "kmnist": (load_kmnist, "kmnist", "Kuzushiji-MNIST, 70,000 cursive kana (21 MB)"),
    "cifar10": (load_cifar10, "cifar-10", "CIFAR-10, 60,000 colour photographs (162 MB)"),
}

PHOTOS = ("cifar10",)  # data sets of photographs: crops and flips augment them


def is_cifar10_dir(directory: str | None) -> bool:
    """True for a folder in CIFAR-10's binary layout (`data_batch_1.bin` ... `test_batch.bin`,
    or them in `cifar-10-batches-bin/`, or the tarball), as `data.load_cifar10` reads it."""
    if directory is None or not Path(directory).is_dir():
        return False
    root, names = Path(directory), (*cifar.TRAIN_FILES, cifar.TEST_FILE)
    return (root / cifar.ARCHIVE).is_file() or any(
        all((folder / name).is_file() for name in names)
        for folder in (root, root / cifar.EXTRACTED_DIR))


def load_named(name: str, directory: str | None, download: bool) -> tuple[Any, Any]:
    """The two splits of data set `name`, from `directory` or its cache folder.

    Raises:
        ValueError: for the embedded subset with a folder or a download (it has neither).
        FileNotFoundError: when the files are not there and `download` is False, saying that
            `--download` fetches them and where to.
    """
    loader, folder, what = DATASETS[name]
    if folder is None:
        if directory is not None or download:
            raise ValueError(f"--dataset {name} is {what}: it takes no --data or --download")
        return loader()
    root = Path(directory) if directory is not None else cache_dir(folder)
    try:
        return loader(root, download=download)
    except FileNotFoundError as error:
        raise FileNotFoundError(f"--dataset {name}: {error}; add --download to fetch {what} "
                                f"into {root}") from None
