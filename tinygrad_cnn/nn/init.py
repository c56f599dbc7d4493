"""Initialisers that fill a tensor in place, with PyTorch's semantics and the seeded generator.

Every function draws from `tinygrad_cnn.random.generator()`, so after
`tinygrad_cnn.manual_seed(s)` building a model gives the same weights every time. Values are
drawn directly in the tensor's dtype (no float64 copy of a 100-million-weight layer).
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from tinygrad_cnn import random
from tinygrad_cnn.tensor import Tensor


class _PerThread(threading.local):
    """`skipping` is True inside `skip_init()` in this thread; every thread starts without,
    so a model built in one thread is never left uninitialised by another's block."""

    skipping = False


_per_thread = _PerThread()
_LINEAR_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance through `nonlinearity` (as PyTorch).

    Args:
        nonlinearity: 'linear', 'conv1d', 'conv2d', 'sigmoid', 'tanh', 'relu', 'leaky_relu',
            'selu' (and the other conv names).
        param: the negative slope of 'leaky_relu' (default 0.01).

    Returns:
        1 for linear maps and sigmoid, 5/3 for tanh, sqrt(2) for relu,
        sqrt(2 / (1 + slope²)) for leaky_relu, 3/4 for selu.

    Raises:
        ValueError: for an unknown nonlinearity or a non-numeric slope.
    """
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = dim 1 × receptive field, fan_out = dim 0 × receptive field (as PyTorch)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"init: fan in and fan out need a tensor with at least 2 dims, got {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _target(tensor: Any, fn: str) -> np.ndarray:
    data = tensor.data if isinstance(tensor, Tensor) else tensor
    if not isinstance(data, np.ndarray) or data.dtype.kind != "f":
        raise TypeError(f"{fn}: expected a floating-point Tensor, got {type(tensor).__name__}")
    return data


def _fill(tensor: Any, values: Any) -> Any:
    data = tensor.data if isinstance(tensor, Tensor) else tensor
    if values is not data:
        data[...] = values  # in place: the tensor keeps its identity (and optimiser references)
    if isinstance(tensor, Tensor):
        tensor.mark_modified()
    return tensor


def _draw(data: np.ndarray, sampler: Any) -> np.ndarray:
    """Samples of `data`'s shape, drawn straight into it when its layout allows."""
    if data.dtype in (np.float32, np.float64) and data.flags.c_contiguous:
        return sampler(data.shape, dtype=data.dtype, out=data)  # no 100-million-element copy
    return sampler(data.shape)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples from U(a, b); returns the tensor."""
    data = _target(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    if _per_thread.skipping:
        return tensor
    sample = _draw(data, random.generator().random)
    sample *= b - a
    sample += a
    return _fill(tensor, sample)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples from N(mean, std²); returns the tensor."""
    data = _target(tensor, "normal_")
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    if _per_thread.skipping:
        return tensor
    sample = _draw(data, random.generator().standard_normal)
    sample *= std
    sample += mean
    return _fill(tensor, sample)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`; returns the tensor."""
    _target(tensor, "constant_")
    return tensor if _per_thread.skipping else _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0; returns the tensor."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1; returns the tensor."""
    return constant_(tensor, 1.0)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He initialisation: U(-bound, bound) with bound = gain × sqrt(3 / fan).

    Args:
        tensor: a weight with at least 2 dims, (out, in, *kernel).
        a: the negative slope of the leaky ReLU that follows (used when nonlinearity is
            'leaky_relu'); PyTorch's layers use a = sqrt(5), giving bound = 1 / sqrt(fan_in).
        mode: 'fan_in' keeps the variance of the forward pass, 'fan_out' of the backward.
        nonlinearity: the name passed to `calculate_gain`.

    Returns:
        The tensor, filled in place.
    """
    if _target(tensor, "kaiming_uniform_").size == 0:
        return tensor  # nothing to fill, and fan would be 0
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He initialisation: N(0, std²) with std = gain / sqrt(fan); arguments as kaiming_uniform_."""
    if _target(tensor, "kaiming_normal_").size == 0:
        return tensor  # nothing to fill, and fan would be 0
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: U(-a, a) with a = gain × sqrt(6 / (fan_in + fan_out))."""
    _target(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation: N(0, std²) with std = gain × sqrt(2 / (fan_in + fan_out))."""
    _target(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def default_layer_init_(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and Conv layers: Kaiming-uniform with a = sqrt(5), which
    gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight, and the same bound for the bias."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)


@contextlib.contextmanager
def skip_init() -> Iterator[None]:
    """Inside the block, initialisers leave tensors as allocated (their values undefined), in
    this thread only (as grad mode: other threads initialise as usual).

    For building a model whose weights are about to be loaded, or whose shape is all that is
    needed (`summary`, parameter counts): VGG-16 draws 138 million numbers otherwise.

    Examples:
        >>> from tinygrad_cnn import models
        >>> from tinygrad_cnn.nn.init import skip_init
        >>> with skip_init():
        ...     model = models.vgg16()
        >>> model.num_parameters()
        138357544
    """
    previous, _per_thread.skipping = _per_thread.skipping, True
    try:
        yield
    finally:
        _per_thread.skipping = previous
