"""The per-image path's own pieces: each image's window columns against the loops, and their
adjoint, the per-image col2im."""

import numpy as np
import pytest
from hypothesis import given

from tests import reference
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
    x, _ = arrays_of(args)
    out = g.output_size(x.shape[2:])
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x.shape)
    cols = per_image.image_windows(x, g, out)
    c = rng.standard_normal(cols.shape)
    N, G, _, P = c.shape
    kH, kW = g.kernel
    per_row = c.reshape(N, G, -1, kH, kW, P)  # (N, G, Cg, kH, kW, P)
    rows = (per_row[:, :, :, i].reshape(N, G, -1, P) for i in range(kH))
    back = per_image.image_col2im(rows, x.shape, x.dtype, g, out)
    assert back.shape == x.shape and back.flags.c_contiguous
    assert np.vdot(cols, c) == pytest.approx(np.vdot(x, back), rel=1e-12, abs=1e-12)
