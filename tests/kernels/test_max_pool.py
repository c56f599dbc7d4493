"""The max-pooling kernels: winner masks (one tap per window, the first maximum on ties, PyTorch's
scan with NaN), the gather and scatter through them as each other's adjoints, the plane indices,
and the adaptive windows' winners."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests import reference
from tests.kernels.adjoint import assert_adjoint
from tests.kernels.drawn import pool_geometry_of
from tinygrad_cnn.geometry import pool_geometry
from tinygrad_cnn.kernels import max_pool
from tinygrad_cnn.testing.strategies import adaptive_pool2d_args, pool2d_args


def _with_ties(shape, seed=0):
    """Values from {0, 1, 2}: most windows hold a tied maximum."""
    return np.random.default_rng(seed).integers(0, 3, shape).astype(np.float64)


@given(args=pool2d_args(), seed=st.integers(0, 2**16))
def test_each_window_has_one_winner_the_first_maximum_even_on_ties(args, seed):
    g = pool_geometry_of(args)
    x = _with_ties(args.tensors[0].shape, seed)
    best, winners = max_pool.window_max(x, g)
    want, want_index, _ = reference.max_pool2d_grads(x, None, g.kernel, g.stride,
                                                     [p for p, _ in g.padding], g.dilation,
                                                     g.ceil_mode)
    assert winners.shape == (len(max_pool.taps(g)), *best.shape) and winners.dtype == bool
    assert (winners.sum(axis=0) == 1).all()
    np.testing.assert_array_equal(best, want)
    np.testing.assert_array_equal(max_pool.plane_indices(winners, x.shape[2:], g), want_index)
    assert max_pool.gather(x, winners, g).tobytes() == best.tobytes()


def _scatter_by_index(grad, index, size):
    """zeros (N, C, H, W) with each grad value added at its flat plane index, by np.add.at."""
    N, C = grad.shape[:2]
    out = np.zeros((N, C, size[0] * size[1]))
    n, c = np.arange(N)[:, None, None, None], np.arange(C)[None, :, None, None]
    np.add.at(out, (n, c, index), grad)
    return out.reshape(N, C, *size)


def _check_scatter(x, g):
    best, winners = max_pool.window_max(x, g)
    size = x.shape[2:]
    gy = np.random.default_rng(1).standard_normal(best.shape)
    back = max_pool.scatter(gy, winners, size, g)
    index = max_pool.plane_indices(winners, size, g)
    np.testing.assert_allclose(back, _scatter_by_index(gy, index, size), atol=1e-12)
    assert_adjoint(lambda z: max_pool.gather(z, winners, g),
                   lambda gz: max_pool.scatter(gz, winners, size, g), x.shape)


@given(args=pool2d_args())
def test_the_scatter_adds_each_gradient_at_its_winner_and_is_the_gathers_adjoint(args):
    _check_scatter(args.tensors[0].data, pool_geometry_of(args))


@pytest.mark.parametrize(("kernel", "stride", "padding"), [
    (2, 2, 0),  # the windows tile the input: each tap writes its share in place
    (3, 1, 1),  # overlapping windows accumulate
])
def test_the_tiled_and_the_overlapping_scatter(kernel, stride, padding):
    g = pool_geometry("test", kernel, stride, padding, 1, False, 2)
    _check_scatter(_with_ties((2, 3, 4, 6)), g)


@given(views=st.integers(1, 9).flatmap(lambda k: hnp.arrays(
    np.float64, (k, 6), elements=st.sampled_from([0.0, 1.0, 2.0, np.nan]))))
def test_with_nan_a_later_tap_takes_over_when_greater_or_nan_as_in_pytorch(views):
    want = np.zeros(views.shape, dtype=bool)
    for column in range(views.shape[1]):  # PyTorch's scan, one window at a time
        best, where = views[0, column], 0
        for k in range(1, len(views)):
            if views[k, column] > best or np.isnan(views[k, column]):
                best, where = views[k, column], k
        want[where, column] = True
    np.testing.assert_array_equal(max_pool.taking_over(list(views)), want)


@given(args=adaptive_pool2d_args(), seed=st.integers(0, 2**16))
def test_adaptive_winners_are_the_first_maximum_of_each_window_even_on_ties(args, seed):
    x = _with_ties(args.tensors[0].shape, seed)
    size = tuple(n if o is None else o for o, n in zip(args.kwargs["output_size"], x.shape[2:]))
    want, want_index = reference.adaptive_max_pool2d(x, size)
    winners = max_pool.adaptive_winners(x, size)
    np.testing.assert_array_equal(winners, want_index)
    np.testing.assert_array_equal(x[max_pool.plane_index(winners, x.shape[3])], want)
