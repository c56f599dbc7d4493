"""OneCycleLR: the 1cycle learning-rate (and momentum) policy, stepped once per batch."""

from __future__ import annotations

import math
import numbers
from typing import Any

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.optimizer import Optimizer


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, 2017): warm up to max_lr, then anneal far below the start.

    Call `step()` after every batch. The lr starts at initial_lr = max_lr / div_factor, rises to
    max_lr over the first `pct_start` of the `total_steps` steps, then falls to
    min_lr = initial_lr / final_div_factor by the last step; with `three_phase`, it first falls
    back to initial_lr symmetrically and only then to min_lr. Each phase interpolates with

        cos:    end + (start - end) (1 + cos(π p)) / 2
        linear: start + (end - start) p

    with p the fraction of the phase done: a closed form in the step number, as in PyTorch.
    With `cycle_momentum` (the default, as in PyTorch) the momentum — "momentum" for SGD and
    RMSprop, β1 of "betas" for Adam and AdamW — moves the opposite way, from max_momentum down
    to base_momentum while the lr rises and back while it falls. Stepping past `total_steps`
    raises.

    Args:
        optimizer: the optimiser to schedule.
        max_lr: the peak learning rate, one for all groups or a list with one per group.
        total_steps: the number of steps in the cycle; else `epochs * steps_per_epoch`.
        epochs: the number of epochs (with `steps_per_epoch`, when `total_steps` is None).
        steps_per_epoch: the number of steps per epoch.
        pct_start: the fraction of the cycle spent raising the lr, in [0, 1].
        anneal_strategy: "cos" or "linear".
        cycle_momentum: cycle the momentum inversely to the lr.
        base_momentum: the momentum at the lr's peak (float or one per group).
        max_momentum: the momentum at the start and end (float or one per group).
        div_factor: initial_lr = max_lr / div_factor.
        final_div_factor: min_lr = initial_lr / final_div_factor.
        three_phase: rise, fall back symmetrically to initial_lr, then anneal to min_lr.
        last_epoch: the index of the last batch (-1 to start).

    Raises:
        TypeError: for a cycle length (total_steps, epochs, steps_per_epoch) that is not an
            int.
        ValueError: for a missing or non-positive cycle length, pct_start outside [0, 1], an
            unknown anneal_strategy, a list of the wrong length, `cycle_momentum` with an
            optimiser without momentum, or a step past `total_steps`.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import OneCycleLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1, momentum=0.9)
        >>> scheduler = OneCycleLR(opt, max_lr=1.0, total_steps=6, pct_start=0.5,
        ...                        anneal_strategy="linear")
        >>> lrs, momenta = [], []
        >>> for _ in range(6):
        ...     lrs.append(round(scheduler.get_last_lr()[0], 6))
        ...     momenta.append(round(opt.param_groups[0]["momentum"], 6))
        ...     opt.step()
        ...     if len(lrs) < 6:
        ...         scheduler.step()
        >>> lrs
        [0.04, 0.52, 1.0, 0.666668, 0.333336, 4e-06]
        >>> momenta
        [0.95, 0.9, 0.85, 0.883333, 0.916667, 0.95]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR: {type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            self.total_steps = positive_int("OneCycleLR", "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (positive_int("OneCycleLR", "epochs", epochs)
                                * positive_int("OneCycleLR", "steps_per_epoch", steps_per_epoch))
        else:
            raise ValueError("OneCycleLR: give total_steps, or both epochs and steps_per_epoch")
        if isinstance(pct_start, bool) or not isinstance(pct_start, numbers.Real) or not (
            0 <= pct_start <= 1
        ):
            raise ValueError(f"OneCycleLR: invalid pct_start={pct_start!r}; must be in [0, 1]")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: invalid anneal_strategy={anneal_strategy!r}; "
                "must be 'cos' or 'linear'"
            )
        self.anneal_strategy = anneal_strategy
        self._phases = _one_cycle_phases(float(pct_start), self.total_steps, three_phase)
        groups = optimizer.param_groups
        max_lrs = _per_group("max_lr", max_lr, len(groups))
        if last_epoch == -1:
            for group, group_max_lr in zip(groups, max_lrs, strict=True):
                group["initial_lr"] = group_max_lr / div_factor
                group["max_lr"] = group_max_lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"OneCycleLR: cycle_momentum=True but {type(optimizer).__name__} has "
                    "neither momentum nor betas; pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            max_momentums = _per_group("max_momentum", max_momentum, len(groups))
            base_momentums = _per_group("base_momentum", base_momentum, len(groups))
            if last_epoch == -1:
                for group, top, bottom in zip(groups, max_momentums, base_momentums, strict=True):
                    self._set_momentum(group, top)
                    group["max_momentum"], group["base_momentum"] = top, bottom
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """The closed-form lr at step `last_epoch` (and, with cycle_momentum, set the momentum).

        Raises:
            ValueError: past `total_steps`.
        """
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {step} times but total_steps is {self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                        self._set_momentum(group, momentum)
                    break
                start_step = end_step
        return lrs


def _one_cycle_phases(pct_start: float, total_steps: int, three_phase: bool) -> list[dict]:
    """The phases of the 1cycle policy: the step each ends at and the group keys it goes between."""
    warmup = {"end_step": float(pct_start * total_steps) - 1, "start_lr": "initial_lr",
              "end_lr": "max_lr", "start_momentum": "max_momentum",
              "end_momentum": "base_momentum"}
    if not three_phase:
        return [warmup, {"end_step": total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                         "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]
    return [
        warmup,
        {"end_step": float(2 * pct_start * total_steps) - 2, "start_lr": "max_lr",
         "end_lr": "initial_lr", "start_momentum": "base_momentum",
         "end_momentum": "max_momentum"},
        {"end_step": total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
         "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
    ]


def _per_group(name: str, value: float | list[float], num_groups: int) -> list[float]:
    """One value per param group: a list as is (checked for length), a number repeated."""
    if isinstance(value, (list, tuple)):
        if len(value) != num_groups:
            raise ValueError(
                f"OneCycleLR: {name} has {len(value)} values but the optimizer has "
                f"{num_groups} param groups"
            )
        return list(value)
    return [value] * num_groups
