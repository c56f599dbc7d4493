"""The normalisation primitives: batch norm with batch statistics (BatchNormalize) and the
standardisation behind layer and group norm (Standardize), against finite differences to the
second order, a worked example, PyTorch, the composite formula they replace, and their shape
rules."""

import numpy as np
import pytest
from hypothesis import given
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, eval_shape
from tinygrad_cnn.autograd import ShapeDtype, grad
from tinygrad_cnn.ops.norm import BatchNormalize, Standardize
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import batch_norm_args, group_norm_args, layer_norm_args


def _batch_norm(args):
    return lambda x, w, b: F.batch_norm(x, None, None, w, b, **args.kwargs)


def _layer_norm(args):
    return lambda x, w, b: F.layer_norm(x, weight=w, bias=b, **args.kwargs)


def _group_norm(args):
    return lambda x, w, b: F.group_norm(x, weight=w, bias=b, **args.kwargs)


@given(args=batch_norm_args())
def test_batch_norm_vjp(args):
    gradcheck(_batch_norm(args), args.tensors)
    gradgradcheck(_batch_norm(args), args.tensors)


@given(args=layer_norm_args())
def test_layer_norm_vjp(args):
    gradcheck(_layer_norm(args), args.tensors)
    gradgradcheck(_layer_norm(args), args.tensors)


@given(args=group_norm_args())
def test_group_norm_vjp(args):
    gradcheck(_group_norm(args), args.tensors)
    gradgradcheck(_group_norm(args), args.tensors)


def _composite(x, dims, eps):
    """The standardisation as the dozen tensor ops the primitives replace."""
    centred = x - x.mean(dims, keepdim=True)
    return centred * ((centred * centred).mean(dims, keepdim=True) + eps) ** -0.5


@pytest.mark.parametrize("case", ["batch", "standardize"])
@given(data=batch_norm_args())
def test_first_gradients_equal_the_composite_formulas(case, data):
    x, w, b = data.tensors
    eps = data.kwargs["eps"]
    if case == "batch":
        ours = F.batch_norm(x, None, None, w, b, training=True, eps=eps)
        dims = (0, *range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        theirs = _composite(x, dims, eps) * w.reshape(shape) + b.reshape(shape)
    else:
        x = x.reshape(x.shape[0], -1)
        ours = Standardize.apply(x, dims=(1,), eps=eps)
        theirs = _composite(x, (1,), eps)
    gy = Tensor(np.cos(np.arange(ours.numel())).reshape(ours.shape))
    np.testing.assert_allclose(ours.data, theirs.data, rtol=1e-12, atol=1e-12)
    inputs = [x, w, b] if case == "batch" else [x]
    firsts = grad(ours, inputs, gy, retain_graph=True)
    for g_ours, g_theirs in zip(firsts, grad(theirs, inputs, gy)):
        np.testing.assert_allclose(g_ours.data, g_theirs.data, rtol=1e-10, atol=1e-12)


def test_batch_norm_worked_example():
    # channel 0 holds 1, 3 (mean 2, variance 1), channel 1 holds 2, 2 (variance 0): with
    # eps = 0 and 1, (x - mean) / sqrt(var + eps) scaled by w = (2, 1), shifted by b = (0, 5)
    x = Tensor(np.array([[1.0, 2.0], [3.0, 2.0]]), requires_grad=True)
    w = Tensor(np.array([2.0, 1.0]), requires_grad=True)
    b = Tensor(np.array([0.0, 5.0]), requires_grad=True)
    y = F.batch_norm(x, None, None, w, b, training=True, eps=1.0)
    # channel 0: (∓1) / sqrt(2) · 2 = ∓sqrt(2); channel 1: 0 · 1 + 5
    np.testing.assert_allclose(y.data, [[-np.sqrt(2), 5.0], [np.sqrt(2), 5.0]])
    (y * Tensor(np.array([[1.0, 0.0], [0.0, 0.0]]))).sum().backward()
    # gw = Σ g x̂ = x̂[0, 0] = -1/sqrt(2); gb = Σ g = 1 for channel 0, 0 for channel 1
    np.testing.assert_allclose(w.grad.data, [-1 / np.sqrt(2), 0.0])
    np.testing.assert_allclose(b.grad.data, [1.0, 0.0])
    # gx = w rstd (g - mean g - x̂ mean(g x̂)), mean(g x̂) = -1 / (2 sqrt(2)):
    # 2 / sqrt(2) · (1 - 1/2 - 1/4, 0 - 1/2 + 1/4); channel 1's values are equal, x̂ = 0
    np.testing.assert_allclose(x.grad.data, [[np.sqrt(2) / 4, 0.0], [-np.sqrt(2) / 4, 0.0]])


def test_batch_norm_updates_running_statistics_in_place():
    x = Tensor(np.array([[1.0], [3.0], [8.0]]))
    mean, var = np.zeros(1), np.ones(1)
    F.batch_norm(x, mean, var, training=True, momentum=0.5)
    np.testing.assert_allclose(mean, [2.0])  # 0.5 · 0 + 0.5 · 4
    np.testing.assert_allclose(var, [0.5 + 0.5 * 13.0])  # unbiased: 26 / 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (5, 2, 4, 3)])
def test_batch_norm_matches_pytorch(shape, dtype):
    torch = torch_module()
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 2).astype(dtype)
    w = rng.uniform(0.5, 1.5, shape[1]).astype(dtype)
    b = rng.standard_normal(shape[1]).astype(dtype)
    gy = rng.standard_normal(shape).astype(dtype)
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    running = [np.zeros(shape[1], dtype), np.ones(shape[1], dtype)]
    torch_running = [torch.zeros(shape[1], dtype=theirs[0].dtype),
                     torch.ones(shape[1], dtype=theirs[0].dtype)]
    y = F.batch_norm(ours[0], *running, *ours[1:], training=True, momentum=0.3)
    yt = torch.nn.functional.batch_norm(theirs[0], *torch_running, *theirs[1:], training=True,
                                        momentum=0.3)
    y.backward(Tensor(gy))
    yt.backward(torch.tensor(gy))
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}
    np.testing.assert_allclose(y.data, yt.detach().numpy(), **tol)
    for a, t in zip(running, torch_running):
        np.testing.assert_allclose(a, t.numpy(), **tol)
    for ours_t, theirs_t in zip(ours, theirs):
        assert ours_t.grad.dtype == dtype
        np.testing.assert_allclose(ours_t.grad.data, theirs_t.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_and_group_norm_match_pytorch(dtype):
    torch = torch_module()
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((3, 6, 4, 5)) * 2 - 1).astype(dtype)
    gy = rng.standard_normal(x.shape).astype(dtype)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}
    calls = [(lambda t: F.layer_norm(t, (4, 5)),
              lambda t: torch.nn.functional.layer_norm(t, (4, 5))),
             (lambda t: F.group_norm(t, 3), lambda t: torch.nn.functional.group_norm(t, 3))]
    for ours_fn, theirs_fn in calls:
        ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, yt = ours_fn(ours), theirs_fn(theirs)
        y.backward(Tensor(gy))
        yt.backward(torch.tensor(gy))
        np.testing.assert_allclose(y.data, yt.detach().numpy(), **tol)
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), **tol)


def test_shape_rules_and_a_shape_only_run():
    x = Tensor(np.zeros((2, 3, 4)))
    w, b = Tensor(np.ones(3)), Tensor(np.zeros(3))
    specs = [ShapeDtype(t.shape, t.dtype) for t in (x, w, b)]
    assert BatchNormalize.abstract_eval(*specs, eps=1e-5, running=None) == specs[0]
    assert Standardize.abstract_eval(specs[0], dims=(2,), eps=1e-5) == specs[0]
    mean, var = np.zeros(3), np.ones(3)
    shape = eval_shape(lambda t: F.batch_norm(t, mean, var, training=True), (8, 3, 5, 5))
    assert shape == (8, 3, 5, 5)
    np.testing.assert_array_equal(mean, 0)  # a shape-only run keeps no statistics
    np.testing.assert_array_equal(var, 1)
