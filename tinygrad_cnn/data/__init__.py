"""Data sets and batching, as `torch.utils.data` and torchvision's datasets: Dataset,
TensorDataset, Subset, ConcatDataset, random_split, DataLoader; MNIST-format, CIFAR-10 and
image folders; augmentation."""

from tinygrad_cnn.data import transforms
from tinygrad_cnn.data.cifar import CIFAR10_CLASSES, download_cifar10, load_cifar10
from tinygrad_cnn.data.collate import default_collate
from tinygrad_cnn.data.dataset import (
    ConcatDataset,
    Dataset,
    Subset,
    TensorDataset,
    random_split,
)
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
from tinygrad_cnn.data.vision import CIFAR10, KMNIST, MNIST, FashionMNIST

__all__ = [
    "CIFAR10",
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "KMNIST",
    "KMNIST_CLASSES",
    "MNIST",
    "MNIST_CLASSES",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "FashionMNIST",
    "ImageFolder",
    "Subset",
    "TensorDataset",
    "cache_dir",
    "default_collate",
    "download_cifar10",
    "download_fashion_mnist",
    "download_kmnist",
    "download_mnist",
    "load_cifar10",
    "load_fashion_mnist",
    "load_kmnist",
    "load_mnist",
    "random_split",
    "read_idx",
    "transforms",
    "write_idx",
]
