"""F.one_hot against PyTorch's."""

import numpy as np
import pytest
from torch_parity import dtype_name, torch_module

import tinygrad_cnn as tg
import tinygrad_cnn.nn.functional as F


@pytest.mark.parametrize(("labels", "num_classes"), [
    ([2, 0, 1], -1), ([2, 0, 1], 5), ([[1, 1], [0, 3]], -1), ([], 3),
])
def test_one_hot_matches_pytorch(labels, num_classes):
    torch = torch_module()
    ours = F.one_hot(tg.tensor(labels, dtype=tg.int64), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(labels, dtype=torch.int64), num_classes)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_one_hot_refuses_what_pytorch_refuses():
    with pytest.raises(ValueError, match=r"one_hot: class indices must be in \[0, 2\), got 0..2"):
        F.one_hot(tg.tensor([0, 2]), 2)
    with pytest.raises(TypeError, match="one_hot: expects integer class indices, got dtype "):
        F.one_hot(tg.tensor([0.0]))
    assert tg.eval_shape(lambda y: F.one_hot(y, 10), tg.tensor([1, 2])) == (2, 10)
    with pytest.raises(ValueError, match="one_hot: a shape-only run needs num_classes"):
        tg.eval_shape(F.one_hot, tg.tensor([1, 2]))
