"""Learning-rate schedulers: sequences by hand and against PyTorch, state round trips, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn
from tinygrad_cnn import Tensor
from tinygrad_cnn.optim import SGD, AdaGrad, Adam
from tinygrad_cnn.optim.lr_scheduler import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)


def sgd(lr=1.0, momentum=0.9, groups=1):
    tensors = [Tensor(np.zeros(2), requires_grad=True) for _ in range(groups)]
    return SGD([{"params": [t], "lr": lr * (i + 1)} for i, t in enumerate(tensors)], lr=lr,
               momentum=momentum)


def lrs(scheduler, n, key="lr"):
    """The first `n` values of `key` in group 0: at construction, then after each step."""
    seen = []
    for i in range(n):
        group = scheduler.optimizer.param_groups[0]
        seen.append(group[key] if key != "beta1" else group["betas"][0])
        if i < n - 1:
            scheduler.optimizer.step()
            scheduler.step()
    return seen


# ---- sequences by hand -----------------------------------------------------------------------


def test_step_lr():
    assert lrs(StepLR(sgd(), step_size=3, gamma=0.5), 8) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_multi_step_lr_counts_repeated_milestones():
    got = lrs(MultiStepLR(sgd(), milestones=[4, 1, 4], gamma=0.1), 6)
    assert got == pytest.approx([1, 0.1, 0.1, 0.1, 0.001, 0.001], rel=1e-12)


def test_exponential_lr():
    assert lrs(ExponentialLR(sgd(), gamma=0.5), 5) == [1, 0.5, 0.25, 0.125, 0.0625]


def test_cosine_annealing_lr_follows_the_closed_form_and_climbs_back():
    got = lrs(CosineAnnealingLR(sgd(lr=1.1), T_max=4, eta_min=0.1), 9)
    r = 2**0.5 / 4  # cos(π/4) / 2
    want = [1.1, 0.6 + r, 0.6, 0.6 - r, 0.1, 0.6 - r, 0.6, 0.6 + r, 1.1]
    assert got == pytest.approx(want, rel=1e-12)


def test_one_cycle_linear_lr_and_momentum():
    # max_lr 1: initial_lr 1/25 = 0.04, min_lr 0.04/1e4 = 4e-6; the peak at step
    # 0.5 · 6 - 1 = 2, then a straight line down to step 5.
    scheduler = OneCycleLR(sgd(), max_lr=1.0, total_steps=6, pct_start=0.5,
                           anneal_strategy="linear")
    got_lr = lrs(scheduler, 6)
    want = [0.04, 0.52, 1.0, 1 - (1 - 4e-6) / 3, 1 - 2 * (1 - 4e-6) / 3, 4e-6]
    assert got_lr == pytest.approx(want, rel=1e-12)
    momenta = lrs(OneCycleLR(sgd(), max_lr=1.0, total_steps=6, pct_start=0.5,
                             anneal_strategy="linear"), 6, key="momentum")
    assert momenta == pytest.approx([0.95, 0.9, 0.85, 0.85 + 0.1 / 3, 0.85 + 0.2 / 3, 0.95])


def test_one_cycle_cos():
    got = lrs(OneCycleLR(sgd(), max_lr=1.0, total_steps=10), 10)
    # the warm-up ends at step 0.3 · 10 - 1 = 2; the cosine then falls over steps 2..9
    warmup = [1 - 0.96 * (1 + math.cos(math.pi * s / 2)) / 2 for s in range(3)]
    anneal = [4e-6 + (1 - 4e-6) * (1 + math.cos(math.pi * (s - 2) / 7)) / 2 for s in range(3, 10)]
    assert got == pytest.approx(warmup + anneal, rel=1e-12)


def test_one_cycle_three_phase():
    scheduler = OneCycleLR(sgd(), max_lr=1.0, epochs=2, steps_per_epoch=5,
                           anneal_strategy="linear", three_phase=True)
    # phases end at steps 2 (up to max_lr), 4 (back to initial_lr) and 9 (down to min_lr)
    down = [0.04 + (4e-6 - 0.04) * k / 5 for k in range(1, 6)]
    assert lrs(scheduler, 10) == pytest.approx([0.04, 0.52, 1.0, 0.52, 0.04, *down], rel=1e-12)


def test_one_cycle_cycles_adam_beta1():
    w = Tensor(np.zeros(2), requires_grad=True)
    opt = Adam([w], betas=(0.9, 0.99))
    got = lrs(OneCycleLR(opt, max_lr=1.0, total_steps=6, pct_start=0.5,
                         anneal_strategy="linear", base_momentum=0.8, max_momentum=0.9), 4,
              key="beta1")
    assert got == pytest.approx([0.9, 0.85, 0.8, 0.8 + 0.1 / 3])
    assert opt.param_groups[0]["betas"][1] == 0.99


def test_one_cycle_without_momentum_cycling_and_per_group_max_lr():
    opt = AdaGrad([{"params": [Tensor(np.zeros(1), requires_grad=True)]},
                   {"params": [Tensor(np.zeros(1), requires_grad=True)]}])
    scheduler = OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=4, cycle_momentum=False)
    assert scheduler.get_last_lr() == pytest.approx([0.04, 0.02])


def test_one_cycle_refuses_to_step_past_the_end():
    scheduler = OneCycleLR(sgd(), max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match=r"OneCycleLR: stepped 4 times but total_steps is 3"):
        scheduler.step()


# ---- how schedulers drive the optimiser --------------------------------------------------------


def test_the_optimiser_uses_the_scheduled_lr():
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = SGD([w], lr=0.5)
    scheduler = StepLR(opt, step_size=1, gamma=0.1)
    for _ in range(2):
        w.grad = Tensor(np.array([1.0]))
        opt.step()
        scheduler.step()
    assert w.data[0] == pytest.approx(1 - 0.5 - 0.05)
    assert scheduler.get_last_lr() == pytest.approx([0.005])
    assert opt.param_groups[0]["initial_lr"] == 0.5


def test_every_group_gets_its_own_lr():
    scheduler = ExponentialLR(sgd(lr=1.0, groups=2), gamma=0.5)
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5, 1.0]
    assert scheduler.base_lrs == [1.0, 2.0]


def test_get_last_lr_is_a_copy():
    scheduler = StepLR(sgd(), step_size=1)
    scheduler.get_last_lr()[0] = 123.0
    assert scheduler.get_last_lr() == [1.0]


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(ValueError, match=r"StepLR: param group 0 has no 'initial_lr' but "
                                         r"last_epoch=3"):
        StepLR(sgd(), step_size=2, last_epoch=3)
    opt = sgd()
    opt.param_groups[0]["initial_lr"] = 4.0
    scheduler = ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert scheduler.last_epoch == 4 and scheduler.base_lrs == [4.0]


# ---- against PyTorch ---------------------------------------------------------------------------


SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.7}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 11], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("OneCycleLR", {"max_lr": [1.0, 0.3], "total_steps": 25}),
    ("OneCycleLR", {"max_lr": 0.5, "epochs": 5, "steps_per_epoch": 5, "pct_start": 0.4,
                    "three_phase": True, "anneal_strategy": "linear", "div_factor": 10.0}),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 6}),
    ("LinearLR", {"start_factor": 0.9, "end_factor": 0.2, "total_iters": 4}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "eta_min": 0.01}),
    ("CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 3}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 4}),
    ("ConstantLR", {}),
    ("PolynomialLR", {"total_iters": 7, "power": 2.0}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 10, "power": 0.5}),
]

# Functions are not arguments pytest can print, so these are built by name.
LAMBDAS = {
    "halving": lambda epoch: 0.5**epoch,
    "warm": lambda epoch: min(1.0, (epoch + 1) / 4),
    "steps": lambda epoch: 0.9 if epoch % 3 else 1.0,
}


def torch_and_ours(name, options, optimizer="SGD", extra=None):
    """Twin optimisers of two groups (lr 0.1 and 0.03), with twin schedulers."""
    torch = torch_module()
    extra = extra if extra is not None else {"momentum": 0.9}
    ours_groups = [{"params": [Tensor(np.zeros(2), requires_grad=True)]},
                   {"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": 0.03}]
    torch_groups = [{"params": [torch.nn.Parameter(torch.zeros(2))]},
                    {"params": [torch.nn.Parameter(torch.zeros(2))], "lr": 0.03}]
    ours_opt = getattr(tinygrad_cnn.optim, optimizer)(ours_groups, lr=0.1, **extra)
    torch_opt = getattr(torch.optim, optimizer)(torch_groups, lr=0.1, **extra)
    ours = getattr(tinygrad_cnn.optim.lr_scheduler, name)(ours_opt, **options)
    theirs = getattr(torch.optim.lr_scheduler, name)(torch_opt, **options)
    return ours, theirs


def trace(scheduler, n):
    """lr, momentum and beta1 of every group, at construction and after each of n - 1 steps."""
    seen = []
    for i in range(n):
        for group in scheduler.optimizer.param_groups:
            seen.append((group["lr"], group.get("momentum"), group.get("betas", (None,))[0]))
        if i < n - 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                scheduler.optimizer.step()
                scheduler.step()
    return seen


@pytest.mark.parametrize(("name", "options"), SCHEDULES)
def test_matches_pytorch_exactly(name, options):
    ours, theirs = torch_and_ours(name, options)
    assert trace(ours, 25) == trace(theirs, 25)


@pytest.mark.parametrize("name", ["LambdaLR", "MultiplicativeLR"])
@pytest.mark.parametrize("factor", sorted(LAMBDAS))
def test_lambda_schedules_match_pytorch_exactly(name, factor):
    ours, theirs = torch_and_ours(name, {"lr_lambda": LAMBDAS[factor]})
    assert trace(ours, 15) == trace(theirs, 15)
    groups = [LAMBDAS[factor], LAMBDAS["halving"]]
    ours, theirs = torch_and_ours(name, {"lr_lambda": groups})
    assert trace(ours, 15) == trace(theirs, 15)


def _build(module, optimizer, spec):
    """A scheduler from a nested spec: (name, options) or ("SequentialLR" | "ChainedScheduler",
    [specs], milestones)."""
    if spec[0] == "SequentialLR":
        return module.SequentialLR(optimizer, [_build(module, optimizer, s) for s in spec[1]],
                                   milestones=spec[2])
    if spec[0] == "ChainedScheduler":
        return module.ChainedScheduler([_build(module, optimizer, s) for s in spec[1]])
    return getattr(module, spec[0])(optimizer, **spec[1])


COMBINED = [
    ("SequentialLR", [("LinearLR", {"start_factor": 0.1, "total_iters": 4}),
                      ("CosineAnnealingLR", {"T_max": 10})], [4]),
    ("SequentialLR", [("ConstantLR", {"factor": 0.5, "total_iters": 3}),
                      ("StepLR", {"step_size": 2, "gamma": 0.5}),
                      ("ExponentialLR", {"gamma": 0.9})], [3, 8]),
    ("SequentialLR", [("LinearLR", {"start_factor": 0.5, "total_iters": 2}),
                      ("MultiStepLR", {"milestones": [2, 4]}),
                      ("PolynomialLR", {"total_iters": 5})], [2, 7]),
    ("SequentialLR", [("ExponentialLR", {"gamma": 0.8}),
                      ("CosineAnnealingWarmRestarts", {"T_0": 3})], [5]),
    ("ChainedScheduler", [("ConstantLR", {"factor": 0.1, "total_iters": 2}),
                          ("ExponentialLR", {"gamma": 0.9})]),
    ("ChainedScheduler", [("LinearLR", {"start_factor": 0.2, "total_iters": 3}),
                          ("StepLR", {"step_size": 2, "gamma": 0.5}),
                          ("PolynomialLR", {"total_iters": 12})]),
    ("SequentialLR", [("ChainedScheduler", [("ConstantLR", {"factor": 0.5, "total_iters": 2}),
                                            ("ExponentialLR", {"gamma": 0.9})]),
                      ("StepLR", {"step_size": 3})], [4]),
]


@pytest.mark.parametrize("spec", COMBINED, ids=lambda spec: "+".join(
    s[0] for s in spec[1]) + f"-{spec[0]}")
def test_combined_schedulers_match_pytorch_exactly(spec):
    torch = torch_module()
    ours_opt, theirs_opt = (s.optimizer for s in torch_and_ours("StepLR", {"step_size": 1}))
    for group in [*ours_opt.param_groups, *theirs_opt.param_groups]:
        group["lr"] = group.pop("initial_lr")  # as if no scheduler had been built on them
    ours = _build(tinygrad_cnn.optim.lr_scheduler, ours_opt, spec)
    theirs = _build(torch.optim.lr_scheduler, theirs_opt, spec)
    assert trace(ours, 20) == trace(theirs, 20)
    assert ours.get_last_lr() == theirs.get_last_lr()


def test_combined_schedulers_refuse_what_pytorch_refuses():
    opt, other = sgd(), sgd()
    step = StepLR(opt, step_size=2)
    with pytest.raises(ValueError, match="SequentialLR: expects one milestone fewer than "
                                         "schedulers, got 1 schedulers and 1 milestones"):
        SequentialLR(opt, [step], milestones=[3])
    with pytest.raises(ValueError, match=r"ChainedScheduler: scheduler 1 \(StepLR\) schedules "
                                         "another optimizer"):
        ChainedScheduler([step, StepLR(other, step_size=2)])
    with pytest.raises(ValueError, match="scheduler 0 is a ReduceLROnPlateau"):
        SequentialLR(opt, [ReduceLROnPlateau(opt)], milestones=[])
    with pytest.raises(ValueError, match="ChainedScheduler: expects at least one scheduler"):
        ChainedScheduler([], opt)
    with pytest.raises(TypeError, match="LambdaLR: lr_lambda must be a function of the epoch"):
        LambdaLR(opt, 0.5)
    with pytest.raises(ValueError, match="LambdaLR: expected 1 lr_lambdas, one per param group"):
        LambdaLR(opt, [abs, abs])
    with pytest.raises(ValueError, match=r"ConstantLR: factor must be in \(0, 1\]"):
        ConstantLR(opt, factor=0.0)


def test_one_cycle_with_adam_matches_pytorch_exactly():
    ours, theirs = torch_and_ours("OneCycleLR", {"max_lr": 0.01, "total_steps": 12}, "Adam", {})
    assert trace(ours, 12) == trace(theirs, 12)


def test_chained_schedulers_match_pytorch_exactly():
    torch = torch_module()
    ours, theirs = torch_and_ours("StepLR", {"step_size": 2, "gamma": 0.5})
    ours_exp = ExponentialLR(ours.optimizer, gamma=0.9)
    theirs_exp = torch.optim.lr_scheduler.ExponentialLR(theirs.optimizer, gamma=0.9)
    seen_ours, seen_theirs = [], []
    for _ in range(10):
        ours.optimizer.step()
        theirs.optimizer.step()
        for a, b in ((ours, theirs), (ours_exp, theirs_exp)):
            a.step()
            b.step()
        seen_ours.append(ours_exp.get_last_lr())
        seen_theirs.append(theirs_exp.get_last_lr())
    assert seen_ours == seen_theirs


# ---- state_dict ----------------------------------------------------------------------------------


def make(name, options):
    opt = SGD([{"params": [Tensor(np.zeros(2), requires_grad=True)]},
               {"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": 0.03}],
              lr=0.1, momentum=0.9)
    return getattr(tinygrad_cnn.optim.lr_scheduler, name)(opt, **options)


@pytest.mark.parametrize("through_npz", [False, True])
@pytest.mark.parametrize(("name", "options"), SCHEDULES)
def test_state_dict_round_trip_continues_the_schedule(name, options, through_npz, tmp_path):
    straight = make(name, options)
    want = trace(straight, 12)[-7 * 2:]

    first = make(name, options)
    trace(first, 6)
    saved = {"optimizer": first.optimizer.state_dict(), "scheduler": first.state_dict()}
    if through_npz:
        tinygrad_cnn.save(saved, tmp_path / "checkpoint.npz")
        saved = tinygrad_cnn.load(tmp_path / "checkpoint.npz")
    resumed = make(name, options)  # build the scheduler first: construction overwrites the lrs
    resumed.optimizer.load_state_dict(saved["optimizer"])
    resumed.load_state_dict(saved["scheduler"])
    assert trace(resumed, 7) == want


class Decay:
    """A callable object: its attributes are state, which a state_dict keeps (as PyTorch's)."""

    def __init__(self):
        self.rate = 0.5

    def __call__(self, epoch):
        return self.rate**epoch


@pytest.mark.parametrize("through_npz", [False, True])
@pytest.mark.parametrize("spec", [COMBINED[1], COMBINED[4], COMBINED[6]], ids=str)
def test_combined_and_lambda_states_round_trip(spec, through_npz, tmp_path):
    def build():
        opt = SGD([Tensor(np.zeros(2), requires_grad=True)], lr=0.1, momentum=0.9)
        return _build(tinygrad_cnn.optim.lr_scheduler, opt, spec)

    want = trace(build(), 14)[-6:]
    first = build()
    trace(first, 9)
    saved = {"optimizer": first.optimizer.state_dict(), "scheduler": first.state_dict()}
    if through_npz:
        tinygrad_cnn.save(saved, tmp_path / "checkpoint.npz")
        saved = tinygrad_cnn.load(tmp_path / "checkpoint.npz")
    resumed = build()
    resumed.optimizer.load_state_dict(saved["optimizer"])
    resumed.load_state_dict(saved["scheduler"])
    assert trace(resumed, 6) == want


def test_lambda_state_keeps_callable_objects_attributes_not_functions():
    decay = Decay()
    opt = sgd(groups=2)
    scheduler = LambdaLR(opt, [decay, lambda epoch: 1.0])
    decay.rate = 0.25
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.25}, None]
    fresh = Decay()
    LambdaLR(opt, [fresh, abs]).load_state_dict(saved)
    assert fresh.rate == 0.25


def test_state_dict_is_plain_and_excludes_the_optimiser():
    saved = make("MultiStepLR", {"milestones": [5, 2, 11, 5]}).state_dict()
    assert "optimizer" not in saved
    assert saved["last_epoch"] == 0 and saved["milestones"] == [2, 5, 5, 11]


def test_load_state_dict_refuses_unknown_keys():
    scheduler = make("StepLR", {"step_size": 3})
    with pytest.raises(ValueError, match=r"StepLR.load_state_dict: unknown keys T_max"):
        scheduler.load_state_dict({"last_epoch": 3, "T_max": 4})


def test_load_state_dict_takes_arrays_as_after_npz():
    scheduler = make("StepLR", {"step_size": 3})
    scheduler.load_state_dict({"last_epoch": np.array(5), "base_lrs": np.array([0.2, 0.06])})
    assert scheduler.last_epoch == 5 and isinstance(scheduler.last_epoch, int)
    assert scheduler.base_lrs == [0.2, 0.06]


# ---- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "pattern"),
    [
        (lambda opt: StepLR(object(), step_size=1), TypeError, r"StepLR: object is not an Optim"),
        (lambda opt: StepLR(opt, step_size=0), ValueError,
         r"StepLR: step_size must be a positive int, got 0"),
        (lambda opt: StepLR(opt, step_size=1.5), TypeError,
         r"StepLR: step_size must be a positive int, got 1\.5"),
        (lambda opt: MultiStepLR(opt, milestones=[3, -1]), ValueError,
         r"MultiStepLR: milestone must be a non-negative int, got -1"),
        (lambda opt: MultiStepLR(opt, milestones=[2.5]), TypeError,
         r"MultiStepLR: milestone must be a non-negative int, got 2\.5"),
        (lambda opt: CosineAnnealingLR(opt, T_max=0), ValueError,
         r"CosineAnnealingLR: T_max must be a positive int, got 0"),
        (lambda opt: OneCycleLR(object(), max_lr=1.0, total_steps=3), TypeError,
         r"OneCycleLR: object is not an Optimizer"),
        (lambda opt: OneCycleLR(opt, max_lr=1.0), ValueError,
         r"OneCycleLR: give total_steps, or both epochs and steps_per_epoch"),
        (lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=0), ValueError,
         r"OneCycleLR: total_steps must be a positive int, got 0"),
        (lambda opt: OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=-1), ValueError,
         r"OneCycleLR: steps_per_epoch must be a positive int, got -1"),
        (lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=5, pct_start=1.5), ValueError,
         r"OneCycleLR: invalid pct_start=1\.5"),
        (lambda opt: OneCycleLR(opt, max_lr=1.0, total_steps=5, anneal_strategy="exp"),
         ValueError, r"OneCycleLR: invalid anneal_strategy='exp'"),
        (lambda opt: OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=5), ValueError,
         r"OneCycleLR: max_lr has 2 values but the optimizer has 1 param groups"),
        (lambda opt: OneCycleLR(AdaGrad(opt.param_groups[0]["params"]), max_lr=1.0,
                                total_steps=5), ValueError,
         r"OneCycleLR: cycle_momentum=True but AdaGrad has neither momentum nor betas"),
    ],
)
def test_invalid_arguments(build, error, pattern):
    with pytest.raises(error, match=rf"^{pattern}"):
        build(sgd())


def test_base_needs_get_lr():
    with pytest.raises(NotImplementedError):
        LRScheduler(sgd())
