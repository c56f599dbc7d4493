"""Layers with PyTorch's constructor arguments, each a thin composition of `nn.functional`."""

from tinygrad_cnn.nn.layers.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_cnn.nn.layers.dropout import Dropout
from tinygrad_cnn.nn.layers.flatten import Flatten
from tinygrad_cnn.nn.layers.linear import Identity, Linear
from tinygrad_cnn.nn.layers.norm import BatchNorm2d

__all__ = [
    "BatchNorm2d",
    "Dropout",
    "Flatten",
    "Identity",
    "Linear",
    "LogSoftmax",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
]
