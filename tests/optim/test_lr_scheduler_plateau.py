"""ReduceLROnPlateau against PyTorch, warm restarts stepped by fractional epochs, warm-up into
cosine annealing, and the new schedulers' refusals."""

from __future__ import annotations

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn
from tinygrad_cnn import Tensor
from tinygrad_cnn.optim import SGD
from tinygrad_cnn.optim.lr_scheduler import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    LinearLR,
    ReduceLROnPlateau,
)

# a noisy loss that improves, stalls and improves again
METRICS = [5.0, 4.0, 4.0, 3.9996, 4.1, 4.0, 3.99, 3.0, 3.0, 3.0, 3.0, 3.0, 2.9, 2.9, 2.9, 2.9,
           2.9, 2.9, 2.8, 2.8]


def _twins(**options):
    torch = torch_module()
    ours_opt = SGD([{"params": [Tensor(np.zeros(2), requires_grad=True)]},
                    {"params": [Tensor(np.zeros(2), requires_grad=True)], "lr": 0.03}], lr=0.1)
    theirs_opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(2))]},
                                  {"params": [torch.nn.Parameter(torch.zeros(2))], "lr": 0.03}],
                                 lr=0.1)
    return (ReduceLROnPlateau(ours_opt, **options),
            torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **options))


@pytest.mark.parametrize("options", [
    {"patience": 2}, {"patience": 1, "factor": 0.5, "cooldown": 2},
    {"mode": "max", "patience": 0}, {"threshold_mode": "abs", "threshold": 0.05, "patience": 1},
    {"patience": 0, "factor": 0.2, "min_lr": [0.01, 0.001]}, {"patience": 0, "eps": 0.05},
])
def test_reduce_on_plateau_matches_pytorch(options):
    ours, theirs = _twins(**options)
    for value in METRICS:
        ours.step(value)
        theirs.step(value)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert (ours.best, ours.num_bad_epochs) == (theirs.best, theirs.num_bad_epochs)


def test_reduce_on_plateau_takes_a_tensor_and_round_trips_its_state(tmp_path):
    opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0)
    scheduler = ReduceLROnPlateau(opt, patience=0, factor=0.5)
    for value in (2.0, 2.0, 2.0):
        scheduler.step(Tensor(np.array(value)))
    tinygrad_cnn.save(scheduler.state_dict(), tmp_path / "s.npz")
    resumed = ReduceLROnPlateau(SGD([Tensor(np.zeros(1), requires_grad=True)], lr=1.0))
    resumed.load_state_dict(tinygrad_cnn.load(tmp_path / "s.npz"))
    assert resumed.get_last_lr() == scheduler.get_last_lr() == [0.25]
    assert resumed.patience == 0 and resumed.best == 2.0


def test_warm_restarts_at_fractional_epochs_match_pytorch():
    torch = torch_module()
    ours_opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.5)
    theirs_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    ours = CosineAnnealingWarmRestarts(ours_opt, T_0=2, T_mult=2, eta_min=0.01)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs_opt, T_0=2, T_mult=2,
                                                                  eta_min=0.01)
    for epoch in np.arange(0, 14, 0.25):
        ours.step(float(epoch))
        theirs.step(float(epoch))
        assert ours.get_last_lr() == theirs.get_last_lr()


def test_warm_up_then_cosine_is_one_smooth_schedule():
    # the example's recipe: LinearLR per batch for the first W steps, then a cosine built at W
    opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    warmup = LinearLR(opt, start_factor=0.1, total_iters=4)
    lrs = []
    for _ in range(4):
        lrs.append(opt.param_groups[0]["lr"])
        warmup.step()
    cosine = CosineAnnealingLR(opt, T_max=6)
    for _ in range(6):
        lrs.append(opt.param_groups[0]["lr"])
        cosine.step()
    assert lrs[:5] == pytest.approx([0.01, 0.0325, 0.055, 0.0775, 0.1])
    assert lrs[5:] == pytest.approx([0.1 * (1 + np.cos(np.pi * t / 6)) / 2 for t in range(1, 6)])


def test_new_schedulers_refuse_bad_arguments():
    opt = SGD([Tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"LinearLR: start_factor must be in \(0, 1\], got 0"):
        LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match=r"LinearLR: total_iters must be a positive int, got 0"):
        LinearLR(opt, total_iters=0)
    with pytest.raises(ValueError,
                       match=r"CosineAnnealingWarmRestarts: T_mult must be a positive int, got 0"):
        CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=0)
    with pytest.raises(ValueError, match="expected a non-negative epoch"):
        CosineAnnealingWarmRestarts(opt, T_0=3).step(-1)
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau: factor must be below 1\.0"):
        ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: mode must be 'min' or 'max'"):
        ReduceLROnPlateau(opt, mode="lowest")
    with pytest.raises(ValueError, match="min_lr has 2 values but the optimizer has 1"):
        ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
