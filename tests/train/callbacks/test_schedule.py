"""LRScheduler: every scheduler we have, stepped per epoch and per batch by fit, gives the
rates the same scheduler gives stepped by hand; ReduceLROnPlateau reads the monitored value."""

import numpy as np
import pytest
from scripted import Scripted
from training_runs import blobs, make_classifier

from tinygrad_cnn import Tensor, optim
from tinygrad_cnn.optim import lr_scheduler
from tinygrad_cnn.train.callbacks import LambdaCallback, LRScheduler

EPOCHS, BATCHES = 5, 8  # make_classifier's 240 blobs in batches of 32

SCHEDULERS = {
    "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
    "MultiStepLR": lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[1, 3], gamma=0.5),
    "ExponentialLR": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=7),
    "OneCycleLR": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1,
                                                      total_steps=EPOCHS * BATCHES),
    "LinearLR": lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3),
    "CosineAnnealingWarmRestarts": lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=3, T_mult=2),
    "LambdaLR": lambda opt: lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 0.9**epoch),
    "MultiplicativeLR": lambda opt: lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.95),
    "ConstantLR": lambda opt: lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3),
    "PolynomialLR": lambda opt: lr_scheduler.PolynomialLR(opt, total_iters=6, power=2.0),
    "SequentialLR": lambda opt: lr_scheduler.SequentialLR(
        opt, [lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
              lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[2]),
    "ChainedScheduler": lambda opt: lr_scheduler.ChainedScheduler(
        [lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2),
         lr_scheduler.ExponentialLR(opt, gamma=0.9)]),
}


def test_every_scheduler_has_a_case():
    every = set(lr_scheduler.__all__) - {"LRScheduler", "ReduceLROnPlateau"}
    assert set(SCHEDULERS) == every


def by_hand(name, steps):
    """The rate before each of `steps` steps, from the scheduler stepped in a plain loop."""
    opt = optim.SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.05, momentum=0.9)
    scheduler, rates = SCHEDULERS[name](opt), []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


def rates_in_fit(name, interval):
    """The rate of each step of a 5-epoch fit with the scheduler as a callback, and History.lr."""
    clf = make_classifier(epochs=EPOCHS)
    rates = []
    keep = LambdaCallback(on_batch_end=lambda c, e, b, logs: rates.append(logs["lr"]))
    scheduler = LRScheduler(SCHEDULERS[name](clf.optimizer), interval=interval)
    history = clf.fit(*blobs(), callbacks=[scheduler, keep])
    return rates, history.lr


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_per_batch_steps_are_the_schedulers_own(name):
    rates, lrs = rates_in_fit(name, "batch")
    assert rates == by_hand(name, EPOCHS * BATCHES)
    assert lrs == rates[BATCHES - 1 :: BATCHES]  # each epoch's last step


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_per_epoch_steps_are_the_schedulers_own(name):
    rates, lrs = rates_in_fit(name, "epoch")
    assert lrs == by_hand(name, EPOCHS)
    assert rates == [lr for lr in lrs for _ in range(BATCHES)]


def test_one_cycle_per_batch_ends_near_zero():
    _, lrs = rates_in_fit("OneCycleLR", "batch")
    assert max(lrs) <= 0.1 and lrs[-1] == pytest.approx(0.1 / 25 / 1e4)


def test_reduce_on_plateau_reads_the_monitored_value():
    clf = make_classifier(epochs=6)
    plateau = lr_scheduler.ReduceLROnPlateau(clf.optimizer, factor=0.5, patience=1)
    history = clf.fit(*blobs(), validation_split=0.25, callbacks=[
        Scripted("val_loss", [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]), LRScheduler(plateau)])
    # epoch 2 is the best; 3 and 4 do not beat it, more than patience=1: halved from epoch 5
    assert history.lr == [0.05] * 4 + [0.025] * 2


def test_reduce_on_plateau_can_watch_the_training_loss():
    clf = make_classifier(epochs=4)
    plateau = lr_scheduler.ReduceLROnPlateau(clf.optimizer, factor=0.5, patience=0)
    history = clf.fit(*blobs(), callbacks=[Scripted("loss", [1.0] * 4),
                                           LRScheduler(plateau, monitor="loss")])
    assert history.lr == [0.05, 0.05, 0.025, 0.0125]
    clf = make_classifier()
    with pytest.raises(ValueError, match="LRScheduler: monitor='val_loss' is not logged"):
        clf.fit(*blobs(), callbacks=[LRScheduler(lr_scheduler.ReduceLROnPlateau(clf.optimizer))])


def test_what_cannot_work_is_refused_before_training():
    clf = make_classifier(epochs=EPOCHS)
    short = lr_scheduler.OneCycleLR(clf.optimizer, max_lr=0.1, total_steps=EPOCHS * BATCHES - 1)
    with pytest.raises(ValueError, match=r"OneCycleLR has total_steps=39 and has taken 0, but "
                       r"this run steps it 40 times \(5 epochs of 8 batches\)"):
        clf.fit(*blobs(), callbacks=[LRScheduler(short, interval="batch")])
    other = make_classifier().optimizer
    with pytest.raises(ValueError, match="StepLR schedules another optimiser"):
        clf.fit(*blobs(), callbacks=[LRScheduler(lr_scheduler.StepLR(other, 1))])
    assert clf.history.loss == []


def test_bad_arguments_are_refused():
    opt = make_classifier().optimizer
    with pytest.raises(TypeError, match="LRScheduler: scheduler must be one of"):
        LRScheduler(lambda epoch: 0.1)
    with pytest.raises(ValueError, match="interval must be 'epoch' or 'batch', got 'step'"):
        LRScheduler(lr_scheduler.StepLR(opt, 1), interval="step")
    with pytest.raises(ValueError, match="ReduceLROnPlateau steps on an epoch's"):
        LRScheduler(lr_scheduler.ReduceLROnPlateau(opt), interval="batch")
