"""tinygrad_cnn: a small, fast, readable deep-learning framework for CNNs, on NumPy."""

# First, so that tensor.py starts the Tensor <-> Function import cycle (see autograd/function.py).
from tinygrad_cnn.tensor import Tensor  # isort: skip
from tinygrad_cnn.autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from tinygrad_cnn.autograd.abstract import eval_shape
from tinygrad_cnn.creation import (
    arange,
    cat,
    concatenate,
    full,
    ones,
    rand,
    randn,
    stack,
    where,
    zeros,
)
from tinygrad_cnn.kernels.threads import get_num_threads, set_num_threads
from tinygrad_cnn.random import manual_seed
from tinygrad_cnn.serialization import load, save

float32 = "float32"
float64 = "float64"
int64 = "int64"

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "arange",
    "cat",
    "concatenate",
    "detect_anomaly",
    "enable_grad",
    "eval_shape",
    "float32",
    "float64",
    "full",
    "get_num_threads",
    "int64",
    "is_grad_enabled",
    "load",
    "manual_seed",
    "no_grad",
    "ones",
    "rand",
    "randn",
    "save",
    "set_num_threads",
    "stack",
    "where",
    "zeros",
]
