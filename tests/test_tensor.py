"""Tensor creation rules, properties, operators and conversions."""

import numpy as np
import pytest

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor


def test_python_scalars_and_lists_become_float32():
    assert Tensor(3).dtype == np.float32
    assert Tensor([[1, 2], [3, 4]]).dtype == np.float32
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64


def test_arrays_keep_their_dtype_and_memory():
    array = np.arange(4, dtype=np.float64)
    t = Tensor(array)
    assert t.dtype == np.float64 and t.data is array
    assert Tensor(np.array([1, 2])).dtype == np.int64


def test_properties():
    t = Tensor(np.zeros((2, 3, 4)), requires_grad=True, name="x")
    assert (t.shape, t.ndim, t.numel(), t.name) == ((2, 3, 4), 3, 24, "x")
    assert (t.size(), t.size(1), t.size(-1), t.dim()) == ((2, 3, 4), 3, 4, 3)
    assert t.is_leaf and t.grad_fn is None
    assert t.T.shape == (4, 3, 2) and t.mT.shape == (2, 4, 3)
    assert (t * 2).grad_fn.name == "mul" and not (t * 2).is_leaf
    assert len(t) == 2


def test_scalar_operands_do_not_upcast_float32():
    t = Tensor(np.ones(2, dtype=np.float32))
    for result in (t + 1, 2 * t, t / 3.0, 1 - t, t**2, 2.0**t):
        assert result.dtype == np.float32


def test_reflected_operators():
    t = Tensor(np.array([1.0, 2.0]))
    np.testing.assert_array_equal((1 - t).data, [0.0, -1.0])
    np.testing.assert_array_equal((2 / t).data, [2.0, 1.0])
    np.testing.assert_array_equal((np.array([1.0, 1.0]) + t).data, [2.0, 3.0])


def test_comparisons_give_boolean_tensors_without_grad():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    for result in (t < 2, t <= 1, t > 1, t >= 2, t == 1, t != 1):
        assert result.dtype == bool and not result.requires_grad
    assert (t > 1).tolist() == [False, True]
    assert ((t > 1) & (t < 3)).tolist() == [False, True]
    assert (~(t > 1)).tolist() == [True, False]


def test_item_numpy_tolist_and_repr():
    t = Tensor(np.array([[2.5]]), requires_grad=True)
    assert t.item() == 2.5
    assert t.numpy() is t.data
    assert t.tolist() == [[2.5]]
    assert repr(t) == "tensor([[2.5]], dtype=float64, requires_grad=True)"
    with pytest.raises(ValueError, match="item: tensor has 2 elements"):
        Tensor([1.0, 2.0]).item()


def test_requires_grad_():
    t = Tensor([1.0]).requires_grad_()
    (t * 2).sum().backward()
    assert t.grad is not None


def test_creation_functions():
    tg.manual_seed(0)
    a = tg.randn(2, 3)
    tg.manual_seed(0)
    assert np.array_equal(a.data, tg.randn((2, 3)).data)
    assert tg.zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert tg.ones(3, dtype=np.float64).dtype == np.float64
    assert tg.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert tg.arange(3).tolist() == [0, 1, 2]
    assert tg.rand(5).data.min() >= 0 and tg.rand(5).data.max() < 1
    assert tg.zeros(2, requires_grad=True).requires_grad
    assert tg.where(Tensor([1.0, -1.0]) > 0, Tensor([1.0, 2.0]), 0.0).tolist() == [1.0, 0.0]


def test_unsqueeze_squeeze_flatten_view():
    t = Tensor(np.zeros((2, 1, 3)))
    assert t.squeeze().shape == (2, 3)
    assert t.squeeze(1).shape == (2, 3) and t.squeeze(0).shape == (2, 1, 3)
    assert t.unsqueeze(-1).shape == (2, 1, 3, 1)
    assert t.flatten(1).shape == (2, 3)
    assert t.view(-1).shape == (6,)


def test_manual_seed_validates():
    with pytest.raises(ValueError, match="manual_seed"):
        tg.manual_seed(-1)
