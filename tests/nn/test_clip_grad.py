"""nn.utils.clip_grad_norm_ and clip_grad_value_: against PyTorch, in place, edge cases."""

import math

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor, nn

RNG = np.random.default_rng(0)
SHAPES = [(3, 4), (5,), (2, 2, 3)]


def _twins(scale=1.0):
    torch = torch_module()
    grads = [RNG.standard_normal(s) * scale for s in SHAPES]
    ours = [Tensor(np.zeros(s), requires_grad=True) for s in SHAPES]
    theirs = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float64)) for s in SHAPES]
    for p, t, g in zip(ours, theirs, grads):
        p.grad = Tensor(g.copy())
        t.grad = torch.tensor(g)
    return ours, theirs


@pytest.mark.parametrize(("max_norm", "norm_type"), [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0),
                                                     (0.3, math.inf), (2.0, 3.0)])
def test_clip_grad_norm_matches_pytorch(max_norm, norm_type):
    torch = torch_module()
    ours, theirs = _twins()
    kept = ours[0].grad
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.item() == pytest.approx(their_total.item(), rel=1e-12)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-12)
    assert ours[0].grad is kept  # scaled in place, as PyTorch


def test_clip_grad_value_matches_pytorch():
    torch = torch_module()
    ours, theirs = _twins(scale=3.0)
    nn.utils.clip_grad_value_(ours, 1.5)
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, t.grad.numpy())


def test_clipping_a_model_after_backward_bounds_the_step():
    model = nn.Linear(4, 3)
    (model(Tensor(np.full((2, 4), 100.0, np.float32))) ** 2).sum().backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    after = math.sqrt(sum((p.grad.data.astype(np.float64) ** 2).sum()
                          for p in model.parameters()))
    assert total.item() > 1 and after == pytest.approx(1.0, rel=1e-5)
    assert total.dtype == np.float32


def test_parameters_without_gradients_are_skipped_and_nonfinite_norms_reported():
    a, b = Tensor(np.zeros(2), requires_grad=True), Tensor(np.zeros(2), requires_grad=True)
    assert nn.utils.clip_grad_norm_([a, b], 1.0).item() == 0.0
    a.grad = Tensor(np.array([np.inf, 1.0]))
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: the total norm of order 2\.0 of the "
                                           r"gradients is inf"):
        nn.utils.clip_grad_norm_([a, b], 1.0, error_if_nonfinite=True)
    a.grad = Tensor(np.array([np.nan, 1.0]))
    nn.utils.clip_grad_norm_(a, 1.0)
    assert np.isnan(a.grad.data).all()  # as PyTorch: a NaN norm spreads to every gradient
