"""The first optimiser steps at the user's learning rate: the loss (`diverges`) and the size
of each layer's update against its weight (`update-ratio`)."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.record import Record

_LOWER_LR = "lower the learning rate (ten times, then again) or let train.lr_find pick one"
_SHOWN = 12  # losses listed in the evidence


def diverges(record: Record, optimizer: str) -> list[Finding]:
    """`diverges`: a loss that is not finite, or rises past `DIVERGENCE_FACTOR` times the
    first, within the recorded steps."""
    losses = record.losses
    first = losses[0]
    bad = next((i for i, v in enumerate(losses) if not math.isfinite(v)), None)
    if bad is not None:
        evidence = (f"with {optimizer}, the loss went from {first:.4g} to {losses[bad]} at step "
                    f"{bad}")
    else:
        peak = int(np.argmax(losses))
        if losses[peak] <= thresholds.DIVERGENCE_FACTOR * first:
            return []
        evidence = (f"with {optimizer}, the loss rose from {first:.4g} to {losses[peak]:.4g} "
                    f"at step {peak}, {losses[peak] / first:.3g} times the first (threshold "
                    f"{thresholds.DIVERGENCE_FACTOR:g}); losses: "
                    + ", ".join(f"{v:.3g}" for v in losses[:_SHOWN])
                    + (", ..." if len(losses) > _SHOWN else ""))
    return [Finding("diverges", "error", "the loss diverges at this learning rate", evidence,
                    _LOWER_LR)]


def update_ratio(record: Record) -> list[Finding]:
    """`update-ratio`: the median layer's |update| / |weight| per step, its largest against the
    top of `UPDATE_RATIO_BAND` and its typical value against the bottom."""
    names = [name for name, layer in record.layers.items() if layer.update_ratios]
    if not names:
        return []
    steps = min(len(record.layers[name].update_ratios) for name in names)
    ratios = np.array([record.layers[name].update_ratios[:steps] for name in names])
    median = np.nanmedian(ratios, axis=0)  # per step, over layers
    low, high = thresholds.UPDATE_RATIO_BAND
    target = thresholds.UPDATE_RATIO_TARGET
    step = int(np.nanargmax(median))
    if median[step] > high:
        top = int(np.nanargmax(ratios[:, step]))
        evidence = (f"at step {step} the median layer moved {median[step]:.2g} of its weight "
                    f"({names[top]}: {ratios[top, step]:.2g}); the guide is about {target:g} "
                    f"per step, the threshold {high:g}")
        return [Finding("update-ratio", "warning", "each step changes the weights too much",
                        evidence, _LOWER_LR)]
    typical = float(np.nanmedian(median))
    if typical < low:
        evidence = (f"the median layer moves {typical:.2g} of its weight per step over "
                    f"{steps} steps; the guide is about {target:g}, the threshold {low:g}")
        return [Finding("update-ratio", "warning", "each step barely changes the weights",
                        evidence, "raise the learning rate (train.lr_find suggests one), or "
                        "check that the optimiser holds the model's parameters")]
    return []
