"""Shape rules (shapes.py) through the public methods: sizes are ints, softmax needs elements."""

import re

import numpy as np
import pytest

from tinygrad_cnn import Tensor


@pytest.mark.parametrize("size", [3.9, "3", np.float64(3.0), True])
def test_reshape_refuses_sizes_that_are_not_ints(size):
    # as PyTorch: 3.9 is not silently 3, "3" not parsed, True not 1
    with pytest.raises(TypeError, match=re.escape(f"reshape: sizes must be ints, got {size!r} ")):
        Tensor(np.zeros(12)).reshape(size, 4)


def test_reshape_and_expand_take_python_and_numpy_ints():
    x = Tensor(np.zeros(12))
    assert x.reshape(np.int64(3), 4).shape == (3, 4)
    assert x.reshape((np.int32(-1), 6)).shape == (2, 6)
    assert Tensor(np.zeros((1, 3))).expand(np.int64(2), 3).shape == (2, 3)
    with pytest.raises(TypeError, match=r"expand: sizes must be ints, got 2.0"):
        Tensor(np.zeros((1, 3))).expand(2.0, 3)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_dim_is_refused(op):
    with pytest.raises(ValueError, match=rf"{op}: dim 1 has size 0 in input \(2, 0\)"):
        getattr(Tensor(np.zeros((2, 0), np.float32)), op)(1)
    assert getattr(Tensor(np.zeros((0, 3), np.float32)), op)(1).shape == (0, 3)  # no rows: fine
