"""Skinny matrix products cut into blocks that BLAS multiplies in its small-matrix kernel.

OpenBLAS multiplies small matrices (M·N·K up to a million) in a kernel that skips packing
the operands. The convolution paths' products are skinny: few rows and a wide product (a
conv's few output channels against every position), or a narrow result over a long inner
dim (a weight gradient, summed over every position). Called whole, BLAS packs these and runs
them well below its peak (docs/performance.md has the measurements); cut into blocks of a
few hundred columns, or of inner dim, each block runs in the small kernel. One `np.matmul`
call loops over the blocks (views of the operands), so the cut costs no Python loop. The
blocks are cut by shape alone: the same bits for every thread count.
"""

from __future__ import annotations

import numpy as np

# The products BLAS runs in its small-matrix kernel: M·N·K up to about this many.
SMALL_PRODUCT = 10**6

# Blocks narrower than these lose more to the calls (and, for a cut inner dim, to adding the
# partial products) than the small kernel gains.
MIN_WIDE_BLOCK, MIN_LONG_BLOCK = 128, 1024


def _block(small: int, long: int, least: int) -> int:
    """The block of the long dim (a multiple of 128) whose product with `small` fits the
    small kernel; 0 when it would be under `least` or hold the whole long dim."""
    block = SMALL_PRODUCT // max(small, 1) // 128 * 128
    return block if least <= block < long else 0


def wide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a (..., M, K) with M·K small and b (..., K, P) wide: in blocks of P columns.

    Falls back to one product when a block would be too thin, or b's columns are strided.
    """
    M, K = a.shape[-2:]
    P = b.shape[-1]
    block = _block(M * K, P, MIN_WIDE_BLOCK)
    if not block or b.strides[-1] != b.itemsize:
        return a @ b
    shape = (*np.broadcast_shapes(a.shape[:-2], b.shape[:-2]), M, P)
    out = np.empty(shape, np.result_type(a, b))
    whole = P // block * block
    blocks = b[..., :whole].reshape(*b.shape[:-1], -1, block)  # (..., K, nb, B)
    targets = out[..., :whole].reshape(*shape[:-1], -1, block)  # (..., M, nb, B)
    np.matmul(a[..., None, :, :], blocks.swapaxes(-2, -3), out=targets.swapaxes(-2, -3))
    if whole < P:
        np.matmul(a, b[..., whole:], out=out[..., whole:])
    return out


def long(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b for a (..., M, K) and b (..., K, N) with M·N small and K long: in blocks of the
    inner dim, whose products are added in block order."""
    M, K = a.shape[-2:]
    N = b.shape[-1]
    block = _block(M * N, K, MIN_LONG_BLOCK)
    if not block:
        return a @ b
    whole = K // block * block
    a_blocks = a[..., :whole].reshape(*a.shape[:-1], -1, block).swapaxes(-2, -3)
    b_blocks = b[..., :whole, :].reshape(*b.shape[:-2], -1, block, N)  # (..., nb, B, N)
    partial = np.matmul(a_blocks, b_blocks)  # (..., nb, M, N)
    total = partial.sum(axis=-3)
    if whole < K:
        total += a[..., whole:] @ b[..., whole:, :]
    return total
