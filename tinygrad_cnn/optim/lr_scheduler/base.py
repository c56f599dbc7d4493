"""The learning-rate scheduler base class: steps, last_epoch, state_dict round trips."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from tinygrad_cnn.optim.optimizer import Optimizer


class LRScheduler:
    """Base class of the schedulers: `step()` once per epoch (or batch), after `optimizer.step()`.

    Construction records each group's starting lr as "initial_lr" (kept if already there) and
    takes the scheduler's first step, to epoch 0. The schedules follow PyTorch's exactly: the
    same recursive or closed-form formula, so the same floating-point sequence.

    Args:
        optimizer: the optimiser whose param groups' "lr" this scheduler sets.
        last_epoch: the index of the last epoch; -1 starts afresh. Resuming with
            `last_epoch >= 0` needs "initial_lr" in every group (as restored by
            `optimizer.load_state_dict`); `load_state_dict` on the scheduler is the simpler way.

    Attributes:
        last_epoch: how many times `step()` has been called since epoch 0.
        base_lrs: each group's "initial_lr".

    Raises:
        TypeError: when `optimizer` is not an `Optimizer`.
        ValueError: when resuming and a group lacks "initial_lr".
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            name = type(self).__name__
            raise TypeError(f"{name}: {type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise ValueError(
                    f"{type(self).__name__}: param group {i} has no 'initial_lr' but "
                    f"last_epoch={last_epoch}; restore the optimizer's state_dict first"
                )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The first step, to epoch 0 (`_is_initial` tells `get_lr` that it is this one)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rate of each group for `last_epoch` (called by `step`); for subclasses."""
        raise NotImplementedError

    def _closed_form_lr(self) -> list[float] | None:
        """The learning rate of each group at `last_epoch` from `base_lrs` alone, for the
        schedules that have such a formula (None for the others); used by `_restart`."""
        return None

    def step(self) -> None:
        """Advance one epoch and set every group's "lr" to the schedule's value."""
        self._step_count += 1
        self.last_epoch += 1
        self._set_lrs(self.get_lr())

    def _restart(self) -> None:
        """Go back to epoch 0, as SequentialLR does at a milestone: the closed form there where
        the schedule has one, else `get_lr()` (PyTorch's `_update_lr(0)`)."""
        self.last_epoch = 0
        values = self._closed_form_lr()
        self._set_lrs(self.get_lr() if values is None else values)

    def _set_lrs(self, values: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the latest `step()`, one per param group."""
        return list(self._last_lr)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute but the optimiser (a deep copy).

        Returns:
            A dict of plain values (numbers, lists, strings) with `last_epoch`, `base_lrs`,
            `_last_lr`, `_step_count` and the scheduler's own settings.
        """
        return {
            key: copy.deepcopy(value)
            for key, value in vars(self).items()
            if key not in ("optimizer", "_is_initial")
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state from `state_dict()`.

        Args:
            state_dict: as returned by `state_dict()`; 0-d arrays become numbers and 1-d arrays
                lists (as after a round trip through `.npz`).

        Raises:
            ValueError: for a key this scheduler does not have.
        """
        known = self.state_dict().keys()
        unknown = [key for key in state_dict if key not in known]
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: unknown keys {', '.join(unknown)}; "
                f"expected {', '.join(known)}"
            )
        for key, value in state_dict.items():
            setattr(self, key, _plain(copy.deepcopy(value)))


def _plain(value: Any) -> Any:
    """0-d arrays to numbers and other arrays to lists, recursively through lists and dicts."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item() if np.ndim(value) == 0 else np.asarray(value).tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
