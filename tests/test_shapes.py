"""Shape rules (shapes.py): sizes are ints, softmax needs elements, the size of a resize."""

import re

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor
from tinygrad_cnn.shapes import resized_size


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


def test_the_resized_size_is_pytorchs_floor_of_size_times_scale():
    # 7 · 0.3 = 2.0999... floors to 2; 10 · 0.7 = 7.000000000000001 floors to 7 (float64)
    assert resized_size("interpolate", (1, 1, 7, 10), None, (0.3, 0.7)) == ((2, 7), (0.3, 0.7))
    assert resized_size("interpolate", (1, 1, 4), None, 2.5, True) == ((10,), (None,))
    assert resized_size("interpolate", (2, 3, 4, 5), 6, None) == ((6, 6), (None, None))
    with pytest.raises(ValueError, match=r"^up: the output size \(0,\) of input \(1, 1, 3\)"):
        resized_size("up", (1, 1, 3), None, 0.2)
    with pytest.raises(ValueError, match=r"^up: size must be a positive int or 2 of them"):
        resized_size("up", (1, 1, 3, 3), (2, 0), None)


def test_torch_agrees_on_resized_sizes():
    torch = torch_module()
    for n, scale in [(7, 0.3), (10, 0.7), (5, 1.7), (33, 0.33)]:
        theirs = torch.nn.functional.interpolate(torch.zeros(1, 1, n), scale_factor=scale)
        assert resized_size("interpolate", (1, 1, n), None, scale)[0] == theirs.shape[2:]
