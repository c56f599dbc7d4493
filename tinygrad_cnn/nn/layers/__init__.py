"""Layers with PyTorch's constructor arguments, each a thin composition of `nn.functional`."""

from tinygrad_cnn.nn.layers.activation import (
    ELU,
    GELU,
    Hardsigmoid,
    Hardswish,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from tinygrad_cnn.nn.layers.conv import Conv1d, Conv2d, ConvTranspose2d
from tinygrad_cnn.nn.layers.dropout import Dropout, Dropout2d
from tinygrad_cnn.nn.layers.flatten import Flatten
from tinygrad_cnn.nn.layers.lazy import LazyBatchNorm2d, LazyConv2d, LazyLinear
from tinygrad_cnn.nn.layers.linear import Identity, Linear
from tinygrad_cnn.nn.layers.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from tinygrad_cnn.nn.layers.norm import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from tinygrad_cnn.nn.layers.pool import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from tinygrad_cnn.nn.layers.upsample import Upsample

__all__ = [
    "ELU",
    "GELU",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout2d",
    "Flatten",
    "GroupNorm",
    "Hardsigmoid",
    "Hardswish",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LazyBatchNorm2d",
    "LazyConv2d",
    "LazyLinear",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "NLLLoss",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Tanh",
    "Upsample",
]
