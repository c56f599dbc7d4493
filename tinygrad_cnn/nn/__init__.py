"""Neural-network building blocks: modules, layers, initialisers and `functional` ops."""

from tinygrad_cnn.nn import functional, init
from tinygrad_cnn.nn.containers import Sequential
from tinygrad_cnn.nn.layers import (
    BatchNorm2d,
    Dropout,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.nn.parameter import Parameter

__all__ = [
    "BatchNorm2d",
    "Dropout",
    "Flatten",
    "Identity",
    "Linear",
    "LogSoftmax",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
]
