"""What the loss does with the model's output, read from the graph it records: a log of raw
scores (`outputs-not-probabilities`) and a second softmax (`softmax-before-loss`)."""

import math

import numpy as np
import pytest

from tinygrad_cnn import Tensor
from tinygrad_cnn.explain.doctor import first_loss, outputs
from tinygrad_cnn.explain.doctor.graph import recorded_ops
from tinygrad_cnn.nn import functional as F

TARGET = np.array([0, 2, 1, 2])
SCORES = np.array([[1.5, -0.3, 0.2], [0.1, 0.4, -2.0], [-0.5, 0.9, 0.3], [2.0, 0.0, 1.0]])


def read(loss_fn, scores=SCORES):
    output = Tensor(scores, requires_grad=True)
    with np.errstate(all="ignore"):  # the log of a negative score
        loss = loss_fn(output, TARGET)
    return output, recorded_ops(loss), float(loss.item())


LOGS_OF_THE_OUTPUT = {
    "the course's: log of the picked scores": lambda s, t: -s[np.arange(4), t].log().mean(),
    "log of the clamped scores": lambda s, t: -s.clip(1e-7, 1.0)[np.arange(4), t].log().mean(),
    "log of the scores plus an epsilon": lambda s, t: -(s + 1e-8).log()[np.arange(4), t].mean(),
}


@pytest.mark.parametrize("name", list(LOGS_OF_THE_OUTPUT))
def test_a_log_of_raw_scores_is_an_error(name):
    output, ops, value = read(LOGS_OF_THE_OUTPUT[name])
    assert outputs.takes_log(ops, output)
    (report,) = outputs.check(output, ops, value)
    assert report.code == "outputs-not-probabilities" and report.severity == "error"
    assert "4 of 12 zero or negative" in report.evidence
    if not math.isfinite(value):
        assert "the first loss is nan" in report.evidence


def test_a_log_of_a_softmax_written_by_hand_is_not_a_log_of_the_output():
    def by_hand(s, t):
        e = s.exp()
        return -(e / e.sum(dim=1, keepdim=True))[np.arange(4), t].log().mean()

    output, ops, value = read(by_hand)
    assert outputs.takes_log(ops, output) == []
    assert outputs.applies_softmax(ops, output)  # the exp
    assert outputs.check(output, ops, value) == []


def test_the_course_loss_on_probabilities_is_healthy():
    probabilities = F.softmax(Tensor(SCORES), dim=1).data
    output, ops, value = read(LOGS_OF_THE_OUTPUT["the course's: log of the picked scores"],
                              probabilities)
    assert outputs.check(output, ops, value) == []
    assert first_loss.at_init(value, output, ops) == []  # near ln(3): a log loss of its own


@pytest.mark.parametrize("loss", [F.cross_entropy,
                                  lambda s, t: F.nll_loss(F.log_softmax(s, dim=1), t)])
def test_probabilities_into_a_loss_with_its_own_softmax_are_a_warning(loss):
    probabilities = F.softmax(Tensor(SCORES), dim=1).data
    output, ops, value = read(loss, probabilities)
    (report,) = outputs.check(output, ops, value)
    assert report.code == "softmax-before-loss" and report.severity == "warning"
    # the best the loss can do with perfect one-hot probabilities: -log(e / (e + 2))
    assert f"cannot fall below {math.log(1 + 2 / math.e):.3f} for 3 classes" in report.evidence


def test_raw_scores_into_cross_entropy_are_healthy():
    output, ops, value = read(F.cross_entropy)
    assert outputs.check(output, ops, value) == []
    assert first_loss.at_init(value, output, ops) == []


def test_a_first_loss_far_above_ln_c_is_a_warning():
    output, ops, value = read(F.cross_entropy, 30 * SCORES)
    (report,) = first_loss.at_init(value, output, ops)
    assert report.code == "loss-at-init"
    assert "near ln(3) = 1.099" in report.evidence
