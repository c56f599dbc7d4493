"""The data sets as torchvision's dataset classes: MNIST, FashionMNIST, KMNIST and CIFAR10,
each one split as a TensorDataset (so a DataLoader batches it by slicing)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tinygrad_cnn.data.cifar import CIFAR10_CLASSES, load_cifar10
from tinygrad_cnn.data.dataset import TensorDataset
from tinygrad_cnn.data.mnist import MNIST_CLASSES, load_mnist
from tinygrad_cnn.data.mnist_family import (
    FASHION_MNIST_CLASSES,
    KMNIST_CLASSES,
    load_fashion_mnist,
    load_kmnist,
)


class _Split(TensorDataset):
    """The train or test split of a data set: (image, label) samples, images float32
    `(C, H, W)` in [0, 1], labels int64."""

    load: Callable[..., Any]
    names: tuple[str, ...]

    def __init__(self, root: str | os.PathLike[str] | None = None, train: bool = True,
                 download: bool = False):
        train_split, test_split = type(self).load(root, download=download)
        super().__init__(*(train_split if train else test_split))
        self.train = train
        self.classes = list(self.names)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({'train' if self.train else 'test'}, "
                f"samples={len(self)}, images {self.tensors[0].shape[1:]})")


class MNIST(_Split):
    """MNIST's train or test split, as `load_mnist` reads it: with no `root`, the 5,000-digit
    subset shipped inside the package; with `root`, the four IDX files there.

    Args:
        root: the directory of the IDX files, or None for the embedded subset.
        train: the training split (else the test split).
        download: first fetch the official files into `root` (see `load_mnist`).

    Attributes:
        classes: the class names, by label.

    Examples:
        >>> from tinygrad_cnn.data import MNIST
        >>> test = MNIST(train=False)
        >>> len(test), test[0][0].shape, test.classes[3]
        (1000, (1, 28, 28), '3')
    """

    load = staticmethod(load_mnist)
    names = MNIST_CLASSES


class FashionMNIST(_Split):
    """Fashion-MNIST's train or test split, as `load_fashion_mnist` reads it (arguments as
    MNIST's; `root` defaults to the cache folder)."""

    load = staticmethod(load_fashion_mnist)
    names = FASHION_MNIST_CLASSES


class KMNIST(_Split):
    """Kuzushiji-MNIST's train or test split, as `load_kmnist` reads it (arguments as
    MNIST's; `root` defaults to the cache folder)."""

    load = staticmethod(load_kmnist)
    names = KMNIST_CLASSES


class CIFAR10(_Split):
    """CIFAR-10's train or test split, as `load_cifar10` reads it: images `(3, 32, 32)`
    (arguments as MNIST's; `root` defaults to the cache folder)."""

    load = staticmethod(load_cifar10)
    names = CIFAR10_CLASSES
