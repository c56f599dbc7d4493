"""Activation layers, each calling its function in F: ReLU and its relatives, Sigmoid, Tanh,
Softmax and LogSoftmax."""

from __future__ import annotations

from collections.abc import Callable

from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.activation import check_approximate
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class _Elementwise(Module):
    """An activation applying `function` to every element.

    Args:
        inplace: accepted for PyTorch compatibility; the result is always a new tensor.
    """

    function: Callable[[Tensor], Tensor]

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """The activation of every element."""
        return type(self).function(input)


class ReLU(_Elementwise):
    """max(x, 0) elementwise; `inplace` is accepted and ignored."""

    function = staticmethod(F.relu)


class ReLU6(_Elementwise):
    """min(max(x, 0), 6) elementwise (MobileNetV2's activation); `inplace` is accepted and
    ignored."""

    function = staticmethod(F.relu6)


class LeakyReLU(Module):
    """x for x > 0, else negative_slope · x.

    Args:
        negative_slope: the slope for negative inputs.
        inplace: accepted for PyTorch compatibility; the result is always a new tensor.

    Examples:
        >>> from tinygrad_cnn import Tensor, nn
        >>> nn.LeakyReLU(0.25)(Tensor([-1.0, 2.0])).tolist()
        [-0.25, 2.0]
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """leaky_relu(x)."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, else alpha · (exp(x) - 1).

    Args:
        alpha: the negative saturation value is -alpha.
        inplace: accepted for PyTorch compatibility; the result is always a new tensor.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """elu(x)."""
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """x Φ(x) with Φ the standard normal CDF, exactly (erf) or by its tanh approximation.

    Args:
        approximate: 'none' (exact) or 'tanh'.

    Raises:
        ValueError: for another `approximate`.
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = check_approximate("GELU", approximate)

    def forward(self, input: Tensor) -> Tensor:
        """gelu(x)."""
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Elementwise):
    """x · sigmoid(x) elementwise (swish); `inplace` is accepted and ignored."""

    function = staticmethod(F.silu)


class Hardsigmoid(_Elementwise):
    """relu6(x + 3) / 6 elementwise; `inplace` is accepted and ignored."""

    function = staticmethod(F.hardsigmoid)


class Hardswish(_Elementwise):
    """x · relu6(x + 3) / 6 elementwise; `inplace` is accepted and ignored."""

    function = staticmethod(F.hardswish)


class Sigmoid(_Elementwise):
    """1 / (1 + exp(-x)) elementwise."""

    function = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    """tanh(x) elementwise."""

    function = staticmethod(F.tanh)


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
