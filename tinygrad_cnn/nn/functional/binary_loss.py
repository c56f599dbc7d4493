"""Binary cross-entropy, on probabilities and (stably) on logits, for yes/no and multi-label
targets."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.creation import stack, zeros_like
from tinygrad_cnn.nn.functional.loss import _check_reduction, _reduce
from tinygrad_cnn.ops.binary_cross_entropy import BinaryCrossEntropy
from tinygrad_cnn.tensor import Tensor


def as_target(op: str, input: Tensor, target: Any) -> Tensor:
    """`target` as a Tensor of the input's shape (a Tensor is kept, so it may require grad)."""
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        raise ValueError(f"{op}: target {target.shape} must have the input's shape "
                         f"{input.shape}")
    return target


def _broadcastable(op: str, name: str, value: Tensor | None, shape: tuple[int, ...]) -> None:
    if value is None:
        return
    try:
        fits = np.broadcast_shapes(value.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: {name} {value.shape} does not broadcast to the input's shape "
                         f"{shape}")


def binary_cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w (t log(p) + (1 - t) log(1 - p)) for probabilities p, each log clamped at -100.

    The clamp (PyTorch's) keeps the loss finite at p = 0 or 1, and the gradient too: as in
    PyTorch, d/dp is (p - t) / max(p (1 - p), 1e-12), so a sigmoid that rounded to exactly 0
    or 1 gives a zero gradient to its logit, not NaN. (The gradient in a target that requires
    grad is that of the clamped loss, finite where PyTorch's is infinite.) For scores from a
    last linear layer, `binary_cross_entropy_with_logits` is the stabler choice.

    Args:
        input: probabilities p in [0, 1], any shape.
        target: t of the input's shape, in [0, 1] (0/1 labels or soft targets).
        weight: a rescaling weight broadcast to the input's shape, or None.
        reduction: 'mean', 'sum' or 'none'.

    Raises:
        ValueError: for a probability outside [0, 1], a target of another shape, a weight
            that does not broadcast, or an unknown reduction.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> round(F.binary_cross_entropy(Tensor([0.5, 0.9]), [1.0, 1.0]).item(), 4)
        0.3993
    """
    op = "binary_cross_entropy"
    _check_reduction(op, reduction)
    target = as_target(op, input, target)
    _broadcastable(op, "weight", weight, input.shape)
    if input.numel() and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError(f"{op}: input values must be probabilities in [0, 1], got "
                         f"{input.data.min()}..{input.data.max()}")
    loss = BinaryCrossEntropy.apply(input, target)
    return _reduce(loss if weight is None else loss * weight, reduction, op)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Tensor | None = None,
                                     reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of sigmoid(x), computed from the logits x without overflow.

    loss = w [(1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)], which equals
    -w [pos_weight t log σ(x) + (1 - t) log(1 - σ(x))], with softplus(-x) = -log σ(x) taken
    from a log-softmax, finite for any x and smooth everywhere.

    Args:
        input: logits x, any shape, e.g. (N, C) for C independent labels.
        target: t of the input's shape, in [0, 1].
        weight: a rescaling weight broadcast to the input's shape, or None.
        reduction: 'mean', 'sum' or 'none'.
        pos_weight: a weight of positive examples, broadcast along the last dim ((C,) for C
            labels): above 1 raises recall, below 1 precision.

    Raises:
        ValueError: for a target of another shape, a weight or pos_weight that does not
            broadcast, or an unknown reduction.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.binary_cross_entropy_with_logits(Tensor([1000.0, -1000.0]), [0.0, 1.0]).item()
        1000.0
    """
    op = "binary_cross_entropy_with_logits"
    _check_reduction(op, reduction)
    target = as_target(op, input, target)
    _broadcastable(op, "weight", weight, input.shape)
    _broadcastable(op, "pos_weight", pos_weight, input.shape)
    # softplus(-x) = -log σ(x) = -log_softmax([x, 0])[0]: log_softmax subtracts the max, so it is
    # finite for any x, and smooth at x = 0, where max(-x, 0) + log(1 + exp(-|x|)) has kinks
    # that would spoil second derivatives
    pair = stack([input, zeros_like(input)], dim=-1)
    softplus = -pair.log_softmax(-1)[..., 0]
    if pos_weight is not None:
        softplus = softplus * (1.0 + (pos_weight - 1.0) * target)
    loss = (1.0 - target) * input + softplus
    return _reduce(loss if weight is None else loss * weight, reduction, op)
