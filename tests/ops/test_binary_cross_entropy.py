"""Binary cross-entropy as a primitive: its VJPs in both inputs, PyTorch's numbers where a
probability is exactly 0 or 1, its shape rule."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import ShapeDtype
from tinygrad_cnn.ops.binary_cross_entropy import BinaryCrossEntropy
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import shapes, tensors


@given(data=st.data())
def test_vjp_in_the_probability_and_the_target(data):
    shape = data.draw(shapes(max_dims=3, max_side=3))
    p = data.draw(tensors(shape, min_value=0.05, max_value=0.95))
    t = data.draw(tensors(shape, min_value=0.0, max_value=1.0))
    gradcheck(BinaryCrossEntropy.apply, [p, t])
    gradgradcheck(BinaryCrossEntropy.apply, [p, t])


def test_probabilities_of_exactly_0_and_1_give_pytorchs_finite_numbers():
    # torch 2.13: F.binary_cross_entropy(p, t, reduction="none"), then .sum().backward()
    p = Tensor(np.float32([0, 0, 1, 1, 1e-30, 0.3, 1 - 1e-7]), requires_grad=True)
    t = np.float32([0, 1, 0, 1, 0.5, 0.2, 0.7])
    y = BinaryCrossEntropy.apply(p, Tensor(t))
    np.testing.assert_allclose(y.data, [0.0, 100.0, 100.0, 0.0, 34.53877639770508,
                                        0.5261345505714417, 4.782715797424316], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(p.grad.data, [0.0, -999999995904.0, 999999995904.0, 0.0,
                                             -499999997952.0, 0.4761905074119568,
                                             2516581.75], rtol=1e-6)


def test_the_target_gradient_is_that_of_the_clamped_loss():
    # Finite at p = 0 or 1, where PyTorch's (log(1 - p) - log p, unclamped) is infinite.
    p = Tensor(np.array([0.0, 1.0, 0.3]))
    t = Tensor(np.array([0.5, 0.5, 0.2]), requires_grad=True)
    BinaryCrossEntropy.apply(p, t).sum().backward()
    np.testing.assert_allclose(t.grad.data, [100.0, -100.0, np.log(0.7 / 0.3)])


def test_shape_rule_agrees_with_forward():
    p = Tensor(np.full((2, 3), 0.5, np.float32))
    y = BinaryCrossEntropy.apply(p, p)
    assert BinaryCrossEntropy.abstract_eval(ShapeDtype(p.shape, p.dtype),
                                            ShapeDtype(p.shape, p.dtype)) == (y.shape, y.dtype)
