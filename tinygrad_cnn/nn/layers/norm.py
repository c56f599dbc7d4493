"""BatchNorm2d: per-channel normalisation with learned scale and shift and running statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn import grad_mode
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.layers.base import positive_int
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.nn.parameter import Parameter
from tinygrad_cnn.tensor import Tensor


class BatchNorm2d(Module):
    """Normalise each channel of (N, C, H, W), then scale by `weight` and shift by `bias`.

    Training mode normalises with the batch's mean and biased variance and updates the running
    estimates (`running_mean`, `running_var` with the unbiased variance,
    `num_batches_tracked`); eval mode normalises with the running estimates. Exactly
    PyTorch's behaviour, so a state dict moves between the two.

    Args:
        num_features: the number of channels C.
        eps: added to the variance for numerical stability.
        momentum: the weight of each batch in the running estimates; None averages all
            batches seen so far equally (a cumulative moving average).
        affine: learn `weight` (ones at first) and `bias` (zeros at first).
        track_running_stats: keep running estimates; without them batch statistics are used
            in eval mode too.
        dtype: the dtype of parameters and running estimates (float32 by default).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype: Any = None):
        super().__init__()
        self.num_features = positive_int("BatchNorm2d", "num_features", num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = np.dtype(dtype or np.float32)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
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
        """Raise unless the input is (N, num_features, H, W)."""
        if len(shape) != 4:
            raise ValueError(f"batch_norm2d: expected 4-D input (N, C, H, W), got {shape}")
        if shape[1] != self.num_features:
            raise ValueError(
                f"batch_norm2d: expected {self.num_features} channels, got input {shape}"
            )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")
