"""Functions of tensors that layers are built from: `import tinygrad_cnn.nn.functional as F`."""

from tinygrad_cnn.nn.functional.activation import (
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    sigmoid,
    silu,
    softmax,
    tanh,
)
from tinygrad_cnn.nn.functional.binary_loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
)
from tinygrad_cnn.nn.functional.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from tinygrad_cnn.nn.functional.dropout import dropout, dropout2d
from tinygrad_cnn.nn.functional.interpolate import interpolate
from tinygrad_cnn.nn.functional.linear import linear
from tinygrad_cnn.nn.functional.loss import cross_entropy, mse_loss, nll_loss
from tinygrad_cnn.nn.functional.norm import batch_norm, group_norm, layer_norm
from tinygrad_cnn.nn.functional.one_hot import one_hot
from tinygrad_cnn.nn.functional.padding import pad
from tinygrad_cnn.nn.functional.pool import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from tinygrad_cnn.nn.functional.regression_loss import huber_loss, l1_loss, smooth_l1_loss

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "cross_entropy",
    "dropout",
    "dropout2d",
    "elu",
    "gelu",
    "group_norm",
    "hardsigmoid",
    "hardswish",
    "huber_loss",
    "interpolate",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "tanh",
]
