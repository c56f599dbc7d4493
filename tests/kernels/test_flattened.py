"""The flattened-image path called directly, on the shapes its tricks meet at their edges: taps
that read to the very end of the images laid end to end, and transposed convs whose padding
crops the flipped kernel's full padding."""

import numpy as np
import pytest

from tests import reference
from tinygrad_cnn.geometry import conv_geometry, conv_transpose_geometry
from tinygrad_cnn.kernels import flattened

CONVS = [  # (x shape, w shape, padding, dilation, groups)
    ((3, 2, 4, 4), (2, 2, 4, 4), 0, 1, 1),  # one window per image: the taps reach its end
    ((2, 4, 5, 6), (4, 2, 2, 3), ((0, 2), (1, 0)), (3, 1), 2),  # dilated, uneven padding
    ((2, 1, 1, 7), (3, 1, 1, 3), 0, 2, 1),  # one row per image
]


@pytest.mark.parametrize(("x_shape", "w_shape", "padding", "dilation", "groups"), CONVS)
def test_conv_and_weight_grad_match_the_loops_at_the_edges(x_shape, w_shape, padding, dilation,
                                                           groups):
    g = conv_geometry("test", w_shape[2:], 1, padding, dilation, groups, 2)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    y = flattened.conv(x, w, g, g.output_size(x_shape[2:]))
    gy = rng.standard_normal(y.shape)
    want, _, want_gw = reference.conv2d_grads(x, w, gy, g.stride, g.padding, g.dilation, groups)
    np.testing.assert_allclose(y, want, atol=1e-12)
    np.testing.assert_allclose(flattened.weight_grad(x, gy, g), want_gw, atol=1e-12)


TRANSPOSED = [  # (x shape, w shape, padding, output_padding, dilation, groups)
    ((2, 2, 4, 3), (2, 3, 1, 1), 1, 0, 1, 1),  # padding past d (k - 1) = 0: the input cropped
    ((1, 4, 5, 3), (4, 1, 2, 3), (2, 1), (0, 1), (1, 2), 2),  # rows cropped, columns padded
    ((2, 1, 3, 5), (1, 2, 3, 3), 1, 0, 1, 1),  # padding equal to d (k - 1): nothing cropped
    ((2, 2, 3, 6), (2, 2, 1, 2), (0, 3), (0, 1), (1, 2), 1),  # the output padding cut back
]


@pytest.mark.parametrize(("x_shape", "w_shape", "padding", "output_padding", "dilation",
                          "groups"), TRANSPOSED)
def test_conv_transpose_matches_the_loops_when_its_padding_crops(x_shape, w_shape, padding,
                                                                 output_padding, dilation, groups):
    g = conv_transpose_geometry("test", w_shape[2:], 1, padding, output_padding, dilation,
                                groups, 2)
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    y = flattened.conv_transpose(x, w, g, g.transposed_size(x_shape[2:]))
    want = reference.conv_transpose2d(x, w, g.stride, g.padding, g.output_padding, g.dilation,
                                      groups)
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, atol=1e-12)
