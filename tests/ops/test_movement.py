"""Property tests of the movement primitives: reshape, permute, expand, index, pad, cat."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor
from tinygrad_cnn.ops.movement import IndexPut
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import index_put_args, shapes, tensors


def check(fn, inputs):
    gradcheck(fn, inputs)
    gradgradcheck(fn, inputs)


@given(x=tensors(shapes(min_dims=1, max_dims=4, max_side=3)))
def test_reshape_and_flatten_vjp(x):
    check(lambda t: t.reshape(-1), [x])
    check(lambda t: t.flatten(start_dim=min(1, t.ndim - 1)), [x])


@given(x=tensors(shapes(min_dims=1, max_dims=4, max_side=3)), data=st.data())
def test_permute_vjp(x, data):
    order = data.draw(st.permutations(range(x.ndim)))
    check(lambda t: t.permute(*order), [x])


@given(x=tensors(shapes(min_dims=2, max_dims=3, max_side=3)))
def test_transpose_and_T_vjp(x):
    check(lambda t: t.transpose(0, -1), [x])
    check(lambda t: t.T, [x])


@given(x=tensors(shapes(min_dims=1, max_dims=3, max_side=3)), lead=st.integers(1, 3))
def test_expand_vjp(x, lead):
    check(lambda t: t.unsqueeze(0).expand(lead, *t.shape), [x])


@given(x=tensors(shapes(min_dims=1, max_dims=3, max_side=4)), data=st.data())
def test_basic_index_vjp(x, data):
    index = tuple(
        data.draw(st.one_of(st.integers(-n, n - 1), st.slices(n))) for n in x.shape
    )
    check(lambda t: t[index], [x])


@given(x=tensors(shapes(min_dims=1, max_dims=3, max_side=4)), data=st.data())
def test_integer_array_index_with_repeats_vjp(x, data):
    rows = np.array(data.draw(st.lists(st.integers(0, x.shape[0] - 1), min_size=1, max_size=6)))
    check(lambda t: t[rows], [x])


def test_repeated_indices_accumulate_their_gradients():
    x = Tensor(np.zeros(3), requires_grad=True)
    x[[0, 2, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


def test_boolean_mask_and_tensor_indices():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    picked = x[x > 2.5]
    assert picked.tolist() == [3.0, 4.0, 5.0]
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0, 0, 0], [1, 1, 1]])
    assert x[Tensor(np.array([1]))].shape == (1, 3)


@given(x=tensors(shapes(min_dims=1, max_dims=3, max_side=3)), data=st.data())
def test_pad_vjp(x, data):
    pairs = data.draw(st.integers(1, x.ndim))
    pad = data.draw(st.lists(st.integers(0, 2), min_size=2 * pairs, max_size=2 * pairs))
    check(lambda t: t.pad(pad, value=0.5), [x])


def test_pad_follows_torch_order():
    x = Tensor(np.ones((1, 2, 2)))
    assert x.pad((1, 0, 0, 2)).shape == (1, 4, 3)
    with pytest.raises(ValueError, match="pad: negative padding"):
        x.pad((-1, 0))


@given(shape=shapes(min_dims=1, max_dims=3, max_side=3), data=st.data())
def test_cat_and_stack_vjp(shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    other_shape = (*shape[:dim], data.draw(st.integers(1, 3)), *shape[dim + 1 :])
    a, b = data.draw(tensors(shape)), data.draw(tensors(other_shape))
    check(lambda p, q: tg.cat([p, q, p], dim), [a, b])
    c = data.draw(tensors(shape))
    check(lambda p, q: tg.stack([p, q], dim=-1), [a, c])


def test_cat_shape_mismatch_names_the_op():
    with pytest.raises(ValueError, match="cat: shapes"):
        tg.cat([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))], dim=0)
    with pytest.raises(ValueError, match="stack: all tensors need one shape"):
        tg.stack([Tensor(np.ones(2)), Tensor(np.ones(3))])


def test_reshape_errors_name_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"reshape: cannot reshape \(2, 3\)"):
        Tensor(np.ones((2, 3))).reshape(4, 2)
    with pytest.raises(ValueError, match="permute: dims"):
        Tensor(np.ones((2, 3))).permute(0, 0)
    with pytest.raises(ValueError, match="expand: cannot expand"):
        Tensor(np.ones((2, 3))).expand(4, 3)


def test_index_out_of_bounds_names_getitem_and_shape():
    with pytest.raises(IndexError, match=r"getitem: .*shape \(2, 3\)"):
        Tensor(np.ones((2, 3)))[5]


@given(args=index_put_args())
def test_index_put_vjp(args):
    x, index, value = args
    check(lambda t, v: IndexPut.apply(t, v, index=index, in_place=False), [x, value])


@given(args=index_put_args())
def test_item_assignment_writes_what_numpy_writes(args):
    x, index, value = args
    expected = x.numpy().copy()
    expected[index] = value.numpy()
    y = x.detach()
    y[index] = value.detach()
    np.testing.assert_array_equal(x.numpy(), expected)  # y shares x's array


@given(x=tensors(shapes(min_dims=2, max_dims=3, max_side=4)), data=st.data())
def test_gather_and_scatter_vjp(x, data):
    dim = data.draw(st.integers(0, x.ndim - 1))
    # a permutation of each line along dim: distinct places, so scatter's writes do not collide
    index = np.argsort(data.draw(hnp.arrays(np.float64, x.shape, unique=True)), axis=dim)
    src = Tensor(x.numpy()[::-1].copy(), requires_grad=True)
    check(lambda t: t.gather(dim, index), [x])
    check(lambda t, s: t.scatter(dim, index, s), [x, src])
    check(lambda t, s: t.scatter_add(dim, index, s), [x, src])


@given(x=tensors(shapes(min_dims=1, max_dims=3, max_side=3)), data=st.data())
def test_repeat_split_and_clone_vjp(x, data):
    repeats = data.draw(st.lists(st.integers(1, 2), min_size=x.ndim, max_size=x.ndim + 1))
    check(lambda t: t.repeat(*repeats), [x])
    check(lambda t: t.split(2, -1)[-1] * t.chunk(2, -1)[0].sum(), [x])
    check(lambda t: t.clone() * t, [x])
