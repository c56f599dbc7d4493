"""The model's output against what the loss does with it: the log of raw scores
(`outputs-not-probabilities`, the course's NaN) and a second softmax (`softmax-before-loss`)."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_cnn.autograd import Context
from tinygrad_cnn.explain.doctor import thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.graph import applied_to, where
from tinygrad_cnn.ops.elementwise import Exp, Log
from tinygrad_cnn.ops.softmax import LogSoftmax, Softmax, SoftmaxCrossEntropy
from tinygrad_cnn.tensor import Tensor

SOFTMAX = (LogSoftmax, Softmax, SoftmaxCrossEntropy, Exp)


def are_probabilities(scores: np.ndarray) -> bool:
    """Whether every row of `scores` (N, C) is a probability distribution."""
    if not np.isfinite(scores).all() or scores.min() < 0 or scores.max() > 1:
        return False
    return bool(np.allclose(scores.sum(axis=1), 1, atol=thresholds.PROBABILITY_SUM_TOLERANCE))


def takes_log(ops: list[Context], output: Tensor) -> list[Context]:
    """The log ops of the loss applied to the model's output itself."""
    return applied_to(ops, output, (Log,))


def applies_softmax(ops: list[Context], output: Tensor) -> list[Context]:
    """The softmax ops (log-softmax, the fused cross-entropy, or an exp by hand) of the loss
    applied to the model's output."""
    return applied_to(ops, output, SOFTMAX)


def check(output: Tensor, ops: list[Context], loss: float) -> list[Finding]:
    """Both checks, from the first step's output and the ops its loss recorded."""
    scores = output.data
    probabilities = are_probabilities(scores)
    logs, softmaxes = takes_log(ops, output), applies_softmax(ops, output)
    if logs and not probabilities:
        return [_raw_scores(scores, logs[0], loss)]
    if probabilities and softmaxes:
        return [_second_softmax(output, softmaxes[0])]
    return []


def _raw_scores(scores: np.ndarray, log: Context, loss: float) -> Finding:
    finite = scores[np.isfinite(scores)]
    negative = int((finite <= 0).sum())
    sums = scores.sum(axis=1)
    evidence = (f"the loss takes the log of the model's output (log in {where(log)}), but the "
                f"output holds raw scores: from {finite.min():.3g} to {finite.max():.3g}, "
                f"{negative:,} of {scores.size:,} zero or negative, rows summing to "
                f"{sums.min():.3g} .. {sums.max():.3g}")
    if not math.isfinite(loss):
        evidence += f"; the log of a negative score is NaN, and the first loss is {loss}"
    advice = ("keep the raw scores and use cross-entropy (loss='cross_entropy', "
              "F.cross_entropy), which takes log-softmax itself, stably; or end the model with "
              "Softmax and keep this loss (less stable: a probability that underflows to 0 "
              "gives log(0) = -inf)")
    return Finding("outputs-not-probabilities", "error", "the loss takes the log of raw scores",
                   evidence, advice)


def _second_softmax(output: Tensor, softmax: Context) -> Finding:
    classes = output.shape[1]
    # Perfect one-hot probabilities p give log-softmax(p)[true] = -log(1 + (C - 1) / e).
    floor = math.log(1 + (classes - 1) / math.e)
    last = output.grad_fn
    ends = (f": the model ends in softmax ({where(last)})" if last is not None
            and issubclass(last.op, Softmax) else "")
    evidence = (f"every row of the output is a probability distribution (values in [0, 1] "
                f"summing to 1){ends}; the loss applies softmax again ({softmax.name} in "
                f"{where(softmax)}), so the scores it sees differ by at most 1 and the loss "
                f"cannot fall below {floor:.3f} for {classes} classes, however right the model")
    advice = ("remove the model's final Softmax: cross-entropy takes raw scores (logits); "
              "predict_proba applies the softmax when you need probabilities")
    return Finding("softmax-before-loss", "warning", "probabilities are fed to a loss that "
                   "applies its own softmax", evidence, advice)
