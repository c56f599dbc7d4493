"""Skinny products in blocks (`kernels/products.py`): wide and long products, cut into blocks
with a remainder, with batch dims broadcast, or passed whole, give what a @ b gives. The
small-product bound is lowered so that small arrays take the blocks."""

import numpy as np
import pytest

from tinygrad_cnn.kernels import products


@pytest.mark.parametrize(("a_shape", "b_shape", "block"), [
    ((6, 4), (4, 1000), 384),  # two blocks of 384 columns and a remainder of 232
    ((2, 1, 6, 4), (3, 4, 768), 384),  # batch dims broadcast, no remainder
    ((6, 4), (4, 300), 0),  # a block would hold every column: one product
])
def test_a_wide_product_in_blocks_of_columns_is_a_at_b(monkeypatch, a_shape, b_shape, block):
    monkeypatch.setattr(products, "SMALL_PRODUCT", a_shape[-2] * a_shape[-1] * 384)
    assert products._block(a_shape[-2] * a_shape[-1], b_shape[-1], products.MIN_WIDE_BLOCK) \
        == block
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape).astype(np.float32)
    got, want = products.wide(a, b), a @ b
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    strided = rng.standard_normal((*b_shape[:-1], 2 * b_shape[-1]))[..., ::2]  # passed whole
    np.testing.assert_allclose(products.wide(a, strided), a @ strided, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("a_shape", "b_shape", "block"), [
    ((6, 5000), (5000, 5), 2048),  # two blocks of the inner dim and a remainder of 904
    ((2, 1, 6, 4096), (3, 4096, 5), 2048),  # batch dims broadcast, no remainder
    ((6, 1500), (1500, 5), 0),  # a block under MIN_LONG_BLOCK: one product
])
def test_a_long_product_in_blocks_of_the_inner_dim_is_a_at_b(monkeypatch, a_shape, b_shape,
                                                              block):
    small = a_shape[-2] * b_shape[-1]
    monkeypatch.setattr(products, "SMALL_PRODUCT", small * (2048 if block else 512))
    assert products._block(small, a_shape[-1], products.MIN_LONG_BLOCK) == block
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    got, want = products.long(a, b), a @ b
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-10)
