"""The window helpers of the conv and pool kernels: padding, kernel taps as strided views, the
cache-friendly transposing copy and the batch-innermost layouts, kernel rows, a transposed conv
as a conv, adaptive windows."""

import itertools

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests import reference
from tests.kernels.drawn import arrays_of, conv_geometry_of
from tinygrad_cnn import Tensor
from tinygrad_cnn.kernels import windows
from tinygrad_cnn.testing.strategies import (
    OpArgs,
    conv2d_args,
    conv_transpose2d_args,
    float_arrays,
    shapes,
)

PADS = st.tuples(*[st.integers(0, 2)] * 4).map(lambda p: ((p[0], p[1]), (p[2], p[3])))


@given(x=float_arrays(shapes(4, 4, max_side=4)), padding=PADS,
       value=st.sampled_from([0.0, -np.inf]),
       grow=st.none() | st.tuples(st.integers(0, 9), st.integers(0, 9)))
def test_pad_puts_the_input_on_a_canvas_grown_to_at_least_size(x, padding, value, grow):
    want = np.pad(x, ((0, 0), (0, 0), *padding), constant_values=value)
    if grow is not None:
        extra = [max(0, n - m) for n, m in zip(grow, want.shape[2:])]
        want = np.pad(want, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1])), constant_values=value)
    got = windows.pad(x, padding, value, size=grow)
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got, want)


def test_pad_without_padding_or_growth_is_the_input_itself():
    x = np.ones((1, 2, 3, 3))
    assert windows.pad(x, ((0, 0), (0, 0))) is x
    assert windows.pad(x, ((0, 0), (0, 0)), size=(2, 3)) is x  # smaller than the input


@given(args=conv2d_args())
def test_each_tap_is_a_view_of_that_element_of_every_window(args):
    g = conv_geometry_of(args)
    x, _ = arrays_of(args)
    out = g.output_size(x.shape[2:])
    want = reference.windows(x, g.kernel, g.stride, g.padding, g.dilation)
    canvas = windows.pad(x, g.padding)
    assert windows.taps(g) == list(itertools.product(*map(range, g.kernel)))  # row-major
    for i, j in windows.taps(g):
        view = windows.tap(canvas, i, j, out, g)
        assert np.shares_memory(view, canvas)  # writes through it land on the canvas
        np.testing.assert_array_equal(view, want[:, :, i, j])


def test_slab_rows_are_eight_when_rows_fall_in_one_cache_set():
    assert [windows.slab_rows(4096 * k) for k in (1, 2, 3)] == [8, 8, 8]
    assert windows.slab_rows(2048) == 16  # every other row shares a set
    assert windows.slab_rows(4100) == windows.slab_rows(400) == windows.SLAB


@given(rows=st.integers(1, 150), cols=st.sampled_from([1, 63, 64, 100, 512, 1024]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_transposed_is_a_contiguous_transpose_in_slabs_or_not(rows, cols, dtype):
    # (R, 1024) float32 and (R, 512) float64 rows are 4 KiB apart: slabs of 8 rows
    a = np.arange(rows * cols, dtype=dtype).reshape(rows, cols)
    t = windows.transposed(a)
    assert t.flags.c_contiguous and t.dtype == a.dtype
    np.testing.assert_array_equal(t, a.T)


@pytest.mark.parametrize(("shape", "padding"), [
    ((20, 4, 16, 16), ((0, 0), (0, 0))),  # float32 images of 4 KiB: the slab copy
    ((20, 4, 16, 16), ((1, 0), (2, 1))),
    ((3, 2, 5, 7), ((1, 1), (0, 2))),  # rows too short for slabs
])
def test_batch_last_and_batch_first_are_inverse_layouts(shape, padding):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    last = windows.batch_last(x, padding)  # (C, Hp, Wp, N)
    np.testing.assert_array_equal(last, np.pad(x, ((0, 0), (0, 0), *padding)).transpose(1, 2, 3, 0))
    back = windows.batch_first(windows.batch_last(x, ((0, 0), (0, 0))))
    assert back.flags.c_contiguous and back.tobytes() == x.tobytes()


@pytest.mark.parametrize(("shape", "groups"), [((4, 3, 2, 5), 2), ((3, 2, 3, 1), 1)])
def test_kernel_rows_hold_each_kernel_row_per_group(shape, groups):
    w = np.random.default_rng(1).standard_normal(shape)  # (C, Og, kH, kW)
    C, Og, kH, kW = shape
    rows = windows.kernel_rows(w, groups)
    assert rows.shape == (kH, groups, Og * kW, C // groups)
    for i, g, o, j, c in itertools.product(range(kH), range(groups), range(Og), range(kW),
                                           range(C // groups)):
        assert rows[i, g, o * kW + j, c] == w[g * (C // groups) + c, o, i, j]


CROPPED = OpArgs(  # a 1x1 kernel with padding 1: the input loses a row and column each side
    (Tensor(np.arange(12.0).reshape(1, 1, 3, 4)), Tensor(np.full((1, 1, 1, 1), 2.0))),
    {"stride": 1, "padding": 1, "output_padding": 0, "groups": 1, "dilation": 1})


@given(args=conv_transpose2d_args(stride=1))
@example(args=CROPPED)
def test_a_stride_1_transposed_conv_is_the_conv_with_the_flipped_kernel(args):
    # by the loops alone: whatever as_convolution crops, flips and pads, the plain conv of
    # it is the transposed conv (padding past d (k - 1) crops the input instead)
    g = conv_geometry_of(args, transposed=True)
    x, w = arrays_of(args)
    cropped, flipped, full = windows.as_convolution(x, w, g)
    want = reference.conv_transpose2d(x, w, g.stride, g.padding, g.output_padding, g.dilation,
                                      g.groups)
    got = reference.conv2d(cropped, flipped, full.stride, full.padding, full.dilation, g.groups)
    np.testing.assert_allclose(got, want, atol=1e-12)


@given(n=st.integers(1, 40), o=st.integers(1, 50))
def test_adaptive_windows_are_pytorchs_and_cover_the_input(n, o):
    start, end = windows.adaptive_windows(n, o)
    assert start.tolist() == [i * n // o for i in range(o)]
    assert end.tolist() == [-(-(i + 1) * n // o) for i in range(o)]  # ceil((i + 1) n / o)
    assert start[0] == 0 and end[-1] == n and (end > start).all()
    assert (start[1:] <= end[:-1]).all()  # no pixel between two windows is left out
