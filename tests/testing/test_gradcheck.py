"""gradcheck and gradgradcheck catch wrong VJPs and explain where."""

import numpy as np
import pytest

from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import Function
from tinygrad_cnn.testing import GradcheckError, gradcheck, gradgradcheck


class InvertedRelu(Function):
    """The course's bug: ReLU whose backward passes the gradient where x < 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad.where(x < 0, 0.0)


class SquareWithConstantVjp(Function):
    """y = x², but its VJP treats x as a constant: right first derivative, wrong second."""

    @staticmethod
    def forward(ctx, x):
        ctx.x_copy = x.copy()
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor(2 * ctx.x_copy)


def test_gradcheck_catches_an_inverted_relu_and_names_the_worst_element():
    x = Tensor(np.array([-1.0, 2.0, -3.0]), requires_grad=True)
    message = r"input 0 .* element \(\d,\): analytic .* vs numerical"
    with pytest.raises(GradcheckError, match=message):
        gradcheck(InvertedRelu.apply, [x])
    assert gradcheck(InvertedRelu.apply, [x], raise_exception=False) is False


def test_gradgradcheck_catches_a_vjp_that_is_not_differentiable():
    x = Tensor(np.array([0.5, -1.5]), requires_grad=True)
    assert gradcheck(SquareWithConstantVjp.apply, [x])
    with pytest.raises(GradcheckError):
        gradgradcheck(SquareWithConstantVjp.apply, [x])


def test_gradcheck_requires_float64_and_something_to_check():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda t: t * 2, [Tensor(np.ones(2, dtype=np.float32), requires_grad=True)])
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda t: t * 2, [Tensor(np.ones(2))])


def test_gradcheck_handles_several_outputs_and_constant_arguments():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert gradcheck(lambda t, k: (t * k, t.exp()), [x, 3.0])
