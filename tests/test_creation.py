"""The functions that make tensors, against PyTorch 2.13: dtypes inferred as `torch.tensor`
does, sizes given every way, ranges, `*_like`, and the CPU as the one device."""

import numpy as np
import pytest
from torch_parity import dtype_name, torch_module

import tinygrad_cnn as tg


@pytest.mark.parametrize("data", [
    [1, 2], [1.0, 2], [[True], [False]], 3, 2.5, True, [[1, 2], [3, 4]], [],
    np.array([1.5, 2.5]), np.array([1, 2], np.int32), np.float64(2.0),
])
def test_tensor_infers_the_dtype_as_pytorch(data):
    torch = torch_module()
    ours, theirs = tg.tensor(data), torch.tensor(data)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_tensor_copies_and_from_numpy_shares():
    array = np.zeros(3)
    copied, shared, as_is = tg.tensor(array), tg.from_numpy(array), tg.as_tensor(array)
    array[0] = 1.0
    assert copied.tolist() == [0, 0, 0] and shared.tolist() == [1, 0, 0]
    assert as_is.tolist() == [1, 0, 0] and tg.as_tensor(array, tg.float32).dtype == np.float32
    assert tg.tensor(tg.tensor([1.0]), dtype=tg.float64, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="from_numpy: expected an ndarray, got list"):
        tg.from_numpy([1.0])


@pytest.mark.parametrize("call", [
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.ones(size=(2, 1)),
    lambda m: m.zeros(2, dtype=m.int64), lambda m: m.full((2, 2), 7),
    lambda m: m.full((2,), 7.5), lambda m: m.full((2,), True), lambda m: m.eye(3),
    lambda m: m.eye(2, 3), lambda m: m.arange(5), lambda m: m.arange(0, 1, 0.25),
    lambda m: m.arange(1, 7, 2), lambda m: m.arange(2.5), lambda m: m.linspace(0, 1, 5),
    lambda m: m.linspace(-3.3, 2.1, 11), lambda m: m.linspace(2, 2, 1),
    lambda m: m.zeros_like(m.ones(2, dtype=m.int64)), lambda m: m.ones_like(m.zeros(2, 2)),
    lambda m: m.full_like(m.zeros(3), 4), lambda m: m.zeros(2, device="cpu"),
    lambda m: m.ones(2, 2, dtype=m.float64, requires_grad=True).sum(),
])
def test_creation_matches_pytorch(call):
    torch = torch_module()
    ours, theirs = call(tg), call(torch)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    assert ours.shape == tuple(theirs.shape) and ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m: m.rand(2, 3), lambda m: m.randn(size=(4,)), lambda m: m.rand((2, 2)),
    lambda m: m.randint(10, (3, 2)), lambda m: m.randint(2, 5, (100,)),
    lambda m: m.randint(0, 3, size=(4,)), lambda m: m.rand_like(m.zeros(2, 3)),
    lambda m: m.randn_like(m.zeros(3, dtype=m.float64)),
])
def test_random_creation_has_pytorch_s_shapes_dtypes_and_ranges(call):
    torch = torch_module()
    ours, theirs = call(tg), call(torch)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    if ours.dtype == np.int64:
        assert ours.numpy().min() >= theirs.numpy().min() - 3
        assert ours.numpy().max() < 10


def test_random_creation_follows_the_library_seed():
    tg.manual_seed(3)
    first = tg.randint(0, 100, (5,)).tolist(), tg.rand(size=(2,)).tolist()
    tg.manual_seed(3)
    assert (tg.randint(0, 100, (5,)).tolist(), tg.rand(size=(2,)).tolist()) == first


def test_bad_creation_arguments_are_refused():
    with pytest.raises(ValueError, match=r"randint: high \(2\) must be larger than low \(2\)"):
        tg.randint(2, 2, (3,))
    with pytest.raises(TypeError, match="randint: expected"):
        tg.randint(5)
    with pytest.raises(TypeError, match="zeros: give the size positionally or as size=, not "):
        tg.zeros(2, size=(2,))
    with pytest.raises(ValueError, match="zeros: device 'cuda' is not available"):
        tg.zeros(2, device="cuda")


def test_where_takes_numbers_as_pytorch():
    torch = torch_module()
    mask = np.array([True, False, True])
    for a, b in [(1.0, 0.0), (1, 0), (tg.tensor([1, 2, 3]), 0.5)]:
        ours = tg.where(tg.tensor(mask), a, b)
        ta = torch.tensor(a.numpy()) if isinstance(a, tg.Tensor) else a
        theirs = torch.where(torch.tensor(mask), ta, b)
        assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_cat_and_stack_promote_and_take_arrays():
    torch = torch_module()
    a, b = np.ones((2, 2), np.int64), np.zeros((2, 2), np.float32)
    ours = tg.cat([tg.tensor(a), b], 1)
    theirs = torch.cat([torch.tensor(a), torch.tensor(b)], 1)
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert tg.stack([a, a]).shape == (2, 2, 2)


def test_shape_only_runs_make_shape_only_likes():
    out = tg.eval_shape(lambda x: tg.zeros_like(x) + tg.full_like(x, 2.0), (2, 3))
    assert out == (2, 3)
