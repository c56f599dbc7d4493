"""Learning-rate schedulers that set each param group's "lr" as training proceeds.

`base` holds `LRScheduler`, the base class (steps, `last_epoch`, state_dict round trips);
`decay` the per-epoch schedules; `one_cycle` the 1cycle policy, stepped per batch.
"""

from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.lr_scheduler.decay import (
    CosineAnnealingLR,
    ExponentialLR,
    MultiStepLR,
    StepLR,
)
from tinygrad_cnn.optim.lr_scheduler.one_cycle import OneCycleLR

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "MultiStepLR",
    "OneCycleLR",
    "StepLR",
]
