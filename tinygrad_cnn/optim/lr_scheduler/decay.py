"""Schedules that lower the learning rate epoch by epoch: step, multi-step, exponential, cosine,
polynomial."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

from tinygrad_cnn.arguments import non_negative_int, positive_int
from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.optimizer import Optimizer


class StepLR(LRScheduler):
    """Multiply the learning rate by `gamma` every `step_size` epochs.

    lr(epoch) = initial_lr · gamma^(epoch // step_size), computed recursively as PyTorch does.

    Args:
        optimizer: the optimiser to schedule.
        step_size: the period of the decay, in epochs (a positive int).
        gamma: the multiplicative factor.
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        TypeError: for a step_size that is not an int.
        ValueError: for a step_size below 1.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import StepLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> scheduler = StepLR(opt, step_size=2, gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(scheduler.get_last_lr()[0])
        ...     opt.step()
        ...     scheduler.step()
        >>> lrs
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ):
        self.step_size = positive_int("StepLR", "step_size", step_size)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lr, times gamma when the epoch is a non-zero multiple of step_size."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by `gamma` at each milestone epoch.

    lr(epoch) = initial_lr · gamma^(number of milestones <= epoch); a milestone listed twice
    decays twice.

    Args:
        optimizer: the optimiser to schedule.
        milestones: epoch indices (non-negative ints).
        gamma: the multiplicative factor.
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        TypeError: for a milestone that is not an int.
        ValueError: for a negative milestone.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ):
        given = list(milestones)
        self.milestones = sorted(non_negative_int("MultiStepLR", "milestone", m, f" in {given}")
                                 for m in given)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lr, times gamma^k when the epoch is listed k times in milestones."""
        count = bisect_right(self.milestones, self.last_epoch) - bisect_right(
            self.milestones, self.last_epoch - 1
        )
        if count == 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma**count for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        count = bisect_right(self.milestones, self.last_epoch)
        return [base_lr * self.gamma**count for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by `gamma` every epoch: lr(epoch) = initial_lr · gamma^epoch.

    Args:
        optimizer: the optimiser to schedule.
        gamma: the multiplicative factor.
        last_epoch: the index of the last epoch (-1 to start).
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lr times gamma (unchanged at construction)."""
        if self._is_initial:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the learning rate along a cosine from initial_lr to eta_min over T_max epochs.

    lr(t) = eta_min + (initial_lr - eta_min) (1 + cos(π t / T_max)) / 2, computed by PyTorch's
    recursion lr(t) = eta_min + (lr(t-1) - eta_min) (1 + cos(π t / T_max)) /
    (1 + cos(π (t-1) / T_max)), so another change to the lr carries through. Past T_max the
    cosine climbs back (no restarts).

    Args:
        optimizer: the optimiser to schedule.
        T_max: the number of epochs of the half cosine (a positive int).
        eta_min: the final learning rate.
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        TypeError: for a T_max that is not an int.
        ValueError: for a T_max below 1.
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ):
        self.T_max = positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """One step of the cosine recursion (PyTorch's operation order, for the same floats)."""
        groups, epoch = self.optimizer.param_groups, self.last_epoch
        t_max, eta_min = self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (epoch - 1 - t_max) % (2 * t_max) == 0:  # at the bottom the ratio below is 0/0
            return [
                group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base_lr, group in zip(self.base_lrs, groups, strict=True)
            ]
        return [
            (1 + math.cos(math.pi * epoch / t_max))
            / (1 + math.cos(math.pi * (epoch - 1) / t_max))
            * (group["lr"] - eta_min)
            + eta_min
            for group in groups
        ]

    def _closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the learning rate polynomially to zero over `total_iters` steps, then keep it.

    lr(t) = initial_lr · (1 - min(t, total_iters) / total_iters)^power, computed by PyTorch's
    recursion (each step multiplies the current lr by the ratio of two factors), so the same
    floats.

    Args:
        optimizer: the optimiser to schedule.
        total_iters: the number of steps of the decay (a positive int).
        power: the power of the polynomial (1: linear).
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        TypeError: for a total_iters that is not an int.
        ValueError: for a total_iters below 1.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import PolynomialLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> scheduler = PolynomialLR(opt, total_iters=4, power=2.0)
        >>> lrs = []
        >>> for _ in range(6):
        ...     lrs.append(round(scheduler.get_last_lr()[0], 6))
        ...     opt.step()
        ...     scheduler.step()
        >>> lrs
        [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1):
        self.total_iters = positive_int("PolynomialLR", "total_iters", total_iters)
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current lr times the ratio of this step's factor to the last one's."""
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        ratio = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _closed_form_lr(self) -> list[float]:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * left**self.power for base_lr in self.base_lrs]
