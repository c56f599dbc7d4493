"""Warm-ups: the learning rate scaled by a factor over the first steps, moving linearly
(LinearLR) or constant (ConstantLR), then the full learning rate."""

from __future__ import annotations

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.optimizer import Optimizer


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor going linearly from `start_factor` to `end_factor`
    over `total_iters` steps, then keep it.

    lr(t) = initial_lr · (start_factor + (end_factor - start_factor) · min(t, total_iters) /
    total_iters), computed by PyTorch's recursion (each step multiplies the current lr), so
    the same floats. Stepped once per batch, it is a warm-up: a small learning rate while
    BatchNorm statistics and momentum buffers settle, then the full one.

    Args:
        optimizer: the optimiser to schedule.
        start_factor: the factor at step 0, in (0, 1].
        end_factor: the factor from step `total_iters` on, in [0, 1].
        total_iters: the number of steps the factor takes to get there (a positive int).
        last_epoch: the index of the last step (-1 to start).

    Raises:
        TypeError: for a total_iters that is not an int.
        ValueError: for factors out of range or a total_iters below 1.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import LinearLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
        >>> warmup = LinearLR(opt, start_factor=0.25, total_iters=3)
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(round(warmup.get_last_lr()[0], 6))
        ...     opt.step()
        ...     warmup.step()
        >>> lrs
        [0.025, 0.05, 0.075, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor}")
        self.total_iters = positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor = start_factor
        self.end_factor = end_factor
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lr times the ratio of this step's factor to the last one's."""
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor
                                + (self.last_epoch - 1) * change)
        return [group["lr"] * ratio for group in groups]

    def _closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """Scale the learning rate by `factor` for the first `total_iters` steps, then restore it.

    lr(t) = initial_lr · factor for t < total_iters, then initial_lr; computed as PyTorch does
    (a multiplication at step 0 and a division at step total_iters), so another change to the
    lr in between carries through.

    Args:
        optimizer: the optimiser to schedule.
        factor: the scale during the first steps, in (0, 1].
        total_iters: the number of steps it lasts (a positive int).
        last_epoch: the index of the last step (-1 to start).

    Raises:
        TypeError: for a total_iters that is not an int.
        ValueError: for a factor out of range or a total_iters below 1.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import ConstantLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
        >>> warmup = ConstantLR(opt, factor=0.5, total_iters=2)
        >>> lrs = []
        >>> for _ in range(4):
        ...     lrs.append(round(warmup.get_last_lr()[0], 6))
        ...     opt.step()
        ...     warmup.step()
        >>> lrs
        [0.05, 0.05, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1):
        if not 0 < factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in (0, 1], got {factor} (a factor of "
                             "0 could not be undone after total_iters)")
        self.total_iters = positive_int("ConstantLR", "total_iters", total_iters)
        self.factor = factor
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lr, times factor at step 0 and divided by it at step total_iters."""
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [group["lr"] * (1.0 / self.factor) for group in groups]

    def _closed_form_lr(self) -> list[float]:
        done = self.last_epoch >= self.total_iters
        return [base_lr * (self.factor + done * (1 - self.factor)) for base_lr in self.base_lrs]
