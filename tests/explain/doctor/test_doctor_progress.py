"""The checks read from the recorded steps: the gradient across depth, the loss over the first
steps, the size of the updates, and overfitting one batch."""

import math

import pytest

from tinygrad_cnn import nn
from tinygrad_cnn.explain.doctor import gradients, overfit, progress, thresholds
from tinygrad_cnn.explain.doctor.record import Layer, Record
from tinygrad_cnn.nn import functional as F


def layers(norms=(), ratios=()):
    """A Record whose layers have these first-step gradient norms and per-step update ratios."""
    count = len(norms) or len(ratios[0])
    return Record(layers={f"layer{i}": Layer(
        gradient_norms=[norms[i]] if norms else [],
        update_ratios=[step[i] for step in ratios]) for i in range(count)})


@pytest.mark.parametrize("norms, code", [
    ((1e-5, 1e-3, 0.1), "vanishing-gradients"),
    ((0.0, 0.0, 0.1), "vanishing-gradients"),
    ((5e3, 50.0, 1.0), "exploding-gradients"),
    ((0.004, 0.02, 0.12), None),  # LeNet-5 at initialisation: the first gets 1/30
    ((0.3, 0.05, 0.24), None),
])
def test_the_gradient_across_depth(norms, code):
    found = gradients.check(layers(norms))
    assert [f.code for f in found] == ([code] if code else [])
    if norms[0] == 0:
        assert "receives none of the last's" in found[0].evidence


def test_a_loss_that_is_not_finite_or_grows_fourfold_diverges():
    (nan,) = progress.diverges(Record(losses=[2.3, 5.0, math.nan]), "SGD(lr=10)")
    assert "from 2.3 to nan at step 2" in nan.evidence and nan.severity == "error"
    (rise,) = progress.diverges(Record(losses=[2.3, 387.0, 13.0, 2.4]), "Adam(lr=0.1)")
    assert "rose from 2.3 to 387 at step 1, 168 times the first" in rise.evidence
    assert progress.diverges(Record(losses=[2.5, 3.1, 2.0, 9.9]), "SGD") == []


def test_updates_far_above_the_guide_are_a_warning():
    (high,) = progress.update_ratio(layers(ratios=[(0.01, 0.02, 0.01), (0.9, 2.5, 1.5)]))
    assert "at step 1 the median layer moved 1.5 of its weight (layer1: 2.5)" in high.evidence


def test_updates_far_below_the_guide_are_a_warning():
    (low,) = progress.update_ratio(layers(ratios=[(1e-7, 2e-7, 1e-7)] * 3))
    assert "barely" in low.title and "moves 1e-07 of its weight" in low.evidence
    assert progress.update_ratio(layers(ratios=[(0.01, 0.005, 0.02)] * 3)) == []


class Scripted:
    """Stands in for a Trial: its steps return the losses it was given."""

    def __init__(self, losses):
        self.losses = iter(losses)

    def step(self, x, y):
        return next(self.losses)


def test_overfitting_stops_at_the_goal():
    assert overfit.overfit(Scripted([2.0, 1.0, 0.19, 0.1]), None, None, 60) == [2.0, 1.0, 0.19]
    assert overfit.check([2.0, 1.0, 0.19], 16) == []


def test_a_batch_that_is_not_memorised_is_an_error():
    losses = overfit.overfit(Scripted([2.0] * 10), None, None, 5)
    (error,) = overfit.check(losses, 16)
    assert len(losses) == 5 and error.code == "cannot-overfit"
    assert "5 steps of Adam(lr=0.01) on the same 16 samples, dropout off" in error.evidence
    (nan,) = overfit.check(overfit.overfit(Scripted([2.0, math.nan]), None, None, 5), 8)
    assert "to nan at step 1" in nan.evidence


def test_the_memoriser_trains_a_copy_with_adam_and_no_dropout():
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 3))
    trial = overfit.memoriser("test", model, F.cross_entropy)
    assert type(trial.optimizer).__name__ == "Adam"
    assert trial.optimizer.param_groups[0]["lr"] == thresholds.OVERFIT_LR
    assert not trial.model[1].training and trial.model[0].training
    assert model[1].training  # the user's model is not touched
