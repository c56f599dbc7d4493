"""CosineAnnealingWarmRestarts: cosine annealing that restarts from the initial learning rate,
each cycle `T_mult` times longer than the last (SGDR)."""

from __future__ import annotations

import math

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.optimizer import Optimizer


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (Loshchilov & Hutter, 2017).

    lr = eta_min + (initial_lr - eta_min) (1 + cos(π T_cur / T_i)) / 2, where T_cur counts
    the epochs since the last restart and T_i is the length of the current cycle: T_0, then
    T_0 · T_mult, T_0 · T_mult², ... At each restart the lr jumps back to initial_lr.

    `step()` advances one epoch; `step(epoch)` jumps to `epoch`, which may be fractional
    (call it with ``epoch + batch / batches`` after every batch for a smooth schedule), as in
    PyTorch.

    Args:
        optimizer: the optimiser to schedule.
        T_0: the length of the first cycle, in epochs (a positive int).
        T_mult: the factor by which each cycle is longer than the last (an int >= 1).
        eta_min: the lowest learning rate.
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        TypeError: for a T_0 or T_mult that is not an int.
        ValueError: for a T_0 or T_mult below 1, or a negative epoch.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import CosineAnnealingWarmRestarts
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> scheduler = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
        >>> lrs = []
        >>> for _ in range(7):
        ...     lrs.append(round(scheduler.get_last_lr()[0], 4))
        ...     opt.step()
        ...     scheduler.step()
        >>> lrs
        [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        self.T_0 = self.T_i = positive_int("CosineAnnealingWarmRestarts", "T_0", T_0)
        self.T_mult = positive_int("CosineAnnealingWarmRestarts", "T_mult", T_mult)
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The closed form at T_cur within the current cycle of length T_i."""
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or jump to `epoch` (fractional epochs allowed).

        Raises:
            ValueError: for a negative epoch.
        """
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur - self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            self._jump(epoch)
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _jump(self, epoch: float) -> None:
        """Set the cycle (T_i) and the position in it (T_cur) for `epoch`."""
        if epoch < 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: expected a non-negative epoch, "
                             f"got {epoch}")
        if epoch < self.T_0:
            self.T_i, self.T_cur = self.T_0, epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:  # cycles so far: T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult**n
