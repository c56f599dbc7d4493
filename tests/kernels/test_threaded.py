"""NumPy's calls in parts (`kernels/threaded.py`), at two threads with every call cut into its
smallest parts: each gives what the one NumPy call gives, for every broadcast and option."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.threadpool import threads
from tinygrad_cnn.kernels import threaded
from tinygrad_cnn.testing.strategies import broadcastable_shapes, float_arrays, shapes


@pytest.fixture(autouse=True)
def _two_threads_smallest_parts():
    with threads(2):
        yield


@given(data=st.data(), shapes=broadcastable_shapes(2, min_dims=1),
       function=st.sampled_from([np.add, np.multiply, np.maximum]),
       dtype=st.sampled_from([None, np.float64]))
def test_a_ufunc_in_parts_is_the_ufunc_bit_for_bit(data, shapes, function, dtype):
    # inputs without the result's first axis, or with it as 1, go whole to every part
    a, b = (data.draw(float_arrays(shape, np.float32)) for shape in shapes)
    want = function(a, b) if dtype is None else function(a, b, dtype=dtype)
    got = threaded.ufunc(function, a, b, dtype=dtype)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


@given(data=st.data(), shape=shapes(min_dims=1, max_dims=4, max_side=6), keepdims=st.booleans())
def test_a_sum_in_parts_is_numpys_sum(data, shape, keepdims):
    x = data.draw(float_arrays(shape, np.float64))
    axes = data.draw(st.sets(st.integers(-len(shape), len(shape) - 1), min_size=1)
                     .filter(lambda s: len({a % len(shape) for a in s}) == len(s)).map(tuple))
    want = x.sum(axis=axes, keepdims=keepdims)
    got = threaded.total(x, axes, keepdims)
    assert got.shape == want.shape and got.dtype == want.dtype
    if all(a % len(shape) != 0 for a in axes):  # each output from its own rows: no reordering
        assert got.tobytes() == want.tobytes()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("a_shape", "b_shape"), [
    ((9, 4), (4, 3)),
    ((2, 7, 5), (5, 2)),  # a batch of a, one b
    ((3, 1, 6, 4), (2, 4, 5)),  # batch dims broadcast on both sides
])
def test_a_product_in_parts_is_numpys_product(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    want = a @ b
    got = threaded.matmul(a, b)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
