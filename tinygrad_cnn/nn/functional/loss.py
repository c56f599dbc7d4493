"""Loss functions: cross-entropy, negative log-likelihood and mean squared error, and the
names a trainer knows them by."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_cnn.creation import ones_like
from tinygrad_cnn.ops.softmax import SoftmaxCrossEntropy
from tinygrad_cnn.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str, op: str, total_weight: Any = None) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / total_weight if total_weight is not None else loss.mean()


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_weight(op: str, weight: Tensor | None, input: Tensor) -> None:
    if weight is None or input.ndim < 2:  # no weight, or an input refused for its shape
        return
    classes = input.shape[1]
    if weight.shape != (classes,):
        raise ValueError(f"{op}: weight must hold one value per class, shape ({classes},), got "
                         f"{weight.shape}; input {input.shape}")


def _labels(target: Any) -> np.ndarray:
    return np.asarray(target.data if isinstance(target, Tensor) else target)


def nll_loss(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class indices, given log-probabilities.

    Args:
        input: log-probabilities (N, C) or (N, C, d1, ...).
        target: class indices (N,) or (N, d1, ...), ints in [0, C) or `ignore_index`.
        weight: a weight per class (C,).
        ignore_index: a target value that contributes nothing.
        reduction: 'mean' (weighted mean over the counted targets), 'sum' or 'none'.

    Raises:
        ValueError: for mismatched shapes, non-integer or out-of-range targets, or a `weight`
            that is not one value per class.
    """
    _check_reduction("nll_loss", reduction)
    _check_weight("nll_loss", weight, input)
    safe, w = _index_targets("nll_loss", input, _labels(target), weight, ignore_index)
    logp = input.permute(0, *range(2, input.ndim), 1)  # (N, ..., C)
    picked = logp[(*np.indices(safe.shape), safe)]
    loss = -picked * w
    return _reduce(loss, reduction, "nll_loss", w.sum() if reduction == "mean" else None)


def _index_targets(
    op: str, input: Tensor, labels: np.ndarray, weight: Tensor | None, ignore_index: int
) -> tuple[np.ndarray, np.ndarray]:
    """Checked class indices (ignored ones as 0) and each target's weight (0 when ignored)."""
    if input.ndim < 2 or labels.shape != input.shape[:1] + input.shape[2:]:
        raise ValueError(
            f"{op}: input {input.shape} needs (N, C, ...) and target (N, ...), got target "
            f"{labels.shape}"
        )
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{op}: target must hold integer class indices, got {labels.dtype}")
    classes = input.shape[1]
    counted = labels != ignore_index
    if ((labels[counted] < 0) | (labels[counted] >= classes)).any():
        raise ValueError(
            f"{op}: target values must be in [0, {classes}), got {labels.min()}..{labels.max()}"
        )
    safe = np.where(counted, labels, 0)
    class_weight = np.ones(classes, dtype=input.dtype) if weight is None else weight.data
    return safe, np.where(counted, class_weight[safe], 0).astype(input.dtype)


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits against class indices or class probabilities (one-hot).

    Computed as log_softmax followed by the negative log-likelihood, so logits of any size
    (1e4 included) give a finite loss and finite gradients; for (N, C) logits and class
    indices without label smoothing, as one fused primitive (`SoftmaxCrossEntropy`).

    Args:
        input: logits (N, C) or (N, C, d1, ...).
        target: class indices (N, ...) or probabilities of the input's shape.
        weight: a weight per class (C,).
        ignore_index: with index targets, a value that contributes nothing.
        reduction: 'mean', 'sum' or 'none'.
        label_smoothing: mix the target with the uniform distribution by this amount.

    Raises:
        ValueError: for mismatched shapes, bad targets, or a `weight` that is not one value
            per class (shape (C,)).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> import tinygrad_cnn.nn.functional as F
        >>> logits = Tensor([[1e4, 0.0]], requires_grad=True)
        >>> round(F.cross_entropy(logits, np.array([1])).item())
        10000
    """
    _check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if input.ndim < 2:
        raise ValueError(f"cross_entropy: input must be (N, C, ...), got {input.shape}")
    _check_weight("cross_entropy", weight, input)
    labels = _labels(target)
    if input.ndim == 2 and labels.dtype.kind in "iu" and label_smoothing == 0.0:
        safe, w = _index_targets("cross_entropy", input, labels, weight, ignore_index)
        scale = None if reduction == "none" else 1.0
        if reduction == "mean":  # all targets ignored: NaN, as PyTorch
            scale = 1.0 / float(w.sum()) if w.sum() else float("nan")
        return SoftmaxCrossEntropy.apply(input, target=safe, weight=w, scale=scale)
    logp = input.log_softmax(1)
    if labels.shape == input.shape and labels.dtype.kind == "f":
        return _soft_cross_entropy(logp, Tensor(labels.astype(input.dtype)), weight, reduction,
                                   label_smoothing)
    loss = nll_loss(logp, labels, weight, ignore_index, reduction)
    if label_smoothing == 0.0:
        return loss
    uniform = _soft_cross_entropy(logp, ones_like(logp) / input.shape[1], weight, "none", 0.0)
    uniform = uniform * Tensor((labels != ignore_index).astype(input.dtype))
    denominator = None
    if reduction == "mean":
        class_weight = np.ones(input.shape[1]) if weight is None else weight.data
        counted = labels != ignore_index
        denominator = np.where(counted, class_weight[np.where(counted, labels, 0)], 0).sum()
    smooth = _reduce(uniform, reduction, "cross_entropy", denominator)
    return loss * (1 - label_smoothing) + smooth * label_smoothing


def _soft_cross_entropy(
    logp: Tensor, probs: Tensor, weight: Tensor | None, reduction: str, smoothing: float
) -> Tensor:
    """-sum_c w_c p_c log q_c per sample, for probability targets."""
    classes = logp.shape[1]
    if smoothing:
        probs = probs * (1 - smoothing) + smoothing / classes
    if weight is not None:
        probs = probs * weight.reshape(classes, *([1] * (logp.ndim - 2)))
    loss = -(logp * probs).sum(1)
    return _reduce(loss, reduction, "cross_entropy")


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error (input - target)², reduced by `reduction`.

    Raises:
        ValueError: when the shapes differ.
    """
    _check_reduction("mse_loss", reduction)
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, input.dtype))
    if target.shape != input.shape:
        raise ValueError(f"mse_loss: input {input.shape} and target {target.shape} differ")
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


LossFn = Callable[[Tensor, Any], Tensor]
LOSSES: dict[str, LossFn] = {"cross_entropy": cross_entropy, "mse": mse_loss}


def loss_function(op: str, loss: str | LossFn) -> LossFn:
    """The loss a trainer was given: a name from `LOSSES`, or a function (scores, targets) ->
    scalar Tensor, returned as it is.

    Args:
        op: the trainer, for the message (`Classifier`, `diagnose`, ...).
        loss: "cross_entropy", "mse", or a function.

    Raises:
        ValueError: for any other name or value.

    Examples:
        >>> loss_function("Classifier", "cross_entropy") is cross_entropy
        True
    """
    if callable(loss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"{op}: loss must be one of {sorted(LOSSES)} or a function, got {loss!r}")
