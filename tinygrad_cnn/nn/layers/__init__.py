"""Layers with PyTorch's constructor arguments, each a thin composition of `nn.functional`."""

from tinygrad_cnn.nn.layers.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_cnn.nn.layers.conv import Conv1d, Conv2d, ConvTranspose2d
from tinygrad_cnn.nn.layers.dropout import Dropout
from tinygrad_cnn.nn.layers.flatten import Flatten
from tinygrad_cnn.nn.layers.linear import Identity, Linear
from tinygrad_cnn.nn.layers.norm import BatchNorm2d
from tinygrad_cnn.nn.layers.pool import (
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Flatten",
    "Identity",
    "Linear",
    "LogSoftmax",
    "MaxPool1d",
    "MaxPool2d",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
]
