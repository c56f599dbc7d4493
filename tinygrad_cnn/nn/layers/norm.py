"""Normalisation layers: batch norm (1-D and 2-D) with running statistics, group norm and
layer norm, each with a learned scale and shift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.autograd import dtypes, grad_mode
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.norm import check_eps, check_momentum, normalized_dims
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.nn.parameter import Parameter
from tinygrad_cnn.tensor import Tensor


def _affine_parameters(layer: Module, shape: tuple[int, ...], weight: bool, bias: bool,
                       dtype: Any) -> None:
    """Give `layer` a scale `weight` (ones) and a shift `bias` (zeros) of `shape`, or None."""
    dtype = np.dtype(dtype or np.float32)
    layer.register_parameter("weight", Parameter(np.ones(shape, dtype)) if weight else None)
    layer.register_parameter("bias", Parameter(np.zeros(shape, dtype)) if bias else None)


class _BatchNorm(Module):
    """Parameters, running statistics and forward shared by BatchNorm1d and BatchNorm2d."""

    op = "batch_norm"
    layouts: tuple[tuple[int, str], ...] = ()  # (rank, layout) of the inputs it takes

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True):
        super().__init__()
        name = type(self).__name__
        dtypes.check_device(name, device)
        self.num_features = positive_int(name, "num_features", num_features)
        self.eps = check_eps(name, eps, positive=True)
        self.momentum = check_momentum(name, momentum)
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = np.dtype(dtype or np.float32)
        _affine_parameters(self, (self.num_features,), affine, affine and bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(self.num_features, dtype)))
            self.register_buffer("running_var", Tensor(np.ones(self.num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            for buffer, value in ((self.running_mean, 0), (self.running_var, 1),
                                  (self.num_batches_tracked, 0)):
                buffer.data[...] = value
                buffer.mark_modified()

    def forward(self, input: Tensor) -> Tensor:
        """Normalised, scaled and shifted input, of the input's shape."""
        self._check(input.shape)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and not grad_mode.evaluating_shapes():
            self.num_batches_tracked.data += 1
            self.num_batches_tracked.mark_modified()
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.data)
        use_batch_stats = self.training or self.running_mean is None
        tracked = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if tracked else None,
            self.running_var if tracked else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def _check(self, shape: tuple[int, ...]) -> None:
        """Raise unless the input has the layer's rank and num_features channels."""
        if len(shape) not in dict(self.layouts):
            layouts = " or ".join(f"{n}-D input {text}" for n, text in self.layouts)
            raise ValueError(f"{self.op}: expected {layouts}, got {shape}")
        if shape[1] != self.num_features:
            raise ValueError(
                f"{self.op}: expected {self.num_features} channels, got input {shape}"
            )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


_BATCH_NORM_DOC = """

    Training mode normalises with the batch's mean and biased variance and updates the running
    estimates (`running_mean`, `running_var` with the unbiased variance,
    `num_batches_tracked`); eval mode normalises with the running estimates. Exactly
    PyTorch's behaviour, so a state dict moves between the two.

    Args:
        num_features: the number of channels C.
        eps: added to the variance for numerical stability; a positive finite number.
        momentum: the weight of each batch in the running estimates, from 0 to 1; None averages all
            batches seen so far equally (a cumulative moving average).
        affine: learn `weight` (ones at first) and `bias` (zeros at first).
        track_running_stats: keep running estimates; without them batch statistics are used
            in eval mode too.
        device: only the CPU.
        dtype: the dtype of parameters and running estimates (float32 by default).
        bias: with affine, learn the shift too (keyword-only, as in PyTorch 2.13).
"""


class BatchNorm1d(_BatchNorm):
    __doc__ = ("Normalise each feature of (N, C), or each channel of (N, C, L), then scale "
               "by `weight` and shift by `bias`." + _BATCH_NORM_DOC)

    op = "batch_norm1d"
    layouts = ((2, "(N, C)"), (3, "(N, C, L)"))


class BatchNorm2d(_BatchNorm):
    __doc__ = ("Normalise each channel of (N, C, H, W), then scale by `weight` and shift by "
               "`bias`." + _BATCH_NORM_DOC)

    op = "batch_norm2d"
    layouts = ((4, "(N, C, H, W)"),)


class GroupNorm(Module):
    """Normalise each sample over groups of channels, then scale and shift each channel.

    Independent of the batch (no running statistics; the same in train and eval), so it suits
    small batches. GroupNorm(1, C) normalises over all of (C, H, W); GroupNorm(C, C) each
    channel alone (instance norm).

    Args:
        num_groups: how many groups the channels are split into; must divide num_channels.
        num_channels: the number of channels C.
        eps: added to the variance for numerical stability.
        affine: learn a per-channel `weight` (ones at first) and `bias` (zeros at first).
        device: only the CPU.
        dtype: the parameters' dtype (float32 by default).
        bias: with affine, learn the shift too (keyword-only, as in PyTorch 2.13).

    Raises:
        ValueError: when num_groups does not divide num_channels.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> nn.GroupNorm(2, 4)
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True):
        super().__init__()
        dtypes.check_device("GroupNorm", device)
        self.num_groups = positive_int("GroupNorm", "num_groups", num_groups)
        self.num_channels = positive_int("GroupNorm", "num_channels", num_channels)
        if self.num_channels % self.num_groups:
            raise ValueError(f"GroupNorm: num_groups={num_groups} must divide "
                             f"num_channels={num_channels}")
        self.eps = check_eps("GroupNorm", eps)
        self.affine = affine
        _affine_parameters(self, (self.num_channels,), affine, affine and bias, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """The normalised input, of the input's shape."""
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"group_norm: expected input (N, {self.num_channels}, *), got "
                             f"{input.shape}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LayerNorm(Module):
    """Normalise each sample over its last dims, then scale and shift elementwise.

    Args:
        normalized_shape: the trailing dims to normalise over, e.g. (C, H, W) or (features,).
        eps: added to the variance for numerical stability.
        elementwise_affine: learn `weight` (ones) and `bias` (zeros) of `normalized_shape`.
        bias: with elementwise_affine, learn the shift too.
        device: only the CPU.
        dtype: the parameters' dtype (float32 by default).

    Examples:
        >>> from tinygrad_cnn import nn
        >>> nn.LayerNorm(8)
        LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None):
        super().__init__()
        dtypes.check_device("LayerNorm", device)
        self.normalized_shape = normalized_dims("LayerNorm", normalized_shape)
        self.eps = check_eps("LayerNorm", eps)
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, self.normalized_shape, elementwise_affine,
                           elementwise_affine and bias, dtype)

    def forward(self, input: Tensor) -> Tensor:
        """The normalised input, of the input's shape."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
