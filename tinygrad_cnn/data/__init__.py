"""Data sets and batching: IDX files, MNIST-format loading and download, and the DataLoader."""

from tinygrad_cnn.data.idx import read_idx, write_idx
from tinygrad_cnn.data.loader import DataLoader
from tinygrad_cnn.data.mnist import download_mnist, load_mnist

__all__ = ["DataLoader", "download_mnist", "load_mnist", "read_idx", "write_idx"]
