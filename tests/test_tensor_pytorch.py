"""The Tensor methods a PyTorch user types, against PyTorch 2.13: values, dtypes, gradients
(skipped without PyTorch)."""

import math

import numpy as np
import pytest
from torch_parity import assert_same_as_torch, torch_module

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4))  # distinct values: sorting has no ties
X3 = rng.standard_normal((2, 3, 4))


@pytest.mark.parametrize("fn", [
    lambda x: x.t(),
    lambda x: x.clone() * 2,
    lambda x: x.t().contiguous(),
    lambda x: x.repeat(2, 3),
    lambda x: x.repeat(2, 1, 2),
    lambda x: x.repeat((1, 2)),
    lambda x: x.chunk(2, 1),
    lambda x: x.chunk(3),
    lambda x: x.split(3, 1),
    lambda x: x.split([1, 3], 1),
    lambda x: x.std(),
    lambda x: x.std(1, keepdim=True),
    lambda x: x.var(0, unbiased=False),
    lambda x: x.var(1, correction=0),
    lambda x: x.var(False),
    lambda x: x.pow(2),
    lambda x: x.pow(3.0) + x.abs().pow(0.5),
    lambda x: x.norm(),
    lambda x: x.norm(1, 1),
    lambda x: x.norm(math.inf, 0),
    lambda x: x.norm(3, 1, keepdim=True),
    lambda x: x.sort(1),
    lambda x: x.sort(0, descending=True),
    lambda x: x.argsort(1),
    lambda x: x.argsort(0, descending=True),
    lambda x: x.topk(2),
    lambda x: x.topk(2, 0, largest=False),
    lambda x: x.max(1),
    lambda x: x.min(0, keepdim=True),
    lambda x: x.argmax(),
    lambda x: x.argmax(1, keepdim=True),
    lambda x: x.masked_fill(x > 0, 0.5),
    lambda x: x.float(),
    lambda x: x.double() * 2,
    lambda x: x.long(),
    lambda x: x.int(),
    lambda x: x.bool(),
    lambda x: x.type(tg.float32 if isinstance(x, Tensor) else torch_module().float32),
])
def test_methods_match_pytorch(fn):
    assert_same_as_torch(fn, X)


@pytest.mark.parametrize("fn", [
    lambda x: x.sum(1),
    lambda x: x.permute(2, 0, 1).contiguous(),
    lambda x: x.transpose(0, 2).flatten(1),
    lambda x: x.std((0, 2)),
    lambda x: x.split(1, 0),
])
def test_methods_match_pytorch_in_three_dims(fn):
    assert_same_as_torch(fn, X3)


ALONG_1 = np.array([[0, 1, 3, 2], [2, 2, 0, 1], [1, 0, 0, 3]])  # repeats: scatter_add sums
ALONG_0 = np.array([[0, 1, 2, 2], [2, 2, 0, 1], [1, 0, 0, 1]])


@pytest.mark.parametrize(("fn", "index"), [
    (lambda x, i: x.gather(1, i), ALONG_1),
    (lambda x, i: x.gather(1, i[:2, :3]), ALONG_1),
    (lambda x, i: x.gather(0, i[:2]), ALONG_0),
    (lambda x, i: x.scatter(1, i[:, :1], x[:, :1] * 2), ALONG_1),
    (lambda x, i: x.scatter(0, i[:1], 7.0), ALONG_0),
    (lambda x, i: x.scatter_add(1, i, x * 3), ALONG_1),
    (lambda x, i: x.scatter_add(0, i, x * 3), ALONG_0),
])
def test_gather_and_scatter_match_pytorch(fn, index):
    # (PyTorch's own backward refuses a src larger than the index, so these keep them equal)
    assert_same_as_torch(fn, X, index)


@pytest.mark.parametrize("fn", [
    lambda x, y: x.eq(y), lambda x, y: x.ne(y), lambda x, y: x.lt(y), lambda x, y: x.le(y),
    lambda x, y: x.gt(y), lambda x, y: x.ge(y), lambda x, y: (x > y).any(),
    lambda x, y: (x > y).all(1), lambda x, y: (x > y).any(0, keepdim=True),
    lambda x, y: x.where(x > y, y), lambda x, y: x.maximum(y), lambda x, y: x.pow(y.abs()),
])
def test_comparisons_and_tests_match_pytorch(fn):
    y = X.copy()
    y[0] = X[0]  # some equal
    y[1:] = rng.standard_normal((2, 4))
    assert_same_as_torch(fn, X, y)


def test_item_assignment_matches_pytorch_values_and_gradients():
    def write(x, y):
        z = x * 1
        z[z > 0] = 0.0
        z[:, 1] = y[:, 0]
        z[0] = 5
        return z * 2

    assert_same_as_torch(write, X, rng.standard_normal((3, 2)))


def test_fill_and_zero_are_in_place():
    def fill(x):
        z = x * 1
        z[1].fill_(3.0)
        z[:, 0].zero_()  # basic indexing is a view in PyTorch, and a view of the array here
        return z

    torch = torch_module()
    ours, theirs = fill(Tensor(X)), fill(torch.tensor(X))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_one_element_conversions_match_python():
    labels = tg.tensor([2, 0])
    classes = ["plane", "car", "bird"]
    assert [classes[labels[j]] for j in range(2)] == ["bird", "plane"]
    assert float(tg.tensor(2.5)) == 2.5 and int(tg.tensor(7)) == 7 and bool(tg.tensor([1]))
    assert [0, 1, 2][tg.tensor(1)] == 1
    with pytest.raises(TypeError, match="only integer tensors can be an index"):
        [0, 1][tg.tensor(1.0)]


def test_size_numel_and_dim_match_pytorch():
    torch = torch_module()
    ours, theirs = Tensor(X3), torch.tensor(X3)
    assert ours.size() == tuple(theirs.size()) and ours.size(1) == theirs.size(1)
    assert ours.size(-1) == theirs.size(-1)
    assert (ours.numel(), ours.dim()) == (theirs.numel(), theirs.dim())
    assert tg.nn.Parameter(np.zeros((2, 3))).numel() == 6


def test_to_accepts_dtypes_devices_and_tensors():
    x = Tensor(X)
    assert x.to("cpu") is x and x.cpu() is x and x.device == "cpu"
    assert x.to(tg.float32).dtype == np.float32 and x.to("cpu", tg.int64).dtype == np.int64
    assert x.to(dtype=np.float16, device="cpu").dtype == np.float16
    assert x.to(tg.tensor([1])).dtype == np.int64
    assert x.to(x, copy=True) is not x
    assert x.type() == "float64" and x.type(tg.float32).dtype == np.float32
    for refused in ("cuda", "cuda:0", "mps"):
        with pytest.raises(ValueError, match=f"device '{refused}' is not available: "
                                             "tinygrad_cnn computes on the CPU alone"):
            x.to(refused)
    with pytest.raises(ValueError, match="computes on the CPU alone"):
        x.cuda()


def test_conversions_between_floats_are_differentiable():
    x = Tensor(X, requires_grad=True)
    (x.float() * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(X.shape, 2.0))
    assert x.grad.dtype == np.float64
