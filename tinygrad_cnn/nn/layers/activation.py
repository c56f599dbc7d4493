"""Activation layers, each calling its function in F: ReLU and its relatives, Sigmoid, Tanh,
Softmax and LogSoftmax."""

from __future__ import annotations

from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.activation import check_approximate, check_finite
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class _InPlaceable(Module):
    """An activation of every element alone, taking PyTorch's `inplace`.

    Args:
        inplace: write the result into the input, as PyTorch does (here that costs a copy
            rather than saving memory: leave it out unless the input must change).
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_InPlaceable):
    """max(x, 0) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """relu(x)."""
        return F.relu(input, self.inplace)


class ReLU6(_InPlaceable):
    """min(max(x, 0), 6) elementwise (MobileNetV2's activation)."""

    def forward(self, input: Tensor) -> Tensor:
        """relu6(x)."""
        return F.relu6(input, self.inplace)


class LeakyReLU(Module):
    """x for x > 0, else negative_slope · x.

    Args:
        negative_slope: the slope for negative inputs.
        inplace: write the result into the input (as PyTorch; here it costs a copy).

    Examples:
        >>> from tinygrad_cnn import Tensor, nn
        >>> nn.LeakyReLU(0.25)(Tensor([-1.0, 2.0])).tolist()
        [-0.25, 2.0]
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        check_finite("LeakyReLU", "negative_slope", negative_slope)
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """leaky_relu(x)."""
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x for x > 0, else alpha · (exp(x) - 1).

    Args:
        alpha: the negative saturation value is -alpha.
        inplace: write the result into the input (as PyTorch; here it costs a copy).
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        check_finite("ELU", "alpha", alpha)
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """elu(x)."""
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


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


class SiLU(_InPlaceable):
    """x · sigmoid(x) elementwise (swish)."""

    def forward(self, input: Tensor) -> Tensor:
        """silu(x)."""
        return F.silu(input, self.inplace)


class Hardsigmoid(_InPlaceable):
    """relu6(x + 3) / 6 elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """hardsigmoid(x)."""
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch prints no inplace here


class Hardswish(_InPlaceable):
    """x · relu6(x + 3) / 6 elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """hardswish(x)."""
        return F.hardswish(input, self.inplace)

    def extra_repr(self) -> str:
        return ""  # PyTorch prints no inplace here


class Sigmoid(Module):
    """1 / (1 + exp(-x)) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """sigmoid(x)."""
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        """tanh(x)."""
        return F.tanh(input)


def _implicit_dim(ndim: int) -> int:
    # PyTorch's legacy choice when no dim is given: the class dim of (N, C) and (N, C, H, W).
    return 0 if ndim in (0, 1, 3) else 1


class _AlongDim(Module):
    """A normalisation along one dim; None picks PyTorch's legacy default (1 for 2-D and 4-D)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def _dim_of(self, input: Tensor) -> int:
        return _implicit_dim(input.ndim) if self.dim is None else self.dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """exp(x) / sum(exp(x)) along `dim`, so each slice along it sums to 1.

    Args:
        dim: the dim to normalise; None picks PyTorch's legacy default (1 for 2-D and 4-D).
    """

    def forward(self, input: Tensor) -> Tensor:
        """softmax(x) along `dim`."""
        return F.softmax(input, self._dim_of(input))


class LogSoftmax(_AlongDim):
    """log(softmax(x)) along `dim`, computed stably.

    Args:
        dim: the dim to normalise; None picks PyTorch's legacy default (1 for 2-D and 4-D).
    """

    def forward(self, input: Tensor) -> Tensor:
        """log_softmax(x) along `dim`."""
        return F.log_softmax(input, self._dim_of(input))
