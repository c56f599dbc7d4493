"""The average-pooling kernels: the spread as the average's adjoint, PyTorch's divisors, and the
averaging matrices of adaptive pooling."""

import numpy as np
from hypothesis import given

from tests import reference
from tests.kernels.adjoint import assert_adjoint
from tests.kernels.drawn import pool_geometry_of
from tinygrad_cnn.geometry import pool_geometry
from tinygrad_cnn.kernels import avg_pool
from tinygrad_cnn.testing.strategies import adaptive_pool2d_args, avg_pool2d_args


def _options(args):
    return args.kwargs["count_include_pad"], args.kwargs.get("divisor_override")


@given(args=avg_pool2d_args())
def test_the_spread_is_the_adjoint_of_the_average(args):
    g, shape = pool_geometry_of(args), args.tensors[0].shape
    assert_adjoint(lambda x: avg_pool.average(x, g, *_options(args)),
                   lambda gy: avg_pool.spread(gy, shape[2:], g, *_options(args)), shape)


@given(args=avg_pool2d_args())
def test_without_the_padding_in_the_count_a_constant_averages_to_itself(args):
    g, (x,) = pool_geometry_of(args), args.tensors
    y = avg_pool.average(np.full(x.shape, 2.5), g, False, None)
    np.testing.assert_allclose(y, 2.5, rtol=1e-15)  # every drawn window sees the input


def test_divisors_count_the_padding_but_not_the_ceil_mode_overhang():
    # 4 pixels, kernel 3, stride 2, padding 1, ceil mode: windows over -1..1, 1..3 and 3..5,
    # where -1 and 4 are padding and 5 is the overhang past it
    g = pool_geometry("test", (1, 3), (1, 2), (0, 1), 1, True, 2)
    size, out = (1, 4), (1, 3)
    assert g.output_size(size) == out
    with_pad = avg_pool.window_divisor(size, out, g, True, None, np.float64)
    without = avg_pool.window_divisor(size, out, g, False, None, np.float64)
    assert with_pad.tolist() == [[3, 3, 2]] and without.tolist() == [[2, 3, 1]]
    assert avg_pool.window_divisor(size, out, g, True, 7, np.float32) == np.float32(7)


@given(args=adaptive_pool2d_args())
def test_the_averaging_matrices_pool_each_adaptive_window(args):
    (x,) = args.tensors
    H, W = x.shape[2:]
    oH, oW = (n if o is None else o for o, n in zip(args.kwargs["output_size"], (H, W)))
    rows = avg_pool.averaging_matrix(H, oH, x.dtype)
    cols = avg_pool.averaging_matrix(W, oW, x.dtype)
    assert rows.shape == (oH, H) and rows.dtype == x.dtype
    assert avg_pool.averaging_matrix(H, oH, np.float32).dtype == np.float32
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, rtol=1e-15)
    want = reference.adaptive_avg_pool2d(x.data, (oH, oW))
    np.testing.assert_allclose(rows @ x.data @ cols.T, want, atol=1e-12)
