"""Data sets and batching: IDX files, MNIST-format loading and download, and the DataLoader."""

from tinygrad_cnn.data.download import cache_dir
from tinygrad_cnn.data.idx import read_idx, write_idx
from tinygrad_cnn.data.loader import DataLoader
from tinygrad_cnn.data.mnist import MNIST_CLASSES, download_mnist, load_mnist

__all__ = [
    "MNIST_CLASSES",
    "DataLoader",
    "cache_dir",
    "download_mnist",
    "load_mnist",
    "read_idx",
    "write_idx",
]
