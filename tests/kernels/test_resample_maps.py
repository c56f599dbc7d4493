"""The resampling kernels (`kernels/resample.py`): padding maps against NumPy's own padding, the
scatter as the gather's adjoint for every kind of map, and what the interpolation maps read."""

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from tests.kernels.adjoint import assert_adjoint
from tinygrad_cnn.kernels import resample
from tinygrad_cnn.testing.strategies import shapes

NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@st.composite
def padded(draw):
    """An array shape, NumPy-style (before, after) pairs of up to twice each side, a mode."""
    shape = draw(shapes(1, 3, max_side=4))
    pairs = tuple((draw(st.integers(0, 2 * n)), draw(st.integers(0, 2 * n))) for n in shape)
    return shape, pairs, draw(st.sampled_from(list(NUMPY_MODES)))


@given(case=padded())
def test_padding_maps_fold_positions_back_as_numpys_pad_does(case):
    shape, pairs, mode = case
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    got = resample.gather(x, resample.pad_maps(shape, pairs, mode))
    np.testing.assert_array_equal(got, np.pad(x, pairs, NUMPY_MODES[mode]))


@st.composite
def resampled(draw):
    """An (N, C, *spatial) shape and the maps of a padding or an interpolation of it."""
    shape = draw(shapes(3, 5, max_side=4))
    if draw(st.booleans()):
        pairs = tuple((draw(st.integers(0, 2 * n)), draw(st.integers(0, 2 * n)))
                      if axis >= 2 else (0, 0) for axis, n in enumerate(shape))
        return shape, resample.pad_maps(shape, pairs, draw(st.sampled_from(list(NUMPY_MODES))))
    size = tuple(draw(st.integers(1, 7)) for _ in shape[2:])
    scales = tuple(draw(st.none() | st.sampled_from([0.5, 1.5, 2.0])) for _ in shape[2:])
    mode = draw(st.sampled_from(["nearest", "linear"]))
    maps = resample.interpolation_maps(shape, size, mode, draw(st.booleans()), scales)
    return shape, maps


ONE_UNREAD = (1, 2, 4)  # nearest 4 -> 3 reads pixels 0, 1 and 2


@given(case=resampled(), seed=st.integers(0, 2**16))
@example(case=(ONE_UNREAD, resample.interpolation_maps(ONE_UNREAD, (3,), "nearest", False,
                                                       (None,))), seed=0)
def test_the_scatter_is_the_gathers_adjoint_for_every_map(case, seed):
    # positions read several times (upsampling, padding) or never (nearest downsampling)
    shape, maps = case
    assert_adjoint(lambda x: resample.gather(x, maps), lambda g: resample.scatter(g, maps),
                   shape, seed)


@given(size=st.integers(1, 9), out=st.integers(1, 12), align_corners=st.booleans())
def test_a_linear_map_reads_a_ramp_at_the_source_position(size, out, align_corners):
    m = resample.linear_map(size, out, align_corners, None)
    assert m.length == out and m.size == size
    assert ((m.index >= 0) & (m.index < size)).all()
    ramp = resample.gather(np.arange(size, dtype=np.float64), ((0, m),))
    o = np.arange(out)
    if size == out:
        source = o
    elif align_corners:
        source = o * (size - 1) / max(out - 1, 1)  # corner pixels on corner pixels
    else:
        source = (o + 0.5) * size / out - 0.5  # pixel centres on pixel centres
    np.testing.assert_allclose(ramp, np.clip(source, 0, size - 1), atol=1e-12)
    if m.weight is not None:
        assert (m.weight >= 0).all()
        np.testing.assert_allclose(m.weight.sum(axis=0), 1.0, rtol=1e-15)


@given(size=st.integers(1, 9), out=st.integers(1, 20))
def test_a_nearest_map_reads_in_order_inside_the_input(size, out):
    index = resample.nearest_map(size, out, None).index[0]
    assert index[0] == 0 and index[-1] <= size - 1
    assert (np.diff(index) >= 0).all()
    if out == 2 * size:
        assert index.tolist() == [o // 2 for o in range(out)]  # PyTorch's exact 2x shortcut
