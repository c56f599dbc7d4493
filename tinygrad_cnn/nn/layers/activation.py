"""Activation layers: ReLU, Sigmoid, Tanh, Softmax and LogSoftmax, each calling F."""

from __future__ import annotations

from collections.abc import Callable

from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class ReLU(Module):
    """max(x, 0) elementwise.

    Args:
        inplace: accepted for PyTorch compatibility; the result is always a new tensor.
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """max(x, 0)."""
        return F.relu(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """The logistic function of x."""
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """The hyperbolic tangent of x."""
        return F.tanh(input)


def _implicit_dim(ndim: int) -> int:
    # PyTorch's legacy choice when no dim is given: the class dim of (N, C) and (N, C, H, W).
    return 0 if ndim in (0, 1, 3) else 1


class _AlongDim(Module):
    """A normalisation along one dim; None picks PyTorch's legacy default (1 for 2-D and 4-D)."""

    function: Callable[[Tensor, int], Tensor]

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        """The normalisation along `dim`."""
        return self.function(input, _implicit_dim(input.ndim) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """exp(x) / sum(exp(x)) along `dim`, so each slice along it sums to 1.

    Args:
        dim: the dim to normalise; None picks PyTorch's legacy default (1 for 2-D and 4-D).
    """

    function = staticmethod(F.softmax)


class LogSoftmax(_AlongDim):
    """log(softmax(x)) along `dim`, computed stably.

    Args:
        dim: the dim to normalise; None picks PyTorch's legacy default (1 for 2-D and 4-D).
    """

    function = staticmethod(F.log_softmax)
