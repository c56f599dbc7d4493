"""Property tests of the reduction primitives (sum, max) and the means built on them."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn import Tensor
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import shapes, spaced_arrays, tensors


@st.composite
def tensor_and_dims(draw, values=None):
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=4))
    x = draw(values(shape) if values else tensors(shape))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1),
                         unique_by=lambda d: d % len(shape), max_size=len(shape)))
    return x, tuple(dims) or None, draw(st.booleans())


@pytest.mark.parametrize("method", ["sum", "mean"])
@given(args=tensor_and_dims())
def test_sum_and_mean_vjp(method, args):
    x, dims, keepdim = args
    fn = lambda t: getattr(t, method)(dims, keepdim)  # noqa: E731
    gradcheck(fn, [x])
    gradgradcheck(fn, [x])


def _spaced(shape):
    return spaced_arrays(shape).map(lambda a: Tensor(a, requires_grad=True))


@pytest.mark.parametrize("method", ["amax", "amin"])
@given(args=tensor_and_dims(values=_spaced))
def test_max_min_vjp_without_ties(method, args):
    x, dims, keepdim = args
    fn = lambda t: getattr(t, method)(dims, keepdim)  # noqa: E731
    gradcheck(fn, [x])
    gradgradcheck(fn, [x])


@given(x=tensors(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4)))
def test_var_matches_numpy(x):
    # atol: the variance of equal values is rounding noise (1e-32), summed in another order
    np.testing.assert_allclose(x.var(0).data, np.var(x.data, axis=0, ddof=1), atol=1e-12)
    np.testing.assert_allclose(x.var(correction=0).data, np.var(x.data), atol=1e-12)
    gradcheck(lambda t: t.var(0, correction=0), [x])


def test_tied_maxima_share_the_gradient():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]), requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0.5, 0.5], [1, 0, 0]])


def test_max_over_dim_returns_values_and_indices():
    x = Tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]))
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values.data, [5.0, 7.0])
    np.testing.assert_array_equal(indices.data, [1, 0])
    assert x.max().item() == 7.0
    assert x.min(dim=0).values.tolist() == [1.0, 0.0, 2.0]


def test_numpy_axis_and_keepdims_aliases():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    assert x.mean(axis=0).tolist() == [1.5, 2.5, 3.5]


def test_dim_out_of_range_names_the_op():
    with pytest.raises(ValueError, match="sum: dim 2 is out of range"):
        Tensor(np.ones((2, 3))).sum(2)
