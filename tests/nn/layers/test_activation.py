"""The activations of modern CNNs: against PyTorch, against finite differences, and by hand."""

import numpy as np
import pytest
from hypothesis import given
from torch_parity import assert_matches_torch, torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import tensors

# layer, the arguments of ours and of PyTorch's
LAYERS = {
    "leaky_relu": ("LeakyReLU", {}),
    "leaky_relu_steep": ("LeakyReLU", {"negative_slope": 0.2}),
    "leaky_relu_above_one": ("LeakyReLU", {"negative_slope": 1.5}),
    "relu6": ("ReLU6", {}),
    "elu": ("ELU", {}),
    "elu_alpha": ("ELU", {"alpha": 0.3}),
    "gelu": ("GELU", {}),
    "gelu_tanh": ("GELU", {"approximate": "tanh"}),
    "silu": ("SiLU", {}),
    "hardswish": ("Hardswish", {}),
    "hardsigmoid": ("Hardsigmoid", {}),
}
KINKS = np.array([0.0, -3.0, 3.0, 6.0])


def off_the_kinks(x):
    """`x` with values within 0.05 of a kink (0, ±3, 6) moved 0.1 up, past it."""
    near = np.abs(np.asarray(x)[..., None] - KINKS).min(-1) < 0.05
    return np.where(near, x + 0.1, x)


@pytest.mark.parametrize("case", list(LAYERS))
def test_layer_matches_pytorch(case):
    torch = torch_module()
    name, options = LAYERS[case]
    ours, theirs = getattr(nn, name)(**options), getattr(torch.nn, name)(**options)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).uniform(-8, 8, (3, 4, 5))
    assert_matches_torch(ours, theirs, [off_the_kinks(x)])


@pytest.mark.parametrize("case", list(LAYERS))
@given(x=tensors(min_value=-8.0, max_value=8.0))
def test_layer_vjps_against_finite_differences(case, x):
    name, options = LAYERS[case]
    layer = getattr(nn, name)(**options)
    x = Tensor(off_the_kinks(x.data), requires_grad=True)
    gradcheck(layer, [x])
    gradgradcheck(layer, [x])


def test_values_by_hand():
    x = Tensor([-4.0, -1.0, 0.0, 2.0, 7.0])
    assert F.relu6(x).tolist() == [0, 0, 0, 2, 6]
    assert F.hardsigmoid(x).tolist() == pytest.approx([0, 1 / 3, 0.5, 5 / 6, 1])
    assert F.hardswish(x).tolist() == pytest.approx([0, -1 / 3, 0, 5 / 3, 7])
    assert F.leaky_relu(x, 0.1).tolist() == pytest.approx([-0.4, -0.1, 0, 2, 7])
    assert F.elu(x).tolist() == pytest.approx([np.expm1(-4), np.expm1(-1), 0, 2, 7])
    assert F.silu(Tensor([0.0])).item() == 0
    assert F.gelu(Tensor(np.array([3.0]))).item() == pytest.approx(3 * 0.998650101968, 1e-12)


def test_gradients_at_zero_are_pytorchs():
    # leaky_relu and elu take the negative side's slope at 0, as PyTorch does
    for fn, slope in ((lambda t: F.leaky_relu(t, 0.2), 0.2), (lambda t: F.elu(t, 0.3), 0.3)):
        x = Tensor(np.zeros(1), requires_grad=True)
        fn(x).sum().backward()
        assert x.grad.item() == pytest.approx(slope)


def test_gelu_refuses_an_unknown_approximation_naming_the_layer():
    with pytest.raises(ValueError, match=r"^GELU: approximate must be 'none' or 'tanh', got 'erf'"):
        nn.GELU("erf")
    with pytest.raises(ValueError, match=r"^gelu: approximate"):
        F.gelu(Tensor([1.0]), approximate="fast")


def test_activations_keep_float32():
    x = Tensor(np.linspace(-4, 4, 9, dtype=np.float32))
    for name, options in LAYERS.values():
        assert getattr(nn, name)(**options)(x).dtype == np.float32, name


@pytest.mark.parametrize(("name", "kwargs"), [
    ("ReLU", {}), ("ReLU6", {}), ("LeakyReLU", {"negative_slope": 0.2}), ("ELU", {}),
    ("SiLU", {}), ("Hardsigmoid", {}), ("Hardswish", {}),
])
def test_inplace_writes_into_the_input_as_pytorch(name, kwargs):
    torch = torch_module()
    x = np.array([[-4.0, -0.5, 0.3, 0.7, 3.5, 8.0]])  # off the kinks (0, ±3, 6)
    for inplace in (False, True):
        ours_in = Tensor(x, requires_grad=True)
        theirs_in = torch.tensor(x, requires_grad=True)
        hidden, t_hidden = ours_in * 2, theirs_in * 2
        ours_layer = getattr(nn, name)(**kwargs, inplace=inplace)
        theirs_layer = getattr(torch.nn, name)(**kwargs, inplace=inplace)
        assert repr(ours_layer) == repr(theirs_layer)
        out, t_out = ours_layer(hidden), theirs_layer(t_hidden)
        assert (out is hidden) == inplace == (t_out is t_hidden)
        np.testing.assert_allclose(hidden.numpy(), t_hidden.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        t_out.sum().backward()
        # (PyTorch's hardsigmoid gradient is a float32 1/6, in float64 too)
        np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-7)


@pytest.mark.parametrize("layer", [nn.Dropout(0.5, inplace=True), nn.Dropout2d(0.5, inplace=True)])
def test_inplace_dropout_writes_into_the_input(layer):
    x = Tensor(np.ones((2, 8, 3, 3)), requires_grad=True)
    hidden = x * 1
    assert layer(hidden) is hidden and set(np.unique(hidden.numpy())) == {0.0, 2.0}
    hidden.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), hidden.numpy())
    layer.eval()
    assert layer(hidden) is hidden


def test_functional_relu_inplace_as_pytorch():
    torch = torch_module()
    x = np.array([-1.0, 2.0])
    ours, theirs = Tensor(x), torch.tensor(x)
    assert F.relu(ours, inplace=True) is ours and torch.relu_(theirs) is theirs
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
