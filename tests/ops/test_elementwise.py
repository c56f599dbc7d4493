"""Property tests of the elementwise primitives' VJPs, first and second order."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn import Tensor
from tinygrad_cnn.ops.elementwise import HardTanh
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import (
    broadcastable_shapes,
    float_arrays,
    positive_tensors,
    shapes,
    tensors,
)

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


@st.composite
def broadcast_pair(draw, positive_b=False):
    shape_a, shape_b = draw(broadcastable_shapes(max_dims=3, max_side=3))
    a = draw(tensors(shape_a))
    b = draw(positive_tensors(shape_b) if positive_b else tensors(shape_b))
    return a, b


@pytest.mark.parametrize("name", ["add", "sub", "mul"])
@given(pair=broadcast_pair())
def test_binary_vjp_with_broadcasting(name, pair):
    gradcheck(BINARY[name], pair)
    gradgradcheck(BINARY[name], pair)


@pytest.mark.parametrize("name", ["div", "pow"])
@given(pair=broadcast_pair(positive_b=True))
def test_div_and_pow_vjp(name, pair):
    a, b = pair
    if name == "pow":
        a = Tensor(np.abs(a.data) + 0.5, requires_grad=True)  # a**b needs a > 0 for real d/db
    gradcheck(BINARY[name], [a, b])
    gradgradcheck(BINARY[name], [a, b])


UNARY_SMOOTH = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "softmax": lambda x: x.softmax(-1),
    "log_softmax": lambda x: x.log_softmax(0) if x.ndim else x,
}


@pytest.mark.parametrize("name", sorted(UNARY_SMOOTH))
@given(x=tensors(shapes(max_dims=3, max_side=4)))
def test_smooth_unary_vjp(name, x):
    gradcheck(UNARY_SMOOTH[name], [x])
    gradgradcheck(UNARY_SMOOTH[name], [x])


@pytest.mark.parametrize("name", ["log", "sqrt"])
@given(x=positive_tensors(shapes(max_dims=3, max_side=4)))
def test_unary_on_positive_vjp(name, x):
    fn = {"log": lambda t: t.log(), "sqrt": lambda t: t.sqrt()}[name]
    gradcheck(fn, [x])
    gradgradcheck(fn, [x])


KINKED = {
    "abs": lambda x: x.abs(),
    "relu": lambda x: x.relu(),
    "clip": lambda x: x.clip(-1.0, 1.0),
    "hardtanh": lambda x: HardTanh.apply(x, low=-1.0, high=1.0),
}


@pytest.mark.parametrize("name", sorted(KINKED))
@given(array=float_arrays(shapes(max_dims=3, max_side=4), min_magnitude=0.01))
def test_kinked_unary_vjp_off_the_kink(name, array):
    array = array[np.abs(np.abs(array) - 1.0) > 0.01] if name in ("clip", "hardtanh") else array
    x = Tensor(np.ascontiguousarray(array), requires_grad=True)
    if x.numel():
        gradcheck(KINKED[name], [x])
        gradgradcheck(KINKED[name], [x])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(shape=shapes(max_dims=3, max_side=4), data=st.data())
def test_maximum_minimum_vjp_without_ties(name, shape, data):
    a = data.draw(float_arrays(shape))
    offset = data.draw(float_arrays(shape, min_value=0.05, max_value=1.0))
    sign = np.where(data.draw(float_arrays(shape)) > 0, 1.0, -1.0)
    x, y = Tensor(a, requires_grad=True), Tensor(a + sign * offset, requires_grad=True)
    fn = (lambda p, q: p.maximum(q)) if name == "maximum" else (lambda p, q: p.minimum(q))
    gradcheck(fn, [x, y])
    gradgradcheck(fn, [x, y])


@given(pair=broadcast_pair(), data=st.data())
def test_where_vjp(pair, data):
    a, b = pair
    shape = np.broadcast_shapes(a.shape, b.shape)
    condition = data.draw(float_arrays(shape)) > 0
    gradcheck(lambda p, q: p.where(condition, q), [a, b])
    gradgradcheck(lambda p, q: p.where(condition, q), [a, b])


@given(a=tensors(shapes(max_dims=3, max_side=4)), data=st.data())
def test_where_with_zero_other_takes_the_product_path_and_keeps_its_vjps(a, data):
    # a where c else 0 runs as a * c (branch-free); the VJPs are the same tensor ops
    condition = data.draw(float_arrays(a.shape)) > 0
    zero = Tensor(np.zeros((), a.dtype))
    np.testing.assert_array_equal(a.where(condition, zero).data, np.where(condition, a.data, 0))
    gradcheck(lambda p: p.where(condition, 0.0), [a])
    gradgradcheck(lambda p: p.where(condition, 0.0), [a])


@pytest.mark.parametrize("special", [np.inf, -np.inf, np.nan])
def test_where_with_zero_other_masks_inf_and_nan_like_np_where(special):
    a = np.array([1.0, special, special, -2.0])
    condition = np.array([True, False, True, False])
    out = Tensor(a).where(condition, 0.0).data
    np.testing.assert_array_equal(out, np.where(condition, a, 0.0))


def test_cast_vjp_returns_input_dtype():
    x = Tensor(np.array([1.5, -2.0]), requires_grad=True)
    y = x.float()
    assert y.dtype == np.float32
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_relu_gradient_is_zero_at_and_below_zero():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])


def test_maximum_splits_the_gradient_on_ties():
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 0.0]), requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.0])


def test_sigmoid_is_finite_for_huge_inputs():
    x = Tensor(np.array([-1e4, 1e4], dtype=np.float32), requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [0.0, 1.0])
    assert np.isfinite(x.grad.data).all()


def test_float32_stays_float32():
    x = Tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    y = ((x * 2 + 1) / 3 - 0.5) ** 2
    y = y.exp().log().sqrt().sigmoid().tanh().relu().abs().clip(0, 1)
    y.sum().backward()
    assert y.dtype == np.float32
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_shape_mismatch_names_the_op_and_shapes(name):
    with pytest.raises(ValueError, match=rf"{name}: shapes \(2, 3\) and \(4,\)"):
        BINARY[name](Tensor(np.ones((2, 3))), Tensor(np.ones(4)))


def test_sigmoid_keeps_small_values_as_pytorch_does():
    # torch 2.13: torch.sigmoid in float32 and float64; 1 / (1 + e^-x) is 2e-9 at -20, not 0
    x = [-20.0, -40.0, -88.0, -104.0, 20.0, 0.0, -1e-3, 3.0]
    np.testing.assert_allclose(
        Tensor(np.float32(x)).sigmoid().data,
        [2.06115369216775e-09, 4.24835413113866e-18, 6.054601485195952e-39, 0.0, 1.0, 0.5,
         0.499750018119812, 0.9525741338729858], rtol=1e-6, atol=0)
    np.testing.assert_allclose(
        Tensor(np.float64([*x, -800.0])).sigmoid().data,
        [2.0611536181902037e-09, 4.248354255291589e-18, 6.054601895401186e-39,
         6.813556821545298e-46, 0.9999999979388463, 0.5, 0.4997500000208333, 0.9525741268224334,
         0.0], rtol=1e-14, atol=0)
