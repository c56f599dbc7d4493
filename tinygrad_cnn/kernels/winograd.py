"""The Winograd path of stride-1 3×3 convs: F(2×2, 3×3), 16 multiply-adds where a direct conv
has 36.

Letters as in `kernels/conv.py`; T counts 2×2 output tiles over the batch. Each 2×2 tile of
the output is computed from the 4×4 tile of the padded input under it (Lavin and Gray, 2016):

    y_tile = Aᵀ [ Σ_c (G w[o, c] Gᵀ) ⊙ (Bᵀ x_tile[c] B) ] A

with the 4×4 filter transform U = G w Gᵀ (one small product per call), the input transform
V = Bᵀ d B (Bᵀ's rows (1, 0, -1, 0), (0, 1, 1, 0), (0, -1, 1, 0), (0, 1, 0, -1): each a
difference or sum of two rows, then of two columns) and the output transform Aᵀ m A (Aᵀ's
rows (1, 1, 1, 0), (0, 1, -1, -1)). The sum over c at each of the 16 points ξ of the transformed
tile is a product: M[ξ] = U[ξ] (Og, Cg) @ V[ξ] (Cg, T). That is 16 multiply-adds per tile
and channel pair where a direct conv spends 36, for transforms that cost a few passes over
the input and output. Those passes run in the batch-innermost layout (C, H, W, N) of
im2col, so NumPy's inner loops run along the batch, not along a tile's four values.

The weight gradient is the adjoint in U: dU[ξ] = Σ_t (A gy_tile Aᵀ)[ξ] ⊗ V_t[ξ], a product
over the tiles, and dw = Gᵀ dU G. The transposed conv is the conv with the flipped kernel.
The transforms' constants are exact in binary (0, ±1, ±1/2), so results differ from a
direct conv only by rounding.
"""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import products
from tinygrad_cnn.kernels.windows import Pair, as_convolution, batch_first, batch_last

# G, the filter transform: a 3-tap filter to its 4 values at Winograd's points 0, 1, -1, ∞;
# and G ⊗ G, which takes a 3×3 filter's 9 taps to its 16 transformed values in one product.
FILTER = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
FILTER_2D = np.kron(FILTER, FILTER)  # (16, 9): [(a, b), (i, j)] = G[a, i] G[b, j]


def fits(g: Geometry) -> bool:
    """Whether the path computes this geometry: a 3×3 kernel, stride 1, no dilation."""
    return g.kernel == (3, 3) and g.stride == (1, 1) and g.dilation == (1, 1)


def _tiles(out: Pair) -> Pair:
    """The 2×2 tiles covering an output of size `out`: (tH, tW)."""
    return (-(-out[0] // 2), -(-out[1] // 2))


def values_per_image(image: tuple[int, ...], g: Geometry) -> int:
    """The transformed input values of one image (C, H, W): 16 per tile and channel."""
    C, H, W = image
    (top, bottom), (left, right) = g.padding
    tH, tW = _tiles((H + top + bottom - 2, W + left + right - 2))
    return 16 * C * tH * tW


def _input_tiles(x: np.ndarray, g: Geometry, tiles: Pair) -> np.ndarray:
    """V = Bᵀ d B of every 4×4 input tile: (N, C, H, W) -> (16, G, Cg, T), T ordered
    (tile row, tile column, n)."""
    N, C, H, W = x.shape
    (tH, tW), (top, _), (left, _) = tiles, *g.padding
    # padded to the tiles' reach: 2 tH + 2 rows, 2 tW + 2 columns
    xp = batch_last(x, ((top, 2 * tH + 2 - H - top), (left, 2 * tW + 2 - W - left)))
    col = [xp[:, :, j : j + 2 * tW - 1 : 2] for j in range(4)]  # (C, Hp, tW, N) each
    across = [col[0] - col[2], col[1] + col[2], col[2] - col[1], col[1] - col[3]]  # d B
    V = np.empty((4, 4, C, tH, tW, N), dtype=x.dtype)
    for b, half in enumerate(across):
        row = [half[:, i : i + 2 * tH - 1 : 2] for i in range(4)]  # (C, tH, tW, N) each
        np.subtract(row[0], row[2], out=V[0, b])
        np.add(row[1], row[2], out=V[1, b])
        np.subtract(row[2], row[1], out=V[2, b])
        np.subtract(row[1], row[3], out=V[3, b])
    return V.reshape(16, g.groups, C // g.groups, -1)


def _output_tiles(M: np.ndarray, N: int, tiles: Pair, out: Pair) -> np.ndarray:
    """y = Aᵀ m A of every tile: (16, G, Og, T) -> (N, O, oH, oW)."""
    tH, tW = tiles
    m = M.reshape(4, 4, -1, tH, tW, N)  # (4, 4, O, tH, tW, N)
    down = []  # m A: the two output columns of each row a of the tile
    for a in range(4):
        left = m[a, 0] + m[a, 1]
        left += m[a, 2]
        right = m[a, 1] - m[a, 2]
        right -= m[a, 3]
        down.append((left, right))
    y = np.empty((m.shape[2], tH, 2, tW, 2, N), dtype=M.dtype)  # (O, tH, r, tW, s, N)
    for s in range(2):  # Aᵀ (m A): the tile's output rows r = 0, 1 in its column s
        first, second = y[:, :, 0, :, s], y[:, :, 1, :, s]
        np.add(down[0][s], down[1][s], out=first)
        first += down[2][s]
        np.subtract(down[1][s], down[2][s], out=second)
        second -= down[3][s]
    y = y.reshape(m.shape[2], 2 * tH, 2 * tW, N)[:, : out[0], : out[1]]  # (O, oH, oW, N)
    return batch_first(y)


def _filters(w: np.ndarray, groups: int) -> np.ndarray:
    """U = G w Gᵀ: (O, Cg, 3, 3) -> (16, G, Og, Cg)."""
    U = FILTER_2D.astype(w.dtype) @ w.reshape(-1, 9).T  # (16, O·Cg)
    return U.reshape(16, groups, w.shape[0] // groups, w.shape[1])


def conv(x: np.ndarray, w: np.ndarray, g: Geometry, out: Pair) -> np.ndarray:
    """conv2d, 3×3, stride 1: (N, C, H, W), (O, Cg, 3, 3) -> (N, O, oH, oW)."""
    tiles = _tiles(out)
    M = products.wide(_filters(w, g.groups), _input_tiles(x, g, tiles))  # (16, G, Og, T)
    return _output_tiles(M, x.shape[0], tiles, out)


def conv_transpose(x: np.ndarray, w: np.ndarray, g: Geometry, size: Pair) -> np.ndarray:
    """conv_transpose2d, 3×3, stride 1, as the conv of x with the flipped kernel."""
    return conv(*as_convolution(x, w, g), size)


def _gradient_tiles(gy: np.ndarray, groups: int, tiles: Pair) -> np.ndarray:
    """A g Aᵀ of every 2×2 tile of the output gradient (zero past its edge): (N, O, oH, oW)
    -> (16, G, Og, T), the adjoint of `_output_tiles`."""
    N, channels, oH, oW = gy.shape
    tH, tW = tiles
    g = batch_last(gy, ((0, 2 * tH - oH), (0, 2 * tW - oW)))  # (O, 2 tH, 2 tW, N)
    first, second = g[:, :, 0::2], g[:, :, 1::2]  # the tiles' two columns, (O, 2 tH, tW, N)
    across = [first, first + second, first - second, -second]  # g Aᵀ
    G = np.empty((4, 4, channels, tH, tW, N), dtype=gy.dtype)
    for b, half in enumerate(across):
        upper, lower = half[:, 0::2], half[:, 1::2]
        G[0, b] = upper
        np.add(upper, lower, out=G[1, b])
        np.subtract(upper, lower, out=G[2, b])
        np.negative(lower, out=G[3, b])
    return G.reshape(16, groups, channels // groups, -1)


def weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry) -> np.ndarray:
    """dL/dw of a 3×3 stride-1 conv2d: (N, C, H, W), (N, O, oH, oW) -> (O, Cg, 3, 3)."""
    tiles = _tiles(gy.shape[2:])
    V = _input_tiles(x, g, tiles)  # (16, G, Cg, T)
    dM = _gradient_tiles(gy, g.groups, tiles)  # (16, G, Og, T)
    dU = products.long(dM, V.transpose(0, 1, 3, 2))  # (16, G, Og, Cg)
    dw = dU.reshape(16, -1).T @ FILTER_2D.astype(dU.dtype)  # Gᵀ dU G: (O·Cg, 9)
    return dw.reshape(gy.shape[1], x.shape[1] // g.groups, 3, 3)
