"""Module hooks with PyTorch's signatures and return rules; Module.apply's order."""

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.autograd import grad


def _x(*shape, requires_grad=True):
    return Tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=requires_grad)


def _linear(n_in=3, n_out=2):
    layer = nn.Linear(n_in, n_out, dtype=np.float64)
    layer.weight.data[...] = np.arange(n_in * n_out).reshape(n_out, n_in) / 10
    layer.bias.data[...] = 0.5
    return layer


def test_forward_hooks_see_inputs_and_outputs_in_registration_order():
    layer, seen = _linear(), []
    layer.register_forward_pre_hook(lambda m, args: seen.append(("pre", args[0].shape)))
    layer.register_forward_hook(lambda m, args, out: seen.append(("post", out.shape)))
    layer.register_forward_hook(lambda m, args, out: seen.append(("post 2", m is layer)))
    layer(_x(4, 3))
    assert seen == [("pre", (4, 3)), ("post", (4, 2)), ("post 2", True)]


def test_returned_values_replace_inputs_and_outputs():
    layer = _linear()
    x = _x(4, 3)
    plain = layer(x).data.copy()
    pre = layer.register_forward_pre_hook(lambda m, args: args[0] * 2)  # not a tuple: wrapped
    np.testing.assert_allclose(layer(x).data, layer.forward(x * 2).data)
    pre.remove()
    post = layer.register_forward_hook(lambda m, args, out: out + 1)
    np.testing.assert_allclose(layer(x).data, plain + 1)
    post.remove()
    np.testing.assert_allclose(layer(x).data, plain)


def test_handles_remove_once_and_as_contexts():
    layer, calls = _linear(), []
    with layer.register_forward_hook(lambda *a: calls.append(1)) as handle:
        layer(_x(1, 3))
    layer(_x(1, 3))
    handle.remove()  # again: harmless
    assert calls == [1]
    with pytest.raises(TypeError, match="not callable"):
        layer.register_forward_hook("not a function")


def test_full_backward_hook_sees_grad_input_and_grad_output():
    layer, seen = _linear(), []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    x = _x(4, 3)
    y = layer(x)
    gy = Tensor(np.ones(y.shape))
    (gx,) = grad(y, [x], gy)
    ((grad_input,), (grad_output,)) = seen[0]
    np.testing.assert_allclose(grad_output.data, gy.data)
    np.testing.assert_allclose(grad_input.data, gx.data)
    np.testing.assert_allclose(gx.data, gy.data @ layer.weight.data)  # dL/dx = gy W


def test_a_backward_hook_may_replace_the_input_gradient():
    layer = _linear()
    layer.register_full_backward_hook(lambda m, gi, go: tuple(g * 0 for g in gi))
    x = _x(4, 3)
    layer(x).sum().backward()
    assert np.all(x.grad.data == 0) and np.any(layer.weight.grad.data != 0)


def test_a_backward_hook_runs_when_the_input_needs_no_gradient():
    layer, seen = _linear(), []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go[0].shape)))
    layer(_x(4, 3, requires_grad=False)).sum().backward()
    assert seen == [((None,), (4, 2))]


def test_two_tensor_inputs_get_their_gradients_together():
    class Mix(nn.Module):
        def forward(self, a, b, scale):
            return (a * b * scale).sum(1)

    mix, seen = Mix(), []
    mix.register_full_backward_hook(lambda m, gi, go: seen.append([g.shape if g is not None
                                                                   else None for g in gi]))
    a, b = _x(2, 3), _x(2, 3)
    mix(a, b, 2.0).sum().backward()
    assert seen == [[(2, 3), (2, 3), None]]


def test_no_hooks_no_extra_ops():
    layer = _linear()
    y = layer(_x(4, 3))
    assert y.grad_fn.name == "add"  # x Wᵀ + b: no identity op in between
    handle = layer.register_full_backward_hook(lambda *a: None)
    assert layer(_x(4, 3)).grad_fn.name == "backward_hook"
    handle.remove()
    assert layer(_x(4, 3)).grad_fn.name == "add"


def test_apply_visits_children_first_depth_first():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    order = []
    assert net.apply(lambda m: order.append(type(m).__name__)) is net
    assert order == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]


def test_apply_initialises_weights_as_in_pytorch():
    net = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.25)

    net.apply(init)
    assert all((m.weight.data == 0.25).all() for m in net.modules() if isinstance(m, nn.Linear))


def test_hooks_match_pytorchs():
    torch = torch_module()
    ours, theirs = _linear(), torch.nn.Linear(3, 2).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    record = {}
    for name, layer in (("ours", ours), ("theirs", theirs)):
        layer.register_forward_pre_hook(lambda m, args: (args[0] * 3,))
        layer.register_forward_hook(lambda m, args, out: out * out)
        layer.register_full_backward_hook(
            lambda m, gi, go, name=name: record.update({name: (gi[0] * 1, go[0] * 1)}))
    x = np.random.default_rng(1).standard_normal((4, 3))
    xt = torch.tensor(x, requires_grad=True)
    theirs(xt).sum().backward()
    xo = Tensor(x, requires_grad=True)
    ours(xo).sum().backward()
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10)
    for mine, torchs in zip(record["ours"], record["theirs"]):
        np.testing.assert_allclose(mine.data, torchs.detach().numpy(), rtol=1e-10)


def test_backward_hooks_of_parallel_branches_run_in_pytorchs_order():
    torch = torch_module()
    orders = {}
    for name, lib, make in (("ours", nn, Tensor), ("theirs", torch.nn, torch.tensor)):
        a, b, c = (lib.Linear(3, 3) for _ in range(3))
        orders[name] = []
        for label, layer in zip("abc", (a, b, c)):
            layer.register_full_backward_hook(
                lambda m, gi, go, label=label, seen=orders[name]: seen.append(label))
        x = make(np.ones((2, 3), np.float32)).requires_grad_()
        (a(x) + b(x) * c(x)).sum().backward()  # the branch recorded last is walked first
    assert orders["ours"] == orders["theirs"] == ["c", "b", "a"]


def test_a_second_backward_through_a_retained_graph_runs_the_hook_again():
    # torch 2.13, the same Linear: the hook runs once per backward, with the same gradients
    layer, seen = nn.Linear(3, 2, dtype=np.float64), []
    layer.load_state_dict({"weight": np.array([[1.0, 2, 3], [4, 5, 6]]), "bias": np.zeros(2)})
    layer.register_full_backward_hook(
        lambda m, gi, go: seen.append((gi[0].tolist(), go[0].tolist())))
    x = Tensor(np.ones((1, 3)), requires_grad=True)
    y = layer(x).sum()
    y.backward(retain_graph=True)
    y.backward()  # raised ValueError: list.remove(x): x not in list
    assert seen == [([[5.0, 7.0, 9.0]], [[1.0, 1.0]])] * 2
    assert x.grad.tolist() == [[10.0, 14.0, 18.0]]
