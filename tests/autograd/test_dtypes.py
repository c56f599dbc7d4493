"""PyTorch's type promotion (Python scalars are weak) and the CPU as the one device, against
PyTorch 2.13 where it is installed."""

import itertools

import numpy as np
import pytest
from torch_parity import dtype_name, torch_module

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import dtypes

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SCALARS = [True, 3, 0.5]


@pytest.mark.parametrize(("a", "b"), list(itertools.product(DTYPES, DTYPES)))
def test_tensor_tensor_promotion_matches_pytorch(a, b):
    torch = torch_module()
    for shape_a, shape_b in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
        ours = dtypes.result_type(np.zeros(shape_a, a), np.zeros(shape_b, b))
        theirs = torch.result_type(torch.zeros(shape_a, dtype=getattr(torch, a)),
                                   torch.zeros(shape_b, dtype=getattr(torch, b)))
        assert dtype_name(ours) == dtype_name(theirs), (shape_a, shape_b)


@pytest.mark.parametrize(("dtype", "scalar"), list(itertools.product(DTYPES, SCALARS)))
def test_python_scalars_are_weak_as_in_pytorch(dtype, scalar):
    torch = torch_module()
    for shape in [(2,), ()]:
        ours = dtypes.result_type(np.zeros(shape, dtype), scalar)
        theirs = torch.result_type(torch.zeros(shape, dtype=getattr(torch, dtype)), scalar)
        assert dtype_name(ours) == dtype_name(theirs)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "float32", "float64"])
@pytest.mark.parametrize("op", [
    lambda x: x + 0.5, lambda x: 2 * x, lambda x: x - 1, lambda x: x / 2, lambda x: 1 / (x + 1),
    lambda x: x ** 2, lambda x: 2.0 ** x, lambda x: x.exp(), lambda x: x.sqrt(),
    lambda x: (x + 1).log(), lambda x: x.sigmoid(), lambda x: x.tanh(), lambda x: x.sum(),
    lambda x: (x > 1).sum(), lambda x: x.maximum(x * 0 + 1), lambda x: x.where(x > 1, 0.5),
])
def test_op_results_have_pytorch_dtypes_and_values(dtype, op):
    torch = torch_module()
    values = np.array([0, 1, 2, 3]).astype(dtype)
    ours, theirs = op(Tensor(values)), op(torch.tensor(values))
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64),
                               rtol=1e-3 if dtype == "float16" else 1e-6)


def test_the_common_cases_without_pytorch():
    longs = tg.tensor([1, 2])
    assert (longs + 0.5).dtype == np.float32 and (longs / 2).dtype == np.float32
    assert (longs + 1).dtype == np.int64 and (longs * True).dtype == np.int64
    assert (Tensor(np.ones(2, np.float16)) + 0.5).dtype == np.float16
    assert (Tensor(np.ones(2, np.float32)) + np.float64(2)).dtype == np.float32
    assert (tg.tensor([True]) + 1).dtype == np.int64
    assert tg.tensor([True, True]).sum().dtype == np.int64
    assert Tensor(np.ones(3, np.uint8)).sum().item() == 3
    assert (Tensor(np.ones(2, np.int32)) + Tensor(np.ones(2, np.float16))).dtype == np.float16


def test_mean_of_integers_is_refused_as_in_pytorch():
    with pytest.raises(TypeError, match=r"mean: input dtype int64 is not floating point; call "
                                        r"\.float\(\) first"):
        tg.tensor([1, 2]).mean()
    assert tg.tensor([1, 2]).float().mean().item() == 1.5


@pytest.mark.parametrize("device", [None, "cpu", "cpu:0"])
def test_the_cpu_is_accepted(device):
    dtypes.check_device("op", device)


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "mps", "xla"])
def test_other_devices_are_refused_in_one_line(device):
    with pytest.raises(ValueError, match=rf"^op: device '{device}' is not available: "
                                         "tinygrad_cnn computes on the CPU alone") as info:
        dtypes.check_device("op", device)
    assert "\n" not in str(info.value)


def test_torch_devices_are_read_by_their_type():
    torch = torch_module()
    dtypes.check_device("op", torch.device("cpu"))
    with pytest.raises(ValueError, match="not available"):
        dtypes.check_device("op", torch.device("cuda"))
