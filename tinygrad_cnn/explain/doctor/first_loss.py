"""The first loss: NaN or inf (`nonfinite-loss`), or far above ln(C), the loss of a fresh
classifier that knows nothing yet (`loss-at-init`)."""

from __future__ import annotations

import math

import numpy as np

from tinygrad_cnn.autograd import Context, detect_anomaly
from tinygrad_cnn.explain.doctor import outputs, thresholds
from tinygrad_cnn.explain.doctor.findings import Finding
from tinygrad_cnn.explain.doctor.trial import Trial
from tinygrad_cnn.tensor import Tensor


def nonfinite(loss: float, trial: Trial, x: np.ndarray, y: np.ndarray,
              explained: bool) -> list[Finding]:
    """`nonfinite-loss`: the batch is run again under `detect_anomaly`, which names the first
    op, and its module, whose result held NaN or inf. `explained` says another finding gives
    the cause."""
    if math.isfinite(loss):
        return []
    try:
        with detect_anomaly():
            trial.loss(x, y)
        culprit = "detect_anomaly finds no op that made it"
    except FloatingPointError as error:
        culprit = str(error).removeprefix("detect_anomaly: ")
    evidence = f"the loss of the first batch is {loss}; the first NaN or inf: {culprit}"
    advice = ("see outputs-not-probabilities above" if explained else
              "run one batch under tinygrad_cnn.detect_anomaly() to see where it starts; check "
              "the inputs and the initial weights for NaN or huge values")
    return [Finding("nonfinite-loss", "error", "the loss is not finite from the first batch",
                    evidence, advice)]


def at_init(loss: float, output: Tensor, ops: list[Context]) -> list[Finding]:
    """`loss-at-init`: for a log loss on a softmax of the scores (cross-entropy, or a log of
    probability outputs), the first loss against ln(C)."""
    scores = output.data
    if scores.ndim != 2 or not math.isfinite(loss) or not _log_loss(output, ops):
        return []
    classes = scores.shape[1]
    expected = math.log(classes)
    if loss <= expected + thresholds.LOSS_AT_INIT_EXCESS:
        return []
    spread = float(scores.std(axis=1).mean())
    excess = thresholds.LOSS_AT_INIT_EXCESS
    evidence = (f"the first loss is {loss:.4g}; a fresh classifier of {classes} classes starts "
                f"near ln({classes}) = {expected:.3f} (threshold +{excess:g}); its scores "
                f"spread {spread:.3g} across the classes of a sample, where a few tenths would "
                "give ln(C)")
    advice = ("the scores are too large at the start: standardise the inputs, and check the "
              "initialisation (PyTorch's default or He's scale; a last layer initialised near "
              "zero starts at ln(C) exactly). A model already trained starts lower, which is fine")
    return [Finding("loss-at-init", "warning", "the first loss is far above ln(C)", evidence,
                    advice)]


def _log_loss(output: Tensor, ops: list[Context]) -> bool:
    if outputs.applies_softmax(ops, output):
        return not outputs.are_probabilities(output.data)
    return bool(outputs.takes_log(ops, output)) and outputs.are_probabilities(output.data)
