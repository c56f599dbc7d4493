"""Einsum: its VJP against finite differences, its values and gradients against NumPy and
PyTorch, and the equations it refuses."""

import numpy as np
import pytest
from hypothesis import given
from torch_parity import assert_same_as_torch, torch_module

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import einsum_args


@given(args=einsum_args())
def test_einsum_vjp(args):
    equation, operands = args
    gradcheck(lambda *xs: tg.einsum(equation, *xs), operands)
    gradgradcheck(lambda *xs: tg.einsum(equation, *xs), operands)


@given(args=einsum_args())
def test_einsum_values_are_numpy_s(args):
    equation, operands = args
    expected = np.einsum(equation, *(x.numpy() for x in operands))
    np.testing.assert_allclose(tg.einsum(equation, *operands).numpy(), expected, rtol=1e-12)
    assert tg.eval_shape(lambda *xs: tg.einsum(equation, *xs), *operands) == expected.shape


@pytest.mark.parametrize(("equation", "shapes"), [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 1)]),
    ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
    ("i,j->ij", [(3,), (2,)]), ("nchw,oc->nohw", [(2, 3, 2, 2), (4, 3)]), ("ij", [(1, 3)]),
])
def test_einsum_matches_pytorch(equation, shapes):
    torch = torch_module()
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    assert_same_as_torch(
        lambda *xs: (tg if isinstance(xs[0], Tensor) else torch).einsum(equation, *xs), *arrays)


def test_operands_may_come_as_one_list_and_as_arrays():
    a = np.arange(6.0).reshape(2, 3)
    assert tg.einsum("ij,kj->ik", [a, a]).tolist() == (a @ a.T).tolist()


@pytest.mark.parametrize(("equation", "shapes", "message"), [
    ("ij,jk", [(2, 3), (4, 5)], "letter 'j' has sizes 3 and 4"),
    ("ij", [(2, 3, 4)], "subscripts 'ij' do not fit an operand of shape (2, 3, 4)"),
    ("ij,jk", [(2, 3)], "2 subscripts for 1 operands"),
    ("ij->ik", [(2, 3)], "each output letter must appear once, and in an operand"),
    ("ij->ii", [(2, 2)], "each output letter must appear once"),
    ("i2", [(2, 2)], "only letters, ',', '...' and '->' may appear"),
])
def test_bad_equations_are_refused_naming_the_equation_and_shapes(equation, shapes, message):
    with pytest.raises(ValueError, match=r"^einsum: equation .* for operands .*: " +
                       message.replace("(", r"\(").replace(")", r"\)")):
        tg.einsum(equation, *(np.zeros(s) for s in shapes))
