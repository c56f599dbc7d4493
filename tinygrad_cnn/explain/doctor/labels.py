"""The labels against the model's outputs (`label-range`) and how often each class occurs
(`class-imbalance`)."""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding


def classes_of(y: np.ndarray, classes: int) -> tuple[list[Finding], np.ndarray | None]:
    """`label-range`: the class of each sample (N,), or None with an error when the labels are
    not class indices in [0, classes) or one-hot rows of `classes` columns."""
    if y.ndim == 2:
        return _rows(y, classes)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        return [_range_error(f"labels of dtype {y.dtype} and shape {y.shape}",
                             "pass integer class indices (N,) or one-hot rows (N, C): "
                             "y.astype(np.int64)")], None
    low, high = int(y.min()), int(y.max())
    if low >= 0 and high < classes:
        return _unused(y, classes), y.astype(np.int64)
    bad = int(np.argmax((y < 0) | (y >= classes)))
    evidence = (f"label {int(y[bad])} at position {bad}; the labels run from {low} to {high}, "
                f"the model has {classes} outputs (classes 0 to {classes - 1})")
    if low == 1 and high == classes:
        advice = "the labels look 1-based: subtract 1 (y - 1)"
    else:
        advice = (f"give the model {high + 1} outputs (num_classes={high + 1}), or map the "
                  "labels to 0 .. C - 1")
    return [_range_error(evidence, advice)], None


def _rows(y: np.ndarray, classes: int) -> tuple[list[Finding], np.ndarray | None]:
    if y.shape[1] != classes:
        return [_range_error(f"one-hot rows of {y.shape[1]} columns for a model with {classes} "
                             "outputs", f"make the rows {classes} wide, or give the model "
                             f"{y.shape[1]} outputs")], None
    sums = y.sum(axis=1)
    if (y < 0).any() or not np.allclose(sums, 1, atol=thresholds.PROBABILITY_SUM_TOLERANCE):
        return [_range_error(f"rows with values from {y.min():.3g} to {y.max():.3g} summing "
                             f"to {sums.min():.3g} .. {sums.max():.3g}",
                             "rows of targets must be probabilities: non-negative, summing to 1"
                             )], None
    labels = y.argmax(axis=1).astype(np.int64)
    return _unused(labels, classes), labels


def _range_error(evidence: str, advice: str) -> Finding:
    return Finding("label-range", "error", "the labels are not classes of the model's output",
                   evidence, advice)


def _unused(labels: np.ndarray, classes: int) -> list[Finding]:
    present = int((np.bincount(labels, minlength=classes) > 0).sum())
    if present == classes:
        return []
    return [Finding("label-range", "info", f"the labels use {present} of the model's {classes} "
                    "outputs", f"{classes - present} classes have no sample here",
                    "fine for a sample of the data; otherwise give the model as many outputs "
                    "as there are classes")]


def imbalance(labels: np.ndarray, classes: int) -> list[Finding]:
    """`class-imbalance`: a warning when the largest class outnumbers the smallest present
    one by more than `thresholds.IMBALANCE_RATIO`."""
    counts = np.bincount(labels, minlength=classes)
    present = np.flatnonzero(counts)
    if len(present) < 2:
        return []
    largest = int(present[np.argmax(counts[present])])
    smallest = int(present[np.argmin(counts[present])])
    ratio = counts[largest] / counts[smallest]
    if ratio <= thresholds.IMBALANCE_RATIO:
        return []
    share = counts[largest] / len(labels)
    evidence = (f"class {largest} has {counts[largest]:,} samples ({share:.1%}), class "
                f"{smallest} {counts[smallest]:,}: {ratio:.0f} to 1 (threshold "
                f"{thresholds.IMBALANCE_RATIO:g} to 1); always answering {largest} scores "
                f"{share:.1%} accuracy")
    advice = ("oversample the small classes (Buda et al., 2018) or weight the loss "
              "(F.cross_entropy(weight=...)), and judge the model per class (the confusion "
              "matrix), not by accuracy alone")
    return [Finding("class-imbalance", "warning", f"class {largest} dominates the labels",
                    evidence, advice)]
