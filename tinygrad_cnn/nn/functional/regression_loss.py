"""Losses between predictions and real-valued targets that grow linearly for large errors:
L1, smooth L1 and Huber."""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.nn.functional.binary_loss import as_target
from tinygrad_cnn.nn.functional.loss import _check_reduction, _reduce
from tinygrad_cnn.tensor import Tensor


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """The absolute error |x - y|, reduced by `reduction` ('mean', 'sum' or 'none').

    Raises:
        ValueError: for a target of another shape or an unknown reduction.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.l1_loss(Tensor([1.0, 5.0]), [2.0, 2.0]).item()
        2.0
    """
    _check_reduction("l1_loss", reduction)
    return _reduce((input - as_target("l1_loss", input, target)).abs(), reduction, "l1_loss")


def _quadratic_then_linear(error: Tensor, knee: float) -> Tensor:
    """e²/2 for |e| < knee, knee (|e| - knee/2) beyond: written with m = min(|e|, knee) as
    m²/2 + knee (|e| - m), so no mask is needed and the gradient is continuous at the knee."""
    size = error.abs()
    inner = size.minimum(knee)
    return 0.5 * inner * inner + knee * (size - inner)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 e² / beta where |e| < beta, else |e| - 0.5 beta, with e = x - y.

    Quadratic near zero (a smooth minimum), linear far away (outliers pull less than in
    MSE); beta = 0 is the L1 loss.

    Args:
        input: predictions, any shape.
        target: targets of the input's shape.
        reduction: 'mean', 'sum' or 'none'.
        beta: where the loss turns from quadratic to linear, at least 0.

    Raises:
        ValueError: for a negative beta, a target of another shape or an unknown reduction.
    """
    op = "smooth_l1_loss"
    _check_reduction(op, reduction)
    if beta < 0:
        raise ValueError(f"{op}: beta must be at least 0, got {beta}")
    error = input - as_target(op, input, target)
    if beta == 0:
        return _reduce(error.abs(), reduction, op)
    return _reduce(_quadratic_then_linear(error, beta) / beta, reduction, op)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """0.5 e² where |e| < delta, else delta (|e| - 0.5 delta), with e = x - y.

    The Huber loss: `smooth_l1_loss` with beta = delta, times delta, so its linear part has
    slope delta rather than 1.

    Raises:
        ValueError: for a delta that is not positive, a target of another shape or an unknown
            reduction.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.huber_loss(Tensor([0.5, 3.0]), [0.0, 0.0], reduction="none", delta=2.0).tolist()
        [0.125, 4.0]
    """
    op = "huber_loss"
    _check_reduction(op, reduction)
    if not delta > 0:
        raise ValueError(f"{op}: delta must be positive, got {delta}")
    error = input - as_target(op, input, target)
    return _reduce(_quadratic_then_linear(error, delta), reduction, op)
