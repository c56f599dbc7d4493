"""The error function kernel (`kernels/special.py`) against math.erf over every finite float64,
its symmetry, dtypes and special values, and its range."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_cnn.kernels.special import erf

FLOAT64 = st.floats(allow_nan=False, allow_infinity=False)


@given(x=hnp.arrays(np.float64, st.integers(1, 20), elements=FLOAT64))
def test_erf_matches_math_erf_anywhere_and_is_odd(x):
    got = erf(x)
    want = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(got, want, rtol=2e-14, atol=1e-300)  # subnormals aside
    assert erf(-x).tobytes() == (-got).tobytes()


@given(x=hnp.arrays(np.float32, st.integers(1, 20), elements=st.floats(-8, 8, width=32)))
def test_float32_stays_float32_within_one_rounding_of_math_erf(x):
    got = erf(x)
    assert got.dtype == np.float32
    want = np.array([math.erf(v) for v in x.astype(np.float64)], dtype=np.float32)
    np.testing.assert_array_max_ulp(got, want, maxulp=1)


def test_special_values_and_shapes():
    x = np.array([[np.inf, -np.inf], [np.nan, -0.0]])
    y = erf(x)
    assert y.shape == (2, 2) and y[0].tolist() == [1.0, -1.0]
    assert np.isnan(y[1, 0]) and y[1, 1] == 0 and np.signbit(y[1, 1])
    scalar = erf(np.array(0.5))
    assert scalar.shape == () and float(scalar) == pytest.approx(math.erf(0.5), rel=1e-15)


def test_erf_never_leaves_minus_one_to_one():
    x = np.linspace(4.0, 7.0, 300_001)
    assert np.abs(erf(x)).max() <= 1.0
    assert np.abs(erf(-x)).max() <= 1.0
