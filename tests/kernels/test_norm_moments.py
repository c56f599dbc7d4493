"""The normalisation statistics (`kernels/norm.py`): sums of squares and moments over any dims
against NumPy, in two passes (no cancellation far from zero), the same bits at 1 and 2 threads."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tests.threadpool import threads
from tinygrad_cnn.kernels import norm
from tinygrad_cnn.testing.strategies import float_arrays, shapes


def test_trailing_dims_counts_the_reduced_dims_at_the_end():
    assert norm.trailing_dims(4, (1, 2, 3)) == 3
    assert norm.trailing_dims(4, (0, 2)) == 0
    assert norm.trailing_dims(4, (0, 3)) == 1
    assert norm.trailing_dims(2, (0, 1)) == 2


@st.composite
def reduced(draw):
    """An array and the dims to reduce it over (a channel dim is usually kept, as by norms)."""
    shape = draw(shapes(1, 4, max_side=5))
    dims = draw(st.sets(st.integers(0, len(shape) - 1), min_size=1).map(lambda s: tuple(sorted(s))))
    return draw(float_arrays(shape, np.float64)), dims


@given(case=reduced(), eps=st.sampled_from([1e-5, 0.1]))
def test_moments_are_numpys_and_sums_of_squares_too(case, eps):
    x, dims = case
    centred, mean, var, rstd = norm.moments(x, dims, eps)
    np.testing.assert_allclose(mean, x.mean(axis=dims, keepdims=True), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(centred, x - mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(var, x.var(axis=dims, keepdims=True), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rstd, 1 / np.sqrt(var + eps), rtol=1e-12)
    squares = norm.sum_of_squares(centred, dims)
    np.testing.assert_allclose(squares, np.square(centred).sum(axis=dims, keepdims=True),
                               rtol=1e-10, atol=1e-12)
    with threads(1):
        one = norm.moments(x, dims, eps)
    with threads(2):  # every kernel in its smallest parts
        two = norm.moments(x, dims, eps)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(one, two))


def test_far_from_zero_the_variance_keeps_its_digits_in_float32():
    # E[x²] - E[x]² at 1e4 ± 1 in float32 loses the variance to rounding; two passes keep it
    x = (1e4 + np.random.default_rng(0).standard_normal((8, 3, 16, 16))).astype(np.float32)
    centred, mean, var, rstd = norm.moments(x, (0, 2, 3), 1e-5)
    assert {a.dtype for a in (centred, mean, var, rstd)} == {np.dtype(np.float32)}
    want = x.astype(np.float64).var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(var, want, rtol=1e-3)
