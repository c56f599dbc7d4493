"""Overfitting one small batch (`cannot-overfit`): Karpathy's first test of a training set-up,
of its model, loss and labels."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.trial import Trial
from tinygrad_cnn.nn import Dropout, Module
from tinygrad_cnn.nn.functional.loss import LossFn


def memoriser(op: str, model: Module, loss_fn: LossFn) -> Trial:
    """A fresh copy of `model` with Adam at `OVERFIT_LR` and its dropout layers off: the
    test asks whether the model can fit, not whether it does at the user's settings."""
    trial = Trial(op, model, None, loss_fn)
    trial.set_lr(thresholds.OVERFIT_LR)
    for module in trial.model.modules():
        if isinstance(module, Dropout):
            module.eval()
    return trial


def overfit(trial: Trial, x: np.ndarray, y: np.ndarray, steps: int) -> list[float]:
    """Step `trial` on the one batch (x, y) until its loss falls to `OVERFIT_GOAL` of the first,
    is no longer finite, or `steps` steps are done; the losses, one per step."""
    losses: list[float] = []
    while len(losses) < steps:
        losses.append(trial.step(x, y))
        if not math.isfinite(losses[-1]) or losses[-1] <= thresholds.OVERFIT_GOAL * losses[0]:
            break
    return losses


def check(losses: list[float], samples: int) -> list[Finding]:
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
    evidence = (f"{len(losses)} steps of Adam(lr={thresholds.OVERFIT_LR:g}) on the same "
                f"{samples} samples, dropout off: {outcome}; the goal is {goal:.0%} of the "
                "first loss")
    advice = ("a model that cannot memorise a handful of samples has a bug: check that the "
              "labels belong to the inputs, the loss and the last layers (see the findings "
              "above), and layers left frozen")
    return [Finding("cannot-overfit", "error", f"the model cannot fit even {samples} samples",
                    evidence, advice)]
