"""Functions of tensors that layers are built from: `import tinygrad_cnn.nn.functional as F`."""

from tinygrad_cnn.nn.functional.activation import log_softmax, relu, sigmoid, softmax, tanh
from tinygrad_cnn.nn.functional.dropout import dropout
from tinygrad_cnn.nn.functional.linear import linear
from tinygrad_cnn.nn.functional.loss import cross_entropy, mse_loss, nll_loss
from tinygrad_cnn.nn.functional.norm import batch_norm

__all__ = [
    "batch_norm",
    "cross_entropy",
    "dropout",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
