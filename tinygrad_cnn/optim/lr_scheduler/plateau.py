"""ReduceLROnPlateau: lower the learning rate when a watched metric stops improving."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import non_negative_int
from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.optimizer import Optimizer


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by `factor` once the metric has not improved for more than
    `patience` epochs, then wait `cooldown` epochs before counting again.

    Unlike the other schedulers, `step(metrics)` takes the watched value (a validation loss
    with ``mode='min'``, an accuracy with ``'max'``) and nothing happens at construction. An
    improvement must beat the best value so far by `threshold`: relatively
    (best · (1 ∓ threshold), ``'rel'``) or absolutely (best ∓ threshold, ``'abs'``). A
    reduction smaller than `eps` is skipped. PyTorch's rules, step for step.

    Args:
        optimizer: the optimiser to schedule.
        mode: 'min' (lower is better) or 'max'.
        factor: the multiplier of each reduction, below 1.
        patience: the number of epochs without improvement tolerated.
        threshold: how much better a value must be to count as an improvement.
        threshold_mode: 'rel' or 'abs'.
        cooldown: epochs to wait after a reduction before counting bad epochs again.
        min_lr: the lowest learning rate, one for all groups or a list with one per group.
        eps: the smallest change of learning rate worth making.

    Raises:
        TypeError: for a patience or cooldown that is not an int.
        ValueError: for a factor of 1 or more, an unknown mode or threshold_mode, a negative
            patience or cooldown, or a min_lr list of the wrong length.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import ReduceLROnPlateau
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> scheduler = ReduceLROnPlateau(opt, factor=0.5, patience=1)
        >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 2.0, 1.0]:
        ...     scheduler.step(val_loss)
        >>> scheduler.get_last_lr()
        [0.5]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0.0, eps: float = 1e-8):
        # No super().__init__: this scheduler takes no step at construction (as PyTorch's).
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: {type(optimizer).__name__} is not an Optimizer")
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be below 1.0, got {factor}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        patience = non_negative_int("ReduceLROnPlateau", "patience", patience)
        cooldown = non_negative_int("ReduceLROnPlateau", "cooldown", cooldown)
        groups = optimizer.param_groups
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(groups):
                raise ValueError(f"ReduceLROnPlateau: min_lr has {len(min_lr)} values but the "
                                 f"optimizer has {len(groups)} param groups")
            self.min_lrs = [float(v) for v in min_lr]
        else:
            self.min_lrs = [float(min_lr)] * len(groups)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = self._current_lrs()

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record one epoch's value of the watched metric and reduce the lr if it plateaued."""
        current = float(np.asarray(getattr(metrics, "data", metrics)))
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _is_better(self, value: float) -> bool:
        relative = self.threshold_mode == "rel"
        if self.mode == "min":
            return value < (self.best * (1 - self.threshold) if relative
                            else self.best - self.threshold)
        return value > (self.best * (1 + self.threshold) if relative
                        else self.best + self.threshold)

    def _reduce_lr(self) -> None:
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new
