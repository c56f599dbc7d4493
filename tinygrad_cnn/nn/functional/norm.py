"""Batch normalisation: normalise each channel by batch or running statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn import grad_mode
from tinygrad_cnn.tensor import Tensor


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
            with one value per channel while training, or missing running statistics in eval.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must be (N, C, *), got {input.shape}")
    channels = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_channel_vector(name, value, channels, input.shape)
    broadcast = (1, channels) + (1,) * (input.ndim - 2)
    if training:
        dims = (0, *range(2, input.ndim))
        count = input.size // channels
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, "
                f"got input {input.shape}"
            )
        mean = input.mean(dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dims, keepdim=True)  # biased: normalises the batch
        if not grad_mode.evaluating_shapes():  # a shape-only run has no statistics to keep
            _update(running_mean, mean.data, momentum, 1.0)
            _update(running_var, var.data, momentum, count / (count - 1))  # unbiased estimate
        scale = (var + eps) ** -0.5
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when "
                             "training=False")
        mean_data = np.asarray(getattr(running_mean, "data", running_mean), dtype=input.dtype)
        var_data = np.asarray(getattr(running_var, "data", running_var), dtype=input.dtype)
        centered = input - Tensor(mean_data.reshape(broadcast))
        scale = Tensor((1.0 / np.sqrt(var_data + eps)).astype(input.dtype).reshape(broadcast))
    if weight is not None:
        scale = scale * weight.reshape(broadcast)
    out = centered * scale
    return out if bias is None else out + bias.reshape(broadcast)


def _update(running: Tensor | np.ndarray | None, batch: np.ndarray, momentum: float,
            correction: float) -> None:
    """running <- (1 - momentum) * running + momentum * correction * batch, in place."""
    if running is None:
        return
    data = running.data if isinstance(running, Tensor) else running
    data *= 1.0 - momentum
    data += (momentum * correction) * batch.reshape(data.shape).astype(data.dtype)
    if isinstance(running, Tensor):
        running.mark_modified()
