"""Schedulers made of schedulers: SequentialLR (one after another, at milestones) and
ChainedScheduler (all at once, each scaling what the one before set)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.lr_scheduler.plateau import ReduceLROnPlateau
from tinygrad_cnn.optim.optimizer import Optimizer


def _check(owner: str, optimizer: Optimizer, schedulers: Sequence[Any]) -> None:
    """Raise unless `schedulers` are schedulers of `optimizer`, none of them on a plateau."""
    if not schedulers:
        raise ValueError(f"{owner}: expects at least one scheduler, got none")
    for i, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{owner}: scheduler {i} is a {type(scheduler).__name__}, not an "
                            "LRScheduler")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{owner}: scheduler {i} is a ReduceLROnPlateau, whose step needs "
                             "the metric; step it on its own")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{owner}: scheduler {i} ({type(scheduler).__name__}) schedules "
                             "another optimizer")


class _Combined(LRScheduler):
    """The state of a scheduler of schedulers holds theirs."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimiser, the schedulers' own states in `_schedulers`."""
        state = {key: value for key, value in super().state_dict().items()
                 if key != "_schedulers"}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state from `state_dict()`, each scheduler's included."""
        saved = state_dict.get("_schedulers", [])
        if len(saved) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: {len(saved)} scheduler "
                             f"states for {len(self._schedulers)} schedulers")
        super().load_state_dict({k: v for k, v in state_dict.items() if k != "_schedulers"})
        for scheduler, state in zip(self._schedulers, saved):
            scheduler.load_state_dict(state)


class SequentialLR(_Combined):
    """Run `schedulers` one after another: the first until `milestones[0]`, the next until
    `milestones[1]`, ...; each restarts from epoch 0 at its milestone. PyTorch's construction
    and steps, so the same sequence (a warm-up, then a decay: the usual pairing).

    Args:
        optimizer: the optimiser the schedulers schedule.
        schedulers: the schedulers, built on `optimizer`, in the order they run.
        milestones: the epochs at which the next scheduler takes over (one fewer than them).
        last_epoch: the index of the last epoch (-1 to start).

    Raises:
        TypeError: for something that is not a scheduler.
        ValueError: for no scheduler, a scheduler of another optimizer or a ReduceLROnPlateau,
            or a number of milestones that is not one fewer than the schedulers.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> from tinygrad_cnn.optim.lr_scheduler import ExponentialLR, LinearLR, SequentialLR
        >>> opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
        >>> warmup = LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> decay = ExponentialLR(opt, gamma=0.5)
        >>> scheduler = SequentialLR(opt, [warmup, decay], milestones=[2])
        >>> lrs = []
        >>> for _ in range(5):
        ...     lrs.append(scheduler.get_last_lr()[0])
        ...     opt.step()
        ...     scheduler.step()
        >>> lrs
        [0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler],
                 milestones: Sequence[int], last_epoch: int = -1):
        _check("SequentialLR", optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expects one milestone fewer than schedulers, got "
                             f"{len(schedulers)} schedulers and {len(milestones)} milestones")
        self.optimizer = optimizer
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        for group in optimizer.param_groups:  # as before the schedulers' first steps
            group["lr"] = group["initial_lr"]
        _undo_first_steps(self._schedulers)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        """Advance one epoch: the scheduler of this epoch steps, or restarts at its milestone."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _undo_first_steps(schedulers: Sequence[Any]) -> None:
    """Take back the step each scheduler took when it was built (nested ones too)."""
    for scheduler in schedulers:
        if hasattr(scheduler, "_schedulers"):
            _undo_first_steps(scheduler._schedulers)
        else:
            scheduler.last_epoch -= 1


class ChainedScheduler(_Combined):
    """Step every scheduler at once, in order, each scaling the lr the one before set: e.g. a
    ConstantLR warm-up times an ExponentialLR decay.

    Args:
        schedulers: the schedulers, built on one optimiser.
        optimizer: that optimiser (default: the first scheduler's).

    Raises:
        TypeError: for something that is not a scheduler.
        ValueError: for no scheduler, schedulers of different optimisers, or a
            ReduceLROnPlateau.
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None):
        if optimizer is None and schedulers:
            optimizer = schedulers[0].optimizer
        _check("ChainedScheduler", optimizer, schedulers)  # type: ignore[arg-type]
        self.optimizer = optimizer  # type: ignore[assignment]
        self._schedulers = list(schedulers)
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]
