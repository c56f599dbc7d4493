"""Normalisation: by batch statistics per channel (batch norm), or per sample over its last
dims (layer norm) or over groups of channels (group norm)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.autograd import grad_mode
from tinygrad_cnn.ops.norm import BatchNormalize, RunningStats, Standardize
from tinygrad_cnn.tensor import Tensor


def normalized_dims(owner: str, normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    """Layer norm's trailing dims as a tuple of positive ints (an int is one dim)."""
    dims = normalized_shape if isinstance(normalized_shape, (tuple, list)) else (
        normalized_shape,)
    return tuple(positive_int(owner, "normalized_shape", n) for n in dims)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_eps(op: str, eps: Any, positive: bool = False) -> float:
    """`eps` as a float: finite and at least 0, or above 0 with `positive` (batch norm's, as
    PyTorch refuses 0 there). A negative eps makes the variance negative and the output NaN.

    Raises:
        TypeError: for an eps that is not a number (a bool, a string).
        ValueError: for one out of range, NaN or infinite; both name `op`.
    """
    need = "a positive" if positive else "a non-negative"
    if not _is_number(eps):
        raise TypeError(f"{op}: eps must be {need} finite number, got {eps!r}")
    if not math.isfinite(eps) or eps < 0 or (positive and eps == 0):
        raise ValueError(f"{op}: eps must be {need} finite number, got {eps!r}")
    return float(eps)


def check_momentum(op: str, momentum: Any) -> float | None:
    """`momentum` as a float in [0, 1] (a running statistic's weight of a batch), or None;
    raises as `check_eps`."""
    if momentum is None:
        return None
    message = f"{op}: momentum must be a number from 0 to 1 or None, got {momentum!r}"
    if not _is_number(momentum):
        raise TypeError(message)
    if not 0 <= momentum <= 1:
        raise ValueError(message)
    return float(momentum)


def _check_channel_vector(name: str, value: Any, channels: int, shape: tuple[int, ...]) -> None:
    if value is not None and tuple(value.shape) != (channels,):
        raise ValueError(
            f"batch_norm: {name} must have shape ({channels},) for input {shape} with "
            f"{channels} channels, got {tuple(value.shape)}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | np.ndarray | None,
    running_var: Tensor | np.ndarray | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel of (N, C, *).

    With ``training=True`` the mean and the biased variance come from the batch (over N and
    every spatial position), gradients flow through them, and the running statistics, when
    given, are updated in place: ``running = (1 - momentum) * running + momentum * batch``,
    using the unbiased variance, as PyTorch does. With ``training=False`` the running
    statistics normalise and nothing is updated.

    Args:
        input: (N, C) or (N, C, *spatial).
        running_mean: (C,) estimate of the mean, or None.
        running_var: (C,) estimate of the variance, or None.
        weight: (C,) scale (gamma), or None.
        bias: (C,) shift (beta), or None.
        training: use batch statistics (and update the running ones).
        momentum: the weight of the batch statistic in the running update.
        eps: added to the variance for numerical stability.

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: for an input with fewer than 2 dims, vectors of the wrong length, a batch
            with one value per channel while training, missing running statistics in eval, an
            eps that is not a positive finite number or a momentum outside [0, 1].
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C, *), got {input.shape}")
    eps = check_eps("batch_norm", eps, positive=True)
    momentum = check_momentum("batch_norm", momentum)
    channels = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_channel_vector(name, value, channels, input.shape)
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input {input.shape}"
            )
        return _batch_statistics(input, running_mean, running_var, weight, bias, momentum, eps)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when "
                         "training=False")
    # a per-channel scale and shift, from the running statistics: two passes over the input
    broadcast = (1, channels) + (1,) * (input.ndim - 2)
    mean = np.asarray(getattr(running_mean, "data", running_mean), dtype=input.dtype)
    var = np.asarray(getattr(running_var, "data", running_var), dtype=input.dtype)
    scale = Tensor((1.0 / np.sqrt(var + eps)).astype(input.dtype))
    if weight is not None:
        scale = scale * weight
    shift = -mean * scale if bias is None else bias - mean * scale
    return input * scale.reshape(broadcast) + shift.reshape(broadcast)


def _batch_statistics(input: Tensor, running_mean: Tensor | np.ndarray | None,
                      running_var: Tensor | np.ndarray | None, weight: Tensor | None,
                      bias: Tensor | None, momentum: float, eps: float) -> Tensor:
    """Training-mode batch norm: the `BatchNormalize` primitive, which also updates the
    running statistics when given (not in a shape-only run, which has no statistics)."""
    channels = input.shape[1]
    running = None
    if running_mean is not None and running_var is not None \
            and not grad_mode.evaluating_shapes():
        running = RunningStats(_array(running_mean), _array(running_var), momentum)
    w = weight if weight is not None else Tensor(np.ones(channels, dtype=input.dtype))
    b = bias if bias is not None else Tensor(np.zeros(channels, dtype=input.dtype))
    out = BatchNormalize.apply(input, w, b, eps=eps, running=running)
    if running is not None:
        for stat in (running_mean, running_var):
            if isinstance(stat, Tensor):
                stat.mark_modified()
    return out


def _array(value: Tensor | np.ndarray) -> np.ndarray:
    return value.data if isinstance(value, Tensor) else value


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last dims, then scale and shift elementwise.

    y = (x - mean) / sqrt(var + eps) * weight + bias, the mean and (biased) variance taken
    over the trailing dims given by `normalized_shape`, separately for every leading index.

    Args:
        input: (*, *normalized_shape).
        normalized_shape: the trailing dims to normalise over, an int or a tuple.
        weight: a scale of shape `normalized_shape`, or None.
        bias: a shift of shape `normalized_shape`, or None.
        eps: added to the variance for numerical stability.

    Returns:
        A tensor of the input's shape.

    Raises:
        ValueError: when the input does not end with `normalized_shape`, or weight or bias
            have another shape.
        TypeError: for a `normalized_shape` that is not an int or ints.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.layer_norm(Tensor([[1.0, 3.0]]), 2, eps=0.0).tolist()
        [[-1.0, 1.0]]
    """
    shape = normalized_dims("layer_norm", normalized_shape)
    eps = check_eps("layer_norm", eps)
    if not shape or input.ndim < len(shape) or input.shape[-len(shape):] != shape:
        raise ValueError(f"layer_norm: input {input.shape} must end with normalized_shape "
                         f"{shape}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and value.shape != shape:
            raise ValueError(f"layer_norm: {name} must have shape normalized_shape {shape}, "
                             f"got {value.shape}")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = Standardize.apply(input, dims=dims, eps=eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over groups of channels, then scale and shift each channel.

    The C channels are split into `num_groups` groups of C / num_groups; each group of each
    sample is normalised with its own mean and (biased) variance, taken over its channels and
    all positions. Batch size does not matter, so it works for batches of one.

    Args:
        input: (N, C, *).
        num_groups: how many groups to split the channels into; must divide C.
        weight: a scale per channel (C,), or None.
        bias: a shift per channel (C,), or None.
        eps: added to the variance for numerical stability.

    Returns:
        A tensor of the input's shape.

    Raises:
        TypeError: for num_groups that is not an int.
        ValueError: for an input with fewer than 2 dims, groups that do not divide the
            channels, or weight or bias of the wrong length.
    """
    if input.ndim < 2:
        raise ValueError(f"group_norm: input must be (N, C, *), got {input.shape}")
    eps = check_eps("group_norm", eps)
    channels = input.shape[1]
    num_groups = positive_int("group_norm", "num_groups", num_groups, f"; input {input.shape}")
    if channels % num_groups:
        raise ValueError(f"group_norm: num_groups={num_groups!r} must be a positive int "
                         f"dividing the {channels} channels of input {input.shape}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and value.shape != (channels,):
            raise ValueError(f"group_norm: {name} must have shape ({channels},) for input "
                             f"{input.shape}, got {value.shape}")
    grouped = input.reshape(input.shape[0], num_groups, -1)
    out = Standardize.apply(grouped, dims=(2,), eps=eps).reshape(input.shape)
    broadcast = (channels,) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(broadcast)
    return out if bias is None else out + bias.reshape(broadcast)
