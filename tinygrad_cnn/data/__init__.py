"""Data sets and batching: MNIST-format, CIFAR-10 and image folders, augmentation, DataLoader."""

from tinygrad_cnn.data import transforms
from tinygrad_cnn.data.cifar import CIFAR10_CLASSES, download_cifar10, load_cifar10
from tinygrad_cnn.data.download import cache_dir
from tinygrad_cnn.data.idx import read_idx, write_idx
from tinygrad_cnn.data.image_folder import ImageFolder
from tinygrad_cnn.data.loader import DataLoader
from tinygrad_cnn.data.mnist import MNIST_CLASSES, download_mnist, load_mnist
from tinygrad_cnn.data.mnist_family import (
    FASHION_MNIST_CLASSES,
    KMNIST_CLASSES,
    download_fashion_mnist,
    download_kmnist,
    load_fashion_mnist,
    load_kmnist,
)

__all__ = [
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "KMNIST_CLASSES",
    "MNIST_CLASSES",
    "DataLoader",
    "ImageFolder",
    "cache_dir",
    "download_cifar10",
    "download_fashion_mnist",
    "download_kmnist",
    "download_mnist",
    "load_cifar10",
    "load_fashion_mnist",
    "load_kmnist",
    "load_mnist",
    "read_idx",
    "transforms",
    "write_idx",
]
