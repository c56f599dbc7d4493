"""Activation functions and (log-)softmax, as functions of tensors."""

from __future__ import annotations

import math
from collections.abc import Callable

from tinygrad_cnn.autograd import operands
from tinygrad_cnn.ops import elementwise as ew
from tinygrad_cnn.tensor import Tensor


def maybe_in_place(input: Tensor, inplace: bool, fn: Callable[[Tensor], Tensor]) -> Tensor:
    """`fn(input)`; with `inplace`, written into `input` itself, which is returned (PyTorch's
    `inplace=True`: the same values and gradients, the input's array overwritten, its version
    bumped). Here that costs a copy rather than saving memory.

    Raises:
        RuntimeError: with `inplace`, while recording, for an input that requires grad and is
            a leaf or was already used by an op (see `Tensor.__setitem__`).
    """
    return operands.in_place(input, fn) if inplace else fn(input)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise; with `inplace`, written into `input` (as PyTorch).

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> x = Tensor([-1.0, 2.0])
        >>> F.relu(x, inplace=True) is x, x.tolist()
        (True, [0.0, 2.0])
    """
    return maybe_in_place(input, inplace, Tensor.relu)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x) elementwise."""
    return input.tanh()


def softmax(input: Tensor, dim: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, with the max subtracted first."""
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int = -1) -> Tensor:
    """x - logsumexp(x) along `dim`: finite for any finite logits (1e4 included)."""
    return input.log_softmax(dim)


# ---- the activations of modern CNNs, each a composition of primitives --------------------------
# Written with relu, clip, exp, sigmoid, tanh and erf rather than masks, so that their ONNX
# export computes the same function at any input (a mask would be traced as a constant).


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, else negative_slope · x (the gradient at 0 is negative_slope, as PyTorch).

    Args:
        input: any shape.
        negative_slope: the slope for negative inputs.
        inplace: write the result into `input` (as PyTorch; here it costs a copy).

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.leaky_relu(Tensor([-2.0, 3.0]), 0.5).tolist()
        [-1.0, 3.0]
    """
    check_finite("leaky_relu", "negative_slope", negative_slope)
    return maybe_in_place(input, inplace,
                          lambda x: x.relu() + negative_slope * x.clip(max=0.0))


def check_finite(op: str, name: str, value: float) -> None:
    """Refuse a NaN or infinite parameter: every output it touches would be NaN or inf."""
    if not math.isfinite(value):
        raise ValueError(f"{op}: {name} must be a finite number, got {value!r}")


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6), MobileNet's activation; its gradient is 0 at 0 and at 6, as
    PyTorch's (hardtanh's), where clamp's would be 1; with `inplace`, written into `input`.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.relu6(Tensor([-1.0, 3.0, 9.0])).tolist()
        [0.0, 3.0, 6.0]
    """
    return maybe_in_place(input, inplace, lambda x: ew.HardTanh.apply(x, low=0.0, high=6.0))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, else alpha · (exp(x) - 1).

    Args:
        input: any shape.
        alpha: the value the negative side tends to is -alpha.
        inplace: write the result into `input` (as PyTorch; here it costs a copy).
    """
    check_finite("elu", "alpha", alpha)
    return maybe_in_place(input, inplace,
                          lambda x: x.relu() + alpha * (x.clip(max=0.0).exp() - 1.0))


GELU_APPROXIMATIONS = ("none", "tanh")


def check_approximate(op: str, approximate: str) -> str:
    """`approximate` if it is one GELU knows, else a ValueError naming `op`."""
    if approximate not in GELU_APPROXIMATIONS:
        raise ValueError(f"{op}: approximate must be 'none' or 'tanh', got {approximate!r}")
    return approximate


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Φ(x), Φ the standard normal CDF: x/2 (1 + erf(x/√2)).

    With ``approximate='tanh'``: x/2 (1 + tanh(√(2/π) (x + 0.044715 x³))).

    Raises:
        ValueError: for an `approximate` other than 'none' or 'tanh'.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> [round(v, 6) for v in F.gelu(Tensor([-1.0, 0.0, 2.0]).double()).tolist()]
        [-0.158655, 0.0, 1.9545]
    """
    if check_approximate("gelu", approximate) == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * (input * input * input))
        return 0.5 * input * (1.0 + inner.tanh())
    return input * 0.5 * (1.0 + (input * math.sqrt(0.5)).erf())


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x · sigmoid(x) (also called swish); with `inplace`, written into `input`."""
    return maybe_in_place(input, inplace, lambda x: x * x.sigmoid())


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (gradient 0 at ±3, as
    PyTorch's); with `inplace`, written into `input`."""
    return maybe_in_place(input, inplace, lambda x: relu6(x + 3.0) / 6.0)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x · relu6(x + 3) / 6, MobileNetV3's cheap swish (gradient 0 at -3 and 1 at 3, as
    PyTorch's); with `inplace`, written into `input`."""
    return maybe_in_place(input, inplace, lambda x: x * relu6(x + 3.0) / 6.0)
