"""Learning-rate schedulers that set each param group's "lr" as training proceeds.

`base` holds `LRScheduler`, the base class (steps, `last_epoch`, state_dict round trips);
`decay` the per-epoch schedules; `linear` the linear warm-up; `warm_restarts` cosine
annealing with restarts; `one_cycle` the 1cycle policy, stepped per batch; `plateau` the
reduction on a plateau of a watched metric.
"""

from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.lr_scheduler.decay import (
    CosineAnnealingLR,
    ExponentialLR,
    MultiStepLR,
    StepLR,
)
from tinygrad_cnn.optim.lr_scheduler.linear import LinearLR
from tinygrad_cnn.optim.lr_scheduler.one_cycle import OneCycleLR
from tinygrad_cnn.optim.lr_scheduler.plateau import ReduceLROnPlateau
from tinygrad_cnn.optim.lr_scheduler.warm_restarts import CosineAnnealingWarmRestarts

__all__ = [
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "ExponentialLR",
    "LRScheduler",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "StepLR",
]
