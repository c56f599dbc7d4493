"""Loss modules: each keeps its options (and class weights as buffers, as PyTorch's do) and
calls its function in F with (input, target)."""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.functional.loss import _check_reduction
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class _Loss(Module):
    """A loss with PyTorch's `reduction` ('mean', 'sum' or 'none'), checked when built."""

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        _check_reduction(type(self).__name__, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional `weight` buffer (in the state dict, as PyTorch's)."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """The mean (or sum) absolute error |x - y|; see `F.l1_loss`.

    Args:
        reduction: 'mean', 'sum' or 'none'.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of `input` against `target` (same shape)."""
        return F.l1_loss(input, target, self.reduction)


class MSELoss(_Loss):
    """The mean (or sum) squared error (x - y)²; see `F.mse_loss`.

    Args:
        reduction: 'mean', 'sum' or 'none'.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of `input` against `target` (same shape)."""
        return F.mse_loss(input, target, self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic for errors below beta, linear beyond; see `F.smooth_l1_loss`.

    Args:
        reduction: 'mean', 'sum' or 'none'.
        beta: where the loss turns linear (0 gives the L1 loss).
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of `input` against `target` (same shape)."""
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)


class HuberLoss(_Loss):
    """0.5 e² for |e| < delta, delta (|e| - delta / 2) beyond; see `F.huber_loss`.

    Args:
        reduction: 'mean', 'sum' or 'none'.
        delta: where the loss turns linear (positive).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of `input` against `target` (same shape)."""
        return F.huber_loss(input, target, self.reduction, self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities; see `F.binary_cross_entropy`.

    Args:
        weight: a rescaling weight broadcast to the input's shape, or None.
        reduction: 'mean', 'sum' or 'none'.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of probabilities `input` against `target` (same shape)."""
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of logits, stable for any logit; see
    `F.binary_cross_entropy_with_logits`.

    Args:
        weight: a rescaling weight broadcast to the input's shape, or None.
        reduction: 'mean', 'sum' or 'none'.
        pos_weight: a weight of positive examples per label (broadcast along the last dim).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, nn
        >>> loss = nn.BCEWithLogitsLoss(pos_weight=Tensor(np.array([2.0, 1.0])))
        >>> list(loss.state_dict())
        ['pos_weight']
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of logits `input` against `target` (same shape)."""
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction,
                                                  self.pos_weight)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities; see `F.nll_loss`.

    Args:
        weight: a weight per class (C,), or None.
        ignore_index: a target value that contributes nothing.
        reduction: 'mean', 'sum' or 'none'.
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of log-probabilities `input` (N, C, ...) against indices (N, ...)."""
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits against class indices or probabilities; see
    `F.cross_entropy`.

    Args:
        weight: a weight per class (C,), or None.
        ignore_index: with index targets, a value that contributes nothing.
        reduction: 'mean', 'sum' or 'none'.
        label_smoothing: mix the target with the uniform distribution by this amount.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, nn
        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> round(loss(Tensor([[2.0, 0.0]]), np.array([0])).item(), 4)
        0.2269
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        """The loss of logits `input` (N, C, ...) against `target`."""
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction,
                               self.label_smoothing)
