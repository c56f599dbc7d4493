"""The engine: accumulation, retain_graph, create_graph, grad, grad mode, anomaly detection."""

import gc

import numpy as np
import pytest
from allocations import traced

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import (
    Tensor,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    manual_seed,
    models,
    no_grad,
    optim,
)
from tinygrad_cnn.autograd import Function, grad
from tinygrad_cnn.testing import gradcheck


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_gradients_accumulate_across_backward_calls():
    x = leaf(1.0, 2.0)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3 + 2, 3 + 4])


def test_leaf_gradients_are_separate_writeable_arrays():
    x, y = leaf(1.0, 2.0), leaf(3.0, 4.0)
    (x + y).sum().backward()
    assert x.grad.data is not y.grad.data
    x.grad.data += 1  # in place, as an optimiser would
    np.testing.assert_array_equal(y.grad.data, [1.0, 1.0])


def test_shared_subexpression_gets_both_contributions():
    x = leaf(3.0)
    y = x * x
    (y + y * x).sum().backward()  # d/dx (x² + x³) = 2x + 3x²
    np.testing.assert_array_equal(x.grad.data, [6 + 27])


def test_second_backward_without_retain_graph_raises_helpfully():
    x = leaf(1.0)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(1.0)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [4 * np.e])


def test_saved_arrays_are_freed_after_backward():
    x = leaf(1.0)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.released and node._saved is None


def _lenet_step_losses(steps):
    """The losses of `steps` LeNet-5 steps on a batch of 64, each kept after its backward."""
    manual_seed(0)
    model = models.lenet5()
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = np.random.default_rng(0).random((64, 1, 28, 28), dtype=np.float32)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(Tensor(x.copy())), np.arange(64) % 10)
        loss.backward()
        opt.step()
        losses.append(loss)
    return losses


def test_a_loss_kept_after_backward_keeps_no_activations():
    _lenet_step_losses(2)  # warm up: what the first steps make once
    with traced() as memory:
        losses = _lenet_step_losses(8)
        gc.collect()
    # PyTorch keeps 14.6 KiB a step here; the graph's inputs held 4 MiB a step before
    kept = memory.kept / len(losses)
    assert kept < 200 * 1024, f"{kept / 1024:.0f} KiB a step"
    assert losses[-1].item() > 0  # the loss itself keeps its value


def test_a_released_graph_keeps_its_shape_and_parameters():
    manual_seed(0)
    model = models.lenet5()
    loss = F.cross_entropy(model(Tensor(np.ones((2, 1, 28, 28), np.float32))), [1, 2])
    loss.backward()
    node, parameters = loss.grad_fn, {id(p) for p in model.parameters()}
    seen = []
    while node is not None:
        seen.append(node.name)
        kept = [t for t in node.inputs if id(t) in parameters]
        assert all(t.data is not None for t in kept)
        node = next((t.grad_fn for t in node.inputs if t.grad_fn is not None), None)
    assert seen[0] == "cross_entropy" and seen[-1] == "conv2d"
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        loss.backward()


def test_hessian_vector_product_with_create_graph():
    # f(x) = sum(x³) has Hessian diag(6x): H v = 6 x v.
    x = leaf(1.0, -2.0, 0.5)
    v = Tensor(np.array([1.0, 2.0, 3.0]))
    (g,) = grad((x**3).sum(), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.data, 6 * x.data * v.data)


def test_backward_with_create_graph_makes_grad_differentiable():
    x = leaf(2.0)
    (x**3).sum().backward(create_graph=True)
    first = x.grad
    assert first.requires_grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad.data, [12.0])  # d²(x³) = 6x


def test_a_ten_thousand_op_chain_needs_no_recursion():
    x = leaf(0.5)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0001**10_000])


def test_grad_leaves_dot_grad_alone_and_reaches_intermediates():
    x = leaf(1.0, 2.0)
    h = x * 2
    y = (h * h).sum()
    gx, gh = grad(y, [x, h])
    np.testing.assert_allclose(gh.data, 2 * h.data)
    np.testing.assert_allclose(gx.data, 8 * x.data)
    assert x.grad is None


def test_grad_reports_unused_inputs():
    x, z = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match=r"input 1 .* is not used"):
        grad((x * 2).sum(), [x, z])
    assert grad((x * 2).sum(), [x, z], allow_unused=True)[1] is None


def test_no_grad_and_enable_grad_as_contexts_and_decorators():
    x = leaf(1.0)
    with no_grad():
        assert not is_grad_enabled()
        assert not (x * 2).requires_grad
        with enable_grad():
            assert (x * 2).requires_grad
    assert is_grad_enabled()

    @no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        _ = 1 / 0
    assert is_grad_enabled()


def test_detach_and_requires_grad_propagation():
    x = leaf(1.0)
    c = Tensor(np.array([2.0]))
    assert (x * c).requires_grad
    assert not (c * 2).requires_grad
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf


def test_backward_on_non_scalar_needs_a_gradient():
    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs, got shape \(2,\)"):
        (x * 2).backward()
    (x * 2).backward(Tensor(np.array([1.0, 10.0])))
    np.testing.assert_array_equal(x.grad.data, [2.0, 20.0])


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(np.array(1.0)).backward()


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        Tensor(np.array([1, 2]), requires_grad=True)


def test_detect_anomaly_names_the_op_in_forward():
    x = leaf(-1.0)
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"log .*forward"):
        x.log()


def test_detect_anomaly_names_the_op_in_backward():
    x = leaf(0.0)
    y = x.sqrt()  # finite forward, infinite gradient at 0
    with detect_anomaly(), pytest.raises(FloatingPointError, match="in the backward of sqrt"):
        y.sum().backward()


class Cube(Function):
    """y = x³ (a user-defined primitive)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_user_defined_function_is_a_first_class_primitive():
    x = leaf(0.5, -1.5)
    assert gradcheck(lambda t: Cube.apply(t), [x])
    (g,) = grad(Cube.apply(x).sum(), x, create_graph=True)
    (gg,) = grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, 6 * x.data)
    assert Cube.apply(x).grad_fn.name == "cube"


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum()


def test_a_vjp_returning_the_wrong_shape_is_reported():
    message = r"wrongshape: backward returned a gradient of shape \(\)"
    with pytest.raises(RuntimeError, match=message):
        WrongShape.apply(leaf(1.0, 2.0)).sum().backward()


def test_a_float32_lenet_step_stays_float32_in_every_op_and_gradient():
    # no float64 upcast anywhere on the float32 path: every recorded result and every grad
    import tinygrad_cnn.nn.functional as F
    from tinygrad_cnn import manual_seed, models

    manual_seed(0)
    model = models.lenet5()
    x = Tensor(np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32))
    loss = F.cross_entropy(model(x), np.array([0, 1, 2, 3]))
    stack, seen = [loss.grad_fn], []
    while stack:
        node = stack.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        assert node._output.dtype == np.float32, node.name
        stack.extend(t.grad_fn for t in node.inputs)
    loss.backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
