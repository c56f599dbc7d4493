"""Schedules given by a function of the epoch: LambdaLR (a factor of the initial lr) and
MultiplicativeLR (a factor of the current one)."""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.optimizer import Optimizer

Factor = Callable[[int], float]


class _Lambdas(LRScheduler):
    """A schedule of one function of the epoch per param group."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Factor | Sequence[Factor],
                 last_epoch: int = -1):
        name = type(self).__name__
        groups = len(getattr(optimizer, "param_groups", ()))
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != groups:
                raise ValueError(f"{name}: expected {groups} lr_lambdas, one per param group, "
                                 f"got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * groups
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"{name}: lr_lambda must be a function of the epoch, got "
                                f"{type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; of each lr_lambda only a callable object's attributes (a
        function is code, which a state never holds: None in its place), as PyTorch."""
        state = {key: value for key, value in super().state_dict().items()
                 if key != "lr_lambdas"}
        state["lr_lambdas"] = [dict(vars(fn)) if _is_object(fn) else None
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state from `state_dict()`, the callable objects' attributes included."""
        saved = state_dict.get("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "lr_lambdas"})
        for fn, attributes in zip(self.lr_lambdas, saved):
            if attributes is not None:
                vars(fn).update(attributes)


def _is_object(fn: Any) -> bool:
    """True for a callable object with attributes; False for a function, method or builtin."""
    functions = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)
    return hasattr(fn, "__dict__") and not isinstance(fn, functions)


class LambdaLR(_Lambdas):
    """Set the learning rate to initial_lr · lr_lambda(epoch).

    Args:
        optimizer: the optimiser to schedule.
        lr_lambda: a function of the epoch (an int) giving a factor, or a list of them, one
            per param group.
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        ValueError: for a list whose length is not the number of param groups.
        TypeError: for an lr_lambda that is not callable.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import LambdaLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.5)
        >>> scheduler = LambdaLR(opt, lambda epoch: 0.5**epoch)
        >>> lrs = []
        >>> for _ in range(4):
        ...     lrs.append(scheduler.get_last_lr()[0])
        ...     opt.step()
        ...     scheduler.step()
        >>> lrs
        [0.5, 0.25, 0.125, 0.0625]
    """

    def get_lr(self) -> list[float]:
        """initial_lr times the group's factor at `last_epoch`."""
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class MultiplicativeLR(_Lambdas):
    """Multiply the learning rate by lr_lambda(epoch) every epoch (not at construction).

    Arguments and errors as `LambdaLR`'s.
    """

    def get_lr(self) -> list[float]:
        """The current lr times the group's factor at `last_epoch`."""
        if self._is_initial:
            return self._current_lrs()
        return [group["lr"] * fn(self.last_epoch)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)]
