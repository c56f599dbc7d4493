"""Learning-rate schedulers that set each param group's "lr" as training proceeds.

`base` holds `LRScheduler`, the base class (steps, `last_epoch`, state_dict round trips);
`decay` the per-epoch decays (step, multi-step, exponential, cosine, polynomial); `warmup`
the linear and constant warm-ups; `lambdas` the schedules given by a function of the epoch;
`warm_restarts` cosine annealing with restarts; `one_cycle` the 1cycle policy, stepped per
batch; `plateau` the reduction on a plateau of a watched metric; `combined` the schedulers
made of schedulers (in sequence, or chained).
"""

from tinygrad_cnn.optim.lr_scheduler.base import LRScheduler
from tinygrad_cnn.optim.lr_scheduler.combined import ChainedScheduler, SequentialLR
from tinygrad_cnn.optim.lr_scheduler.decay import (
    CosineAnnealingLR,
    ExponentialLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from tinygrad_cnn.optim.lr_scheduler.lambdas import LambdaLR, MultiplicativeLR
from tinygrad_cnn.optim.lr_scheduler.one_cycle import OneCycleLR
from tinygrad_cnn.optim.lr_scheduler.plateau import ReduceLROnPlateau
from tinygrad_cnn.optim.lr_scheduler.warm_restarts import CosineAnnealingWarmRestarts
from tinygrad_cnn.optim.lr_scheduler.warmup import ConstantLR, LinearLR

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
