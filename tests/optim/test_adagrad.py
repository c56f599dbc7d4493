"""AdaGrad: the update rule against the formula written out, against PyTorch, and validation."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_cnn import Tensor
from tinygrad_cnn.optim import AdaGrad, Adagrad


def reference_adagrad(theta, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                      initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    """PyTorch's Adagrad, one parameter, float64: the parameter after each step."""
    theta = theta.astype(np.float64)
    total = np.full_like(theta, initial_accumulator_value)
    history = []
    for t, g in enumerate(grads, start=1):
        g = (-g if maximize else g) + weight_decay * theta
        total = total + g**2
        lr_t = lr / (1 + (t - 1) * lr_decay)
        theta = theta - lr_t * g / (np.sqrt(total) + eps)
        history.append(theta)
    return history


OPTIONS = [
    {"lr": 0.1},
    {"lr": 0.1, "lr_decay": 0.5},
    {"lr": 0.1, "weight_decay": 0.2, "initial_accumulator_value": 0.5},
    {"lr": 0.3, "eps": 1e-3, "maximize": True},
    {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 1.0,
     "maximize": True},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_matches_formula(options, problem, ours):
    inits, grads = problem(steps=6)
    history = ours(AdaGrad, inits, grads, **options)
    for i, init in enumerate(inits):
        expected = reference_adagrad(init, [step[i] for step in grads], **options)
        for step, want in enumerate(expected):
            np.testing.assert_allclose(history[step][i], want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", OPTIONS)
def test_matches_pytorch(options, dtype, problem, ours, torch_run, close):
    inits, grads = problem(steps=6, dtype=dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    close(ours(AdaGrad, inits, grads, **options), torch_run("Adagrad", inits, grads, **options),
          tol, tol)


def test_worked_example():
    # g = 3 then 4, lr 1, no decay: s = 9 then 25; steps 3/3 = 1 then 4/5 = 0.8.
    w = Tensor(np.array([10.0]), requires_grad=True)
    opt = AdaGrad([w], lr=1.0, eps=0.0)
    for g in (3.0, 4.0):
        w.grad = Tensor(np.array([g]))
        opt.step()
    assert w.data[0] == pytest.approx(10.0 - 1.0 - 0.8)
    assert opt.state[0] == {"step": 2, "sum": pytest.approx(np.array([25.0]))}


def test_alias():
    assert Adagrad is AdaGrad


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"lr": -0.1}, r"invalid lr=-0\.1"),
        ({"lr_decay": -1.0}, r"invalid lr_decay=-1\.0"),
        ({"weight_decay": -0.5}, r"invalid weight_decay=-0\.5"),
        ({"initial_accumulator_value": -1}, r"invalid initial_accumulator_value=-1"),
        ({"eps": -1e-10}, r"invalid eps=-1e-10"),
    ],
)
def test_invalid_options(options, pattern):
    with pytest.raises(ValueError, match=rf"^AdaGrad: {pattern}"):
        AdaGrad([Tensor(np.ones(2), requires_grad=True)], **options)
