"""RMSprop: the update rule against the formula written out, against PyTorch, and validation."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_cnn import Tensor
from tinygrad_cnn.optim import RMSprop


def reference_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                      momentum=0.0, centered=False, maximize=False):
    """PyTorch's RMSprop, one parameter, float64: the parameter after each step."""
    theta = theta.astype(np.float64)
    v = mean = buf = np.zeros_like(theta)
    history = []
    for g in grads:
        g = (-g if maximize else g) + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        mean = alpha * mean + (1 - alpha) * g
        denom = np.sqrt(v - mean**2 if centered else v) + eps  # centred: sqrt of a variance
        if momentum > 0:
            buf = momentum * buf + g / denom
            theta = theta - lr * buf
        else:
            theta = theta - lr * g / denom
        history.append(theta)
    return history


OPTIONS = [
    {"lr": 0.01},
    {"lr": 0.01, "alpha": 0.5, "eps": 1e-4},
    {"lr": 0.01, "momentum": 0.9},
    {"lr": 0.01, "centered": True},
    {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
    {"lr": 0.02, "alpha": 0.9, "weight_decay": 0.3, "maximize": True},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_matches_formula(options, problem, ours):
    inits, grads = problem(steps=6)
    history = ours(RMSprop, inits, grads, **options)
    for i, init in enumerate(inits):
        expected = reference_rmsprop(init, [step[i] for step in grads], **options)
        for step, want in enumerate(expected):
            np.testing.assert_allclose(history[step][i], want, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", OPTIONS)
def test_matches_pytorch(options, dtype, problem, ours, torch_run, close):
    inits, grads = problem(steps=6, dtype=dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    close(ours(RMSprop, inits, grads, **options), torch_run("RMSprop", inits, grads, **options),
          tol, tol)


def test_worked_example():
    # alpha 0.75, g = 2: v = 0.25 · 4 = 1, so the first step is lr · 2 / 1 = 0.2 for lr 0.1.
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = RMSprop([w], lr=0.1, alpha=0.75, eps=0.0)
    w.grad = Tensor(np.array([2.0]))
    opt.step()
    assert w.data[0] == pytest.approx(0.8)
    assert sorted(opt.state[0]) == ["square_avg", "step"]


def test_turning_momentum_on_mid_run_starts_a_zero_buffer():
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = RMSprop([w], lr=0.1, alpha=0.75, eps=0.0)
    w.grad = Tensor(np.array([2.0]))
    opt.step()
    opt.param_groups[0]["momentum"] = 0.9
    opt.step()
    # v = 0.75 · 1 + 0.25 · 4 = 1.75; buf = 0 · 0.9 + 2 / sqrt(1.75)
    assert opt.state[0]["momentum_buffer"][0] == pytest.approx(2 / np.sqrt(1.75))


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"lr": -0.01}, r"invalid lr=-0\.01"),
        ({"alpha": -0.1}, r"invalid alpha=-0\.1"),
        ({"alpha": 1.5}, r"invalid alpha=1\.5"),
        ({"eps": -1.0}, r"invalid eps=-1\.0"),
        ({"weight_decay": -1e-2}, r"invalid weight_decay=-0\.01"),
        ({"momentum": -0.9}, r"invalid momentum=-0\.9"),
    ],
)
def test_invalid_options(options, pattern):
    with pytest.raises(ValueError, match=rf"^RMSprop: {pattern}"):
        RMSprop([Tensor(np.ones(2), requires_grad=True)], **options)
