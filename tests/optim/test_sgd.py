"""SGD: the update rule against the formula written out, against PyTorch, and its validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_cnn import Tensor
from tinygrad_cnn.optim import SGD
from tinygrad_cnn.testing.strategies import float_arrays, shapes


def reference_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
                  nesterov=False, maximize=False):
    """PyTorch's SGD, one parameter, float64: the parameter after each step."""
    theta, buf, history = theta.astype(np.float64), None, []
    for t, g in enumerate(grads, start=1):
        g = (-g if maximize else g) + weight_decay * theta
        if momentum != 0:
            buf = g if t == 1 else momentum * buf + (1 - dampening) * g  # first buffer: g itself
            g = g + momentum * buf if nesterov else buf
        theta = theta - lr * g
        history.append(theta)
    return history


OPTIONS = [
    {"lr": 0.1},
    {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01},
    {"lr": 0.1, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1, "maximize": True},
    {"lr": 0.2, "maximize": True},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_matches_formula(options, problem, ours):
    inits, grads = problem(steps=6)
    history = ours(SGD, inits, grads, **options)
    for i, init in enumerate(inits):
        expected = reference_sgd(init, [step[i] for step in grads], **options)
        for step, want in enumerate(expected):
            np.testing.assert_allclose(history[step][i], want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", OPTIONS)
def test_matches_pytorch(options, dtype, problem, ours, torch_run, close):
    inits, grads = problem(steps=6, dtype=dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    close(ours(SGD, inits, grads, **options), torch_run("SGD", inits, grads, **options), tol, tol)


def test_worked_example_momentum_with_dampening():
    # w = 1, g = 2 at every step, lr 0.1, momentum 0.9, dampening 0.5:
    # step 1: buf = g = 2 (undamped)        w = 1 - 0.1 * 2 = 0.8
    # step 2: buf = 0.9 * 2 + 0.5 * 2 = 2.8  w = 0.8 - 0.28 = 0.52
    w = Tensor(np.array([1.0]), requires_grad=True)
    opt = SGD([w], lr=0.1, momentum=0.9, dampening=0.5)
    seen = []
    for _ in range(2):
        w.grad = Tensor(np.array([2.0]))
        opt.step()
        seen.append((w.data[0], opt.state[0]["momentum_buffer"][0]))
    assert seen == [pytest.approx((0.8, 2.0)), pytest.approx((0.52, 2.8))]


@settings(max_examples=25, deadline=None)
@given(data=st.data(), momentum=st.sampled_from([0.0, 0.5, 0.9]), nesterov=st.booleans())
def test_matches_formula_on_any_array(data, momentum, nesterov):
    shape = data.draw(shapes(max_dims=3))
    theta = data.draw(float_arrays(shape))
    grads = [data.draw(float_arrays(shape)) for _ in range(3)]
    options = {"lr": 0.1, "momentum": momentum, "nesterov": nesterov and momentum > 0}
    w = Tensor(theta.copy(), requires_grad=True)
    opt = SGD([w], **options)
    for g, want in zip(grads, reference_sgd(theta, grads, **options), strict=True):
        w.grad = Tensor(g)
        opt.step()
        np.testing.assert_allclose(w.data, want, rtol=1e-12, atol=1e-12)


def test_no_state_without_momentum():
    w = Tensor(np.ones(3), requires_grad=True)
    opt = SGD([w], lr=0.1)
    w.grad = Tensor(np.ones(3))
    opt.step()
    assert opt.state_dict()["state"] == {0: {}}


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"lr": -0.1}, r"SGD: invalid lr=-0\.1"),
        ({"momentum": -0.5}, r"SGD: invalid momentum=-0\.5"),
        ({"weight_decay": -1e-4}, r"SGD: invalid weight_decay=-0\.0001"),
        ({"lr": float("nan")}, r"SGD: invalid lr=nan"),
        ({"nesterov": True}, r"SGD: invalid nesterov=True with momentum=0"),
        ({"nesterov": True, "momentum": 0.9, "dampening": 0.1},
         r"SGD: invalid nesterov=True .*dampening=0\.1"),
    ],
)
def test_invalid_options(options, pattern):
    with pytest.raises(ValueError, match=pattern):
        SGD([Tensor(np.ones(2), requires_grad=True)], **options)


def test_invalid_option_in_a_group():
    w, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(1), requires_grad=True)
    with pytest.raises(ValueError, match=r"SGD: invalid momentum=-1"):
        SGD([{"params": [w]}, {"params": [b], "momentum": -1}], lr=0.1)


def test_unknown_keyword():
    with pytest.raises(TypeError, match=r"SGD.*momentun"):
        SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1, momentun=0.9)


def test_non_number_option():
    with pytest.raises(TypeError, match=r"SGD: option lr must be a real number, got '0\.1'"):
        SGD([Tensor(np.ones(2), requires_grad=True)], lr="0.1")
