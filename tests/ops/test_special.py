"""The error function: values against math.erf, its VJPs, its shape rule."""

import math

import numpy as np
from hypothesis import given

from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import ShapeDtype
from tinygrad_cnn.ops.special import Erf
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import tensors


def test_erf_matches_math_erf_to_float64_rounding():
    x = np.concatenate([np.linspace(-7, 7, 2001), [1e-300, -1e-12, 5.99, 6.01, np.inf]])
    got = Tensor(x).erf().data
    want = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(got, want, rtol=2e-14, atol=0)
    assert np.isnan(Tensor(np.array([np.nan])).erf().item())


def test_erf_keeps_float32():
    assert Tensor(np.float32([0.5])).erf().dtype == np.float32


@given(x=tensors(min_value=-4.0, max_value=4.0))
def test_erf_vjp(x):
    gradcheck(lambda t: t.erf(), [x])
    gradgradcheck(lambda t: t.erf(), [x])


def test_erf_shape_rule_agrees_with_forward():
    x = Tensor(np.zeros((2, 3), np.float32))
    y = x.erf()
    assert Erf.abstract_eval(ShapeDtype(x.shape, x.dtype)) == ShapeDtype(y.shape, y.dtype)
