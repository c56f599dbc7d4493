"""Activation functions at their kinks: the gradients PyTorch gives there."""

import numpy as np
import pytest

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, nn

KINKS = [-3.0, -3.0001, -2.9999, 0.0, 2.9999, 3.0, 3.0001, 6.0, -1e-9, 5.9999, 6.0001]
# torch 2.13, float64: getattr(torch.nn.functional, name)(x).sum().backward(), x.grad
TORCH_GRADIENTS = {
    "hardsigmoid": [0.0, 0.0] + [1 / 6] * 3 + [0.0] * 3 + [1 / 6, 0.0, 0.0],
    "hardswish": [0.0, 0.0, -0.49996666666666656, 0.5, 1.4999666666666664, 1.0, 1.0, 1.0,
                  0.49999999966666664, 1.0, 1.0],
    "relu6": [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0],
}


@pytest.mark.parametrize("name", TORCH_GRADIENTS)
def test_gradients_at_the_kinks_are_pytorchs(name):
    x = Tensor(np.array(KINKS), requires_grad=True)
    getattr(F, name)(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, TORCH_GRADIENTS[name], rtol=1e-12, atol=1e-15)


def test_clamp_keeps_its_gradient_at_the_bounds():
    x = Tensor(np.array([0.0, 0.5, 1.0, 1.5]), requires_grad=True)
    x.clip(0.0, 1.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0, 0.0]  # PyTorch's clamp: inclusive, unlike relu6


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
@pytest.mark.parametrize(("make", "message"), [
    (lambda v: nn.LeakyReLU(v), r"^LeakyReLU: negative_slope must be a finite number"),
    (lambda v: nn.ELU(v), r"^ELU: alpha must be a finite number"),
    (lambda v: F.leaky_relu(Tensor(np.ones(2)), v), r"^leaky_relu: negative_slope must be"),
    (lambda v: F.elu(Tensor(np.ones(2)), v), r"^elu: alpha must be"),
])
def test_an_activation_parameter_that_is_not_finite_is_refused(make, message, value):
    with pytest.raises(ValueError, match=message):  # every negative output was NaN before
        make(value)
