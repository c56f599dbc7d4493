"""Property tests of matmul under NumPy's 1-D and batch rules."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn import Tensor
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import broadcastable_shapes, tensors


@st.composite
def matmul_operands(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch_a, batch_b = draw(broadcastable_shapes(max_dims=2, max_side=2))
    shape_a = draw(st.sampled_from([(k,), (*batch_a, n, k)]))
    shape_b = draw(st.sampled_from([(k,), (*batch_b, k, m)]))
    return draw(tensors(shape_a)), draw(tensors(shape_b))


@given(operands=matmul_operands())
def test_matmul_matches_numpy_and_vjp(operands):
    a, b = operands
    np.testing.assert_allclose((a @ b).data, a.data @ b.data)
    gradcheck(lambda p, q: p @ q, [a, b])
    gradgradcheck(lambda p, q: p @ q, [a, b])


def test_matmul_shape_mismatch_names_the_op_and_shapes():
    message = r"matmul: inner dimensions differ \(3 vs 4\) for shapes \(2, 3\) and \(4, 5\)"
    with pytest.raises(ValueError, match=message):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))


def test_matmul_with_numpy_operand_on_the_left():
    b = Tensor(np.eye(2), requires_grad=True)
    out = np.ones((1, 2)) @ b
    assert isinstance(out, Tensor) and out.shape == (1, 2)
