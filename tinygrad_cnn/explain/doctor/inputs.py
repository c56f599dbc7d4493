"""The inputs before any model sees them: NaN or inf (`nonfinite-input`) and their scale
(`unnormalized-input`)."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding

# The scale is measured on at most this many samples, drawn at random: plenty for a mean.
_SCALE_SAMPLES = 10_000


def finite_samples(X: np.ndarray) -> tuple[list[Finding], np.ndarray]:
    """`nonfinite-input`, and which samples (N,) hold only finite values."""
    bad = ~np.isfinite(X)
    keep = ~bad.reshape(len(X), -1).any(axis=1)
    if keep.all():
        return [], keep
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    nans, infs = int(np.isnan(X).sum()), int(np.isinf(X).sum())
    axes = tuple(range(1, X.ndim))
    evidence = (f"{nans:,} NaN and {infs:,} inf values in {int((~keep).sum()):,} of {len(X):,} "
                f"samples; the first is sample {first[0]}, position {first[1:]}; the rest of "
                f"this diagnosis uses the {int(keep.sum()):,} finite samples")
    advice = (f"drop or repair those samples before training: keep = "
              f"np.isfinite(X).all(axis={axes}); one NaN pixel makes the loss of its batch NaN, "
              "and one step with it makes every weight NaN")
    return [Finding("nonfinite-input", "error", "the inputs hold NaN or inf values",
                    evidence, advice)], keep


def scale(X: np.ndarray, rng: np.random.Generator) -> list[Finding]:
    """`unnormalized-input`: a warning for a scale far from mean 0 and spread 1, a note for
    inputs in [0, 1] that are not standardised."""
    if len(X) > _SCALE_SAMPLES:
        X = X[np.sort(rng.choice(len(X), _SCALE_SAMPLES, replace=False))]
    data = X.astype(np.float64)
    mean, std = float(data.mean()), float(data.std())
    low, high = float(data.min()), float(data.max())
    summary = f"values from {low:.4g} to {high:.4g}, mean {mean:.4g}, spread (std) {std:.4g}"
    problems = _scale_problems(data, mean, std)
    if problems:
        raw = high > 1 and high <= 255 and low >= 0 and bool(np.all(data == np.round(data)))
        if raw:
            problems.insert(0, "whole numbers from 0 to 255: raw 8-bit pixels")
        advice = ("divide 8-bit pixels by 255, then standardise each channel: "
                  "x = (x - mean) / std with the training set's mean and std "
                  "(data.transforms.Normalize); large inputs make large scores, a large first "
                  "loss and saturated or exploding layers")
        return [Finding("unnormalized-input", "warning", "the inputs are far from mean 0 and "
                        "spread 1", f"{summary}: {'; '.join(problems)}", advice)]
    centred, unit = thresholds.STANDARDISED
    if low >= 0 and high <= 1 and (abs(mean) > centred or abs(std - 1) > unit):
        channel_mean = data.mean(axis=_channel_axes(data)) if data.ndim > 2 else [mean]
        channel_std = data.std(axis=_channel_axes(data)) if data.ndim > 2 else [std]
        means = ", ".join(f"{m:.4f}" for m in channel_mean)
        stds = ", ".join(f"{s:.4f}" for s in channel_std)
        return [Finding("unnormalized-input", "info", "the inputs are in [0, 1], not "
                        "standardised", summary, f"standardising usually trains a little faster "
                        f"(LeCun et al., 1998): transforms.Normalize(mean=[{means}], "
                        f"std=[{stds}])")]
    return []


def _channel_axes(data: np.ndarray) -> tuple[int, ...]:
    return (0, *range(2, data.ndim))


def _scale_problems(data: np.ndarray, mean: float, std: float) -> list[str]:
    low, high = thresholds.INPUT_STD_BAND
    problems = []
    if not low <= std <= high:
        problems.append(f"a spread of {std:.3g}, outside [{low:g}, {high:g}]")
    if abs(mean) > thresholds.INPUT_MEAN_IN_STDS * std:
        problems.append(f"a mean {abs(mean) / max(std, 1e-300):.3g} spreads away from 0 "
                        f"(threshold {thresholds.INPUT_MEAN_IN_STDS:g})")
    if data.ndim > 2 and data.shape[1] > 1:
        spreads = data.std(axis=_channel_axes(data))
        ratio = spreads.max() / max(spreads.min(), 1e-300)
        if ratio > thresholds.CHANNEL_STD_RATIO:
            problems.append(f"channel spreads from {spreads.min():.3g} (channel "
                            f"{int(spreads.argmin())}) to {spreads.max():.3g} (channel "
                            f"{int(spreads.argmax())}), {ratio:.3g} times apart (threshold "
                            f"{thresholds.CHANNEL_STD_RATIO:g})")
    return problems
