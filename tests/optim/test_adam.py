"""Adam and AdamW: update rules against the formulas, against PyTorch, and their validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_parity import torch_module

from tinygrad_cnn import Tensor
from tinygrad_cnn.optim import Adam, AdamW
from tinygrad_cnn.testing.strategies import float_arrays, shapes


def reference_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                   amsgrad=False, maximize=False, decoupled=False):
    """Adam as in the paper with PyTorch's options, one parameter, float64, bias-corrected."""
    beta1, beta2 = betas
    theta = theta.astype(np.float64)
    m = v = v_max = np.zeros_like(theta)
    history = []
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if decoupled:
            theta = theta * (1 - lr * weight_decay)  # AdamW: decay the weights, not the gradient
        else:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - beta1**t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(theta)
    return history


OPTIONS = [
    {"lr": 0.01},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.02, "weight_decay": 0.3, "amsgrad": True, "maximize": True},
    {"lr": 0.01, "betas": (0.3, 0.5)},
]
CASES = [(Adam, "Adam", o) for o in OPTIONS] + [
    (AdamW, "AdamW", {"lr": 0.01}),  # the default weight decay 1e-2
    (AdamW, "AdamW", {"lr": 0.05, "weight_decay": 0.5, "amsgrad": True}),
    (AdamW, "AdamW", {"lr": 0.01, "weight_decay": 0.0, "maximize": True}),
]


@pytest.mark.parametrize(("cls", "name", "options"), CASES)
def test_matches_formula(cls, name, options, problem, ours):
    inits, grads = problem(steps=6)
    history = ours(cls, inits, grads, **options)
    reference_options = dict(options, decoupled=cls is AdamW)
    if cls is AdamW:
        reference_options.setdefault("weight_decay", 1e-2)
    for i, init in enumerate(inits):
        expected = reference_adam(init, [step[i] for step in grads], **reference_options)
        for step, want in enumerate(expected):
            np.testing.assert_allclose(history[step][i], want, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("cls", "name", "options"), CASES)
def test_matches_pytorch(cls, name, options, dtype, problem, ours, torch_run, close):
    inits, grads = problem(steps=6, dtype=dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    close(ours(cls, inits, grads, **options), torch_run(name, inits, grads, **options), tol, tol)


@settings(max_examples=25, deadline=None)
@given(data=st.data(), lr=st.floats(1e-3, 0.5))
def test_first_step_moves_each_weight_by_lr(data, lr):
    # m̂ = g and v̂ = g² after one step, so the update is lr · g / (|g| + eps) ≈ lr · sign(g).
    shape = data.draw(shapes(max_dims=3))
    theta = data.draw(float_arrays(shape))
    g = data.draw(float_arrays(shape, min_magnitude=0.01))
    w = Tensor(theta.copy(), requires_grad=True)
    w.grad = Tensor(g)
    Adam([w], lr=lr).step()
    np.testing.assert_allclose(w.data, theta - lr * np.sign(g), rtol=1e-6, atol=1e-6)


def test_adamw_decay_is_decoupled():
    # With zero gradients Adam's moments stay 0, so AdamW only shrinks: θ (1 - lr λ)^t; Adam with
    # the same weight_decay feeds λθ through the moments instead and takes steps of about lr.
    theta = np.array([1.0, -2.0])
    w_adamw, w_adam = (Tensor(theta.copy(), requires_grad=True) for _ in range(2))
    adamw = AdamW([w_adamw], lr=0.1, weight_decay=0.5)
    adam = Adam([w_adam], lr=0.1, weight_decay=0.5)
    for _ in range(3):
        w_adamw.grad, w_adam.grad = Tensor(np.zeros(2)), Tensor(np.zeros(2))
        adamw.step()
        adam.step()
    np.testing.assert_allclose(w_adamw.data, theta * 0.95**3, rtol=1e-12)
    np.testing.assert_allclose(w_adam.data, theta - 0.3 * np.sign(theta), atol=0.01)


def test_amsgrad_keeps_the_running_max():
    w = Tensor(np.zeros(1), requires_grad=True)
    opt = Adam([w], amsgrad=True, betas=(0.0, 0.5))
    for g in (4.0, 1.0):
        w.grad = Tensor(np.array([g]))
        opt.step()
    state = opt.state[0]
    assert state["exp_avg_sq"][0] == pytest.approx(0.5 * 8.0 + 0.5 * 1.0)  # 4.5
    assert state["max_exp_avg_sq"][0] == pytest.approx(8.0)  # step 1: 0.5 · 16


def test_loads_a_pytorch_state_dict(problem):
    # PyTorch's Adam state_dict (tensors as arrays) loads as is: same layout, same names.
    torch = torch_module()
    inits, grads = problem(steps=6)
    theirs = [torch.nn.Parameter(torch.tensor(a.copy())) for a in inits]
    torch_opt = torch.optim.Adam(theirs, lr=0.01, amsgrad=True)
    ours = [Tensor(a.copy(), requires_grad=True) for a in inits]
    opt = Adam(ours, lr=0.01, amsgrad=True)
    for step, step_grads in enumerate(grads):
        if step == 3:
            for p, q in zip(ours, theirs, strict=True):
                p.data[...] = q.detach().numpy()
            saved = torch_opt.state_dict()
            state = {i: {k: np.asarray(v) for k, v in s.items()} for i, s in saved["state"].items()}
            opt.load_state_dict({"state": state, "param_groups": saved["param_groups"]})
        for p, q, g in zip(ours, theirs, step_grads, strict=True):
            p.grad, q.grad = Tensor(g.copy()), torch.tensor(g.copy())
        torch_opt.step()
        if step >= 3:
            opt.step()
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"lr": -1e-3}, r"invalid lr=-0\.001"),
        ({"eps": -1e-8}, r"invalid eps=-1e-08"),
        ({"weight_decay": -0.1}, r"invalid weight_decay=-0\.1"),
        ({"betas": (1.0, 0.999)}, r"invalid betas\[0\]=1\.0"),
        ({"betas": (-0.1, 0.999)}, r"invalid betas\[0\]=-0\.1"),
        ({"betas": (0.9, 1.5)}, r"invalid betas\[1\]=1\.5"),
        ({"betas": 0.9}, r"invalid betas=0\.9"),
    ],
)
def test_invalid_options(cls, options, pattern):
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: {pattern}"):
        cls([Tensor(np.ones(2), requires_grad=True)], **options)


def test_betas_from_a_list_become_a_tuple():
    opt = Adam([Tensor(np.ones(2), requires_grad=True)], betas=[0.8, 0.9])
    assert opt.param_groups[0]["betas"] == (0.8, 0.9)
