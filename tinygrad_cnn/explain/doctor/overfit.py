"""Overfitting one small batch (`cannot-overfit`): Karpathy's first test of a training set-up."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.trial import Trial


def overfit(trial: Trial, x: np.ndarray, y: np.ndarray, steps: int) -> list[float]:
    """Step `trial` on the one batch (x, y) until its loss falls to `OVERFIT_GOAL` of the first,
    is no longer finite, or `steps` steps are done; the losses, one per step."""
    losses: list[float] = []
    while len(losses) < steps:
        losses.append(trial.step(x, y))
        if not math.isfinite(losses[-1]) or losses[-1] <= thresholds.OVERFIT_GOAL * losses[0]:
            break
    return losses


def check(losses: list[float], samples: int, optimizer: str) -> list[Finding]:
    """`cannot-overfit` when the losses of `overfit` never reached the goal."""
    first, last = losses[0], losses[-1]
    goal = thresholds.OVERFIT_GOAL
    if math.isfinite(last) and last <= goal * first:
        return []
    if math.isfinite(last):
        best = min(losses)
        outcome = (f"the loss went from {first:.4g} to {last:.4g} (best {best:.4g}, "
                   f"{best / first:.0%} of the first)")
    else:
        outcome = f"the loss went from {first:.4g} to {last} at step {len(losses) - 1}"
    evidence = (f"{len(losses)} steps of {optimizer} on the same {samples} samples: {outcome}; "
                f"the goal is {goal:.0%} of the first loss")
    advice = ("a model that cannot memorise a handful of samples has a bug or cannot learn at "
              "this learning rate: check that the labels belong to the inputs, the loss (see "
              "the findings above), layers left frozen, and the learning rate")
    return [Finding("cannot-overfit", "error", f"the model cannot fit even {samples} samples",
                    evidence, advice)]
