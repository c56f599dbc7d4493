"""The batch-innermost im2col path's own pieces: the window columns against the loops, col2im as
their adjoint, and the row layouts around the products."""

import numpy as np
import pytest
from hypothesis import given

from tests import reference
from tests.kernels.adjoint import assert_adjoint
from tests.kernels.drawn import arrays_of, conv_geometry_of
from tinygrad_cnn.kernels import im2col
from tinygrad_cnn.testing.strategies import conv2d_args


def _columns(x, g):
    """The loops' windows as im2col lays them out: (G, Cg·kH·kW, oH·oW·N)."""
    want = reference.windows(x, g.kernel, g.stride, g.padding, g.dilation)
    N, C, kH, kW, oH, oW = want.shape
    want = want.reshape(N, g.groups, C // g.groups, kH, kW, oH, oW).transpose(1, 2, 3, 4, 5, 6, 0)
    return want.reshape(g.groups, -1, oH * oW * N)


@given(args=conv2d_args())
def test_the_columns_are_the_windows_batch_innermost(args):
    g = conv_geometry_of(args)
    x, _ = arrays_of(args)
    np.testing.assert_array_equal(im2col.im2col(x, g, g.output_size(x.shape[2:])), _columns(x, g))


@given(args=conv2d_args())
def test_col2im_is_the_adjoint_of_im2col(args):
    g = conv_geometry_of(args)
    shape = arrays_of(args)[0].shape
    out = g.output_size(shape[2:])

    def col2im(c):  # the columns one kernel row at a time, as the transposed conv makes them
        per_row = c.reshape(g.groups, -1, *g.kernel, c.shape[-1])  # (G, Cg, kH, kW, P·N)
        rows = (per_row[:, :, i].reshape(g.groups, -1, c.shape[-1]) for i in range(g.kernel[0]))
        return im2col.col2im(rows, shape, c.dtype, g, out)

    back = assert_adjoint(lambda x: im2col.im2col(x, g, out), col2im, shape)
    assert back.flags.c_contiguous


@pytest.mark.parametrize(("shape", "groups"), [((3, 4, 2, 5), 2), ((70, 3, 4, 4), 1)])
def test_rows_and_back_give_the_images_unchanged(shape, groups):
    x = np.random.default_rng(2).standard_normal(shape)
    rows = im2col.to_rows(x, groups)  # (G, Cg, h·w·N), the batch innermost
    N, C, h, w = shape
    assert rows.shape == (groups, C // groups, h * w * N)
    assert rows[0, 0, :N].tolist() == x[:, 0, 0, 0].tolist()
    assert im2col.from_rows(rows, N, (h, w)).tobytes() == x.tobytes()
