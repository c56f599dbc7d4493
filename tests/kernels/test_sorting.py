"""The stable argsort both ways, NaN the largest, against NumPy and PyTorch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch_parity import torch_module

from tinygrad_cnn.kernels.sorting import argsort


@given(x=hnp.arrays(np.int64, hnp.array_shapes(max_dims=3, max_side=5),
                    elements=st.integers(0, 3)), data=st.data())
def test_ties_keep_their_order_both_ways(x, data):
    axis = data.draw(st.integers(0, x.ndim - 1)) if x.ndim else 0
    if x.ndim == 0:
        return
    up, down = argsort(x, axis, False), argsort(x, axis, True)
    np.testing.assert_array_equal(up, np.argsort(x, axis=axis, kind="stable"))
    keys = np.take_along_axis(x, down, axis)
    assert (np.diff(keys, axis=axis) <= 0).all()
    # among equal keys, positions rise
    positions = np.where(np.diff(keys, axis=axis) == 0, np.diff(down, axis=axis), 1)
    assert (positions > 0).all()


@pytest.mark.parametrize("dtype", [np.bool_, np.uint8, np.float32])
@pytest.mark.parametrize("descending", [False, True])
def test_matches_pytorch_stable_sort_with_nan_the_largest(dtype, descending):
    torch = torch_module()
    x = np.array([1, 0, 1, 3, 0, 2, 2]).astype(dtype)
    if dtype == np.float32:
        x[[1, 4]] = np.nan
    ours = argsort(x, 0, descending)
    theirs = torch.sort(torch.tensor(x), descending=descending, stable=True).indices
    np.testing.assert_array_equal(ours, theirs.numpy())
    assert ours.dtype == np.int64
