"""The Winograd path's transforms (`kernels/winograd.py`): the input transform against Bᵀ d B
tile by tile, the output gradient's tiles as the adjoint of the output transform (also where
the last tiles overhang an odd output), one tile against a direct 3×3 conv, and its sizes."""

import itertools

import numpy as np
import pytest

from tests.kernels.adjoint import assert_adjoint
from tinygrad_cnn.geometry import conv_geometry
from tinygrad_cnn.kernels import winograd

# Lavin and Gray's F(2x2, 3x3): the input transform Bᵀ and the output transform Aᵀ
B_T = np.array([[1.0, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]])
A_T = np.array([[1.0, 1, 1, 0], [0, 1, -1, -1]])


@pytest.mark.parametrize(("shape", "padding", "groups"), [
    ((2, 2, 6, 6), 1, 1),
    ((1, 4, 5, 7), (0, 1), 2),  # odd sizes: the last tiles read past the padded input
])
def test_the_input_tiles_are_bt_d_b_of_each_4x4_tile(shape, padding, groups):
    g = conv_geometry("test", 3, 1, padding, 1, groups, 2)
    x = np.random.default_rng(0).standard_normal(shape)
    out = g.output_size(shape[2:])
    tiles = winograd._tiles(out)
    V = winograd._input_tiles(x, g, tiles)  # (16, G, Cg, T), T ordered (tile row, column, n)
    N, C = shape[:2]
    assert V.shape == (16, groups, C // groups, tiles[0] * tiles[1] * N)
    assert V.size == winograd.values_per_image(shape[1:], g) * N
    (top, _), (left, _) = g.padding
    padded = np.zeros((N, C, 2 * tiles[0] + 2, 2 * tiles[1] + 2))
    padded[:, :, top : top + shape[2], left : left + shape[3]] = x
    V = V.reshape(4, 4, C, *tiles, N)
    for r, s, n in itertools.product(range(tiles[0]), range(tiles[1]), range(N)):
        d = padded[n, :, 2 * r : 2 * r + 4, 2 * s : 2 * s + 4]  # (C, 4, 4)
        np.testing.assert_allclose(V[:, :, :, r, s, n].transpose(2, 0, 1), B_T @ d @ B_T.T,
                                   atol=1e-12)


@pytest.mark.parametrize("out", [(4, 6), (3, 5), (1, 1)])
def test_the_gradient_tiles_are_the_adjoint_of_the_output_transform(out):
    N, channels, groups = 2, 4, 2
    tiles = winograd._tiles(out)
    shape = (16, groups, channels // groups, tiles[0] * tiles[1] * N)
    assert_adjoint(lambda M: winograd._output_tiles(M, N, tiles, out),
                   lambda gy: winograd._gradient_tiles(gy, groups, tiles), shape)


def test_one_tile_is_a_direct_3x3_conv():
    rng = np.random.default_rng(1)
    d, w = rng.standard_normal((4, 4)), rng.standard_normal((3, 3))
    U = (winograd.FILTER_2D @ w.reshape(9)).reshape(4, 4)  # G w Gᵀ
    np.testing.assert_allclose(U, winograd.FILTER @ w @ winograd.FILTER.T, atol=1e-15)
    y = A_T @ (U * (B_T @ d @ B_T.T)) @ A_T.T
    direct = [[(d[i : i + 3, j : j + 3] * w).sum() for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(y, direct, atol=1e-12)


def test_the_path_fits_3x3_stride_1_undilated_convs_only():
    assert winograd.fits(conv_geometry("test", 3, 1, 1, 1, 1, 2))
    assert not winograd.fits(conv_geometry("test", 3, 2, 1, 1, 1, 2))
    assert not winograd.fits(conv_geometry("test", 3, 1, 1, 2, 1, 2))
    assert not winograd.fits(conv_geometry("test", (3, 1), 1, 0, 1, 1, 2))
