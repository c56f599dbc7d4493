"""The learning-rate range test (Smith, 2017): train a copy with a rate growing exponentially
and watch where the loss falls fastest and where it blows up."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from tinygrad_cnn.arguments import non_negative_int, positive_int
from tinygrad_cnn.explain.doctor.trial import Trial, samples
from tinygrad_cnn.nn import Module
from tinygrad_cnn.nn.functional.loss import LossFn, loss_function
from tinygrad_cnn.optim.optimizer import Optimizer
from tinygrad_cnn.random import fork_rng, manual_seed

# fastai's and PyTorch Lightning's choices: the loss smoothed by an exponential moving average
# with this weight on the past (bias-corrected, so the first points are not pulled to zero),
# and the test stopped once the smoothed loss passes this many times its lowest value.
SMOOTHING = 0.98
DIVERGENCE_FACTOR = 4.0
# A smoothed loss that never falls this fraction below its first value has not fallen: a
# suggestion needs a range of rates where the model learns.
LEAST_FALL = 1e-3


class LRFinderResult(NamedTuple):
    """What the range test measured.

    Attributes:
        lrs: the learning rate of each step, growing exponentially (steps,), fewer when the
            loss diverged first.
        losses: the smoothed loss at each of those steps.
        suggestion: a tenth of the rate where the smoothed loss was lowest (the rule of
            fastai's `minimum` suggestion: the minimum is already too fast, an order of
            magnitude less is safely inside the range where the loss falls); None when the
            smoothed loss never fell below its first value (by `LEAST_FALL` of it).
    """

    lrs: np.ndarray
    losses: np.ndarray
    suggestion: float | None


def lr_find(model: Module, optimizer: Optimizer, X: Any, y: Any, start_lr: float = 1e-7,
            end_lr: float = 10, steps: int = 100, *, loss: str | LossFn = "cross_entropy",
            batch_size: int = 64, seed: int = 0) -> LRFinderResult:
    """Smith's learning-rate range test: one step per batch on copies of the model and the
    optimiser, the rate of every parameter group growing from `start_lr` to `end_lr`.

    The loss is smoothed (`SMOOTHING`) and the test stops early when the smoothed loss passes
    `DIVERGENCE_FACTOR` times its lowest value or is no longer finite. The model and the
    optimiser are copied together first (their weights, state and options), so both are
    exactly as they were afterwards, as is the library's random generator.

    Args:
        model: a classifier mapping inputs (N, ...) to scores (N, C).
        optimizer: the optimiser over its parameters (its type, options and state are used;
            its learning rate is replaced at each step).
        X: inputs (N, ...), float.
        y: class indices (N,) or one-hot rows (N, C).
        start_lr: the first learning rate.
        end_lr: the last learning rate, reached at the last step.
        steps: how many steps (and batches) the rate takes from `start_lr` to `end_lr`.
        loss: "cross_entropy", "mse" or a function (scores, targets) -> scalar Tensor.
        batch_size: samples per step; the data is shuffled and cycled as needed.
        seed: picks the batches and seeds dropout.

    Returns:
        The rates, the smoothed losses and the suggested rate; `viz.plot_lr_find` draws them.

    Raises:
        ValueError: for rates that are not positive and increasing, a count below the minimum
            (2 steps, 1 sample per batch), or inputs that are not float or have another length
            than `y`.
        TypeError: when `model` is not a Module, or a count (or the seed) not an int.

    Examples:
        >>> from tinygrad_cnn import manual_seed, models, optim
        >>> from tinygrad_cnn.data import load_mnist
        >>> (x, y), _ = load_mnist()
        >>> _ = manual_seed(0)
        >>> model = models.lenet5()
        >>> result = lr_find(model, optim.Adam(model.parameters()), x[:640], y[:640], steps=30)
        >>> bool(result.suggestion < 1)
        True
    """
    op = "lr_find"
    loss_fn = loss_function(op, loss)
    X, y = samples(op, X, y)
    _check_schedule(op, start_lr, end_lr)
    if positive_int(op, "steps", steps) < 2:
        raise ValueError(f"{op}: steps must be at least 2, the two ends of the range; got "
                         f"{steps}")
    batch_size = positive_int(op, "batch_size", batch_size)
    seed = non_negative_int(op, "seed", seed)
    trial = Trial(op, model, optimizer, loss_fn)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    lrs = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))
    smoothed: list[float] = []
    average = 0.0
    with fork_rng(), np.errstate(all="ignore"):
        manual_seed(seed)
        for i, lr in enumerate(lrs):
            rows = order.take(range(i * batch_size, (i + 1) * batch_size), mode="wrap")
            trial.set_lr(float(lr))
            value = trial.step(X[rows], y[rows])
            average = SMOOTHING * average + (1 - SMOOTHING) * value
            smoothed.append(average / (1 - SMOOTHING ** (i + 1)))
            if not math.isfinite(smoothed[-1]) or smoothed[-1] > DIVERGENCE_FACTOR * min(smoothed):
                break
    losses = np.array(smoothed)
    return LRFinderResult(lrs[: len(losses)], losses, _suggestion(lrs, losses))


def _suggestion(lrs: np.ndarray, losses: np.ndarray) -> float | None:
    finite = np.where(np.isfinite(losses), losses, np.inf)
    best = int(np.argmin(finite))
    if not finite[best] < losses[0] * (1 - LEAST_FALL):
        return None
    return float(lrs[best] / 10)


def _check_schedule(op: str, start_lr: float, end_lr: float) -> None:
    if not (math.isfinite(start_lr) and math.isfinite(end_lr) and 0 < start_lr < end_lr):
        raise ValueError(f"{op}: the rates must satisfy 0 < start_lr < end_lr, finite; got "
                         f"start_lr={start_lr!r}, end_lr={end_lr!r}")
