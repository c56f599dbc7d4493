"""tinygrad_cnn: a small, fast, readable deep-learning framework for CNNs, on NumPy.

After `import tinygrad_cnn as tg`, the names a PyTorch user reaches for are here:
`tg.tensor`, `tg.zeros`, `tg.max`, `tg.no_grad`, `tg.float32`, `tg.cuda.is_available()`, and
the subpackages `tg.nn`, `tg.optim`, `tg.data` and `tg.models`.
"""

# First, so that tensor.py starts the Tensor <-> Function import cycle (see autograd/function.py).
from tinygrad_cnn.tensor import Tensor  # isort: skip
import numpy as np

from tinygrad_cnn import functions
from tinygrad_cnn.autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from tinygrad_cnn.autograd.abstract import eval_shape
from tinygrad_cnn.creation import (
    arange,
    as_tensor,
    cat,
    concatenate,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    stack,
    tensor,  # the function, as `torch.tensor`: it replaces the module's name here
    where,
    zeros,
    zeros_like,
)
from tinygrad_cnn.functions import *  # noqa: F403  (the torch-style functions: functions.__all__)
from tinygrad_cnn.kernels.threads import get_num_threads, set_num_threads
from tinygrad_cnn.random import manual_seed
from tinygrad_cnn.serialization import load, save

# PyTorch's names for dtypes (NumPy dtypes here: `t.dtype == tg.float32` holds).
float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)  # PyTorch's names, shadowing builtins here alone
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)

# Last: these import the names above. One import gives them, as `torch.nn` and `torch.optim`.
from tinygrad_cnn import data, models, nn, optim  # noqa: E402  # isort: skip

__version__ = "0.1.0"

__all__ = [
    "Tensor",
    "arange",
    "as_tensor",
    "bool",
    "cat",
    "concatenate",
    "data",
    "detect_anomaly",
    "double",
    "enable_grad",
    "eval_shape",
    "eye",
    "float",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_num_threads",
    "half",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "linspace",
    "load",
    "long",
    "manual_seed",
    "models",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "save",
    "set_num_threads",
    "short",
    "stack",
    "tensor",
    "uint8",
    "where",
    "zeros",
    "zeros_like",
    *functions.__all__,
]
