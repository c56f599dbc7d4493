"""The per-image path's own pieces: each image's window columns against the loops, and their
adjoint, the per-image col2im."""

import numpy as np
from hypothesis import given

from tests import reference
from tests.kernels.adjoint import assert_adjoint
from tests.kernels.drawn import arrays_of, conv_geometry_of
from tinygrad_cnn.kernels import per_image
from tinygrad_cnn.testing.strategies import conv2d_args


@given(args=conv2d_args())
def test_the_columns_are_each_images_windows(args):
    g = conv_geometry_of(args)
    x, _ = arrays_of(args)
    want = reference.windows(x, g.kernel, g.stride, g.padding, g.dilation)
    N, (oH, oW) = x.shape[0], want.shape[4:]
    got = per_image.image_windows(x, g, (oH, oW))  # (N, G, K, P)
    np.testing.assert_array_equal(got, want.reshape(N, g.groups, -1, oH * oW))


@given(args=conv2d_args())
def test_image_col2im_is_the_adjoint_of_image_windows(args):
    g = conv_geometry_of(args)
    shape = arrays_of(args)[0].shape
    out = g.output_size(shape[2:])

    def col2im(c):  # each image's columns one kernel row at a time
        N, G, _, P = c.shape
        per_row = c.reshape(N, G, -1, *g.kernel, P)  # (N, G, Cg, kH, kW, P)
        rows = (per_row[:, :, :, i].reshape(N, G, -1, P) for i in range(g.kernel[0]))
        return per_image.image_col2im(rows, shape, c.dtype, g, out)

    back = assert_adjoint(lambda x: per_image.image_windows(x, g, out), col2im, shape)
    assert back.flags.c_contiguous
