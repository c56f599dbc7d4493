"""The torch-style functions at the top level, against PyTorch 2.13: on tensors and on
ndarrays, `(values, indices)` where PyTorch gives them, and CPU as the device."""

import numpy as np
import pytest
from torch_parity import assert_same_as_torch, torch_module

import tinygrad_cnn as tg
from tinygrad_cnn import Tensor

rng = np.random.default_rng(2)
X = rng.standard_normal((3, 4))


def both(name, *args, **kwargs):
    """A function calling `name` of whichever library its first argument belongs to."""
    def call(x, *rest):
        module = tg if isinstance(x, Tensor) else torch_module()
        return getattr(module, name)(x, *rest, *args, **kwargs)
    return call


@pytest.mark.parametrize(("name", "args", "kwargs"), [
    ("flatten", (), {}), ("flatten", (1,), {}), ("argmax", (), {}), ("argmax", (1,), {}),
    ("argmin", (0,), {"keepdim": True}), ("max", (), {}), ("max", (1,), {}),
    ("min", (0,), {"keepdim": True}), ("sum", (), {}), ("sum", (1,), {"keepdim": True}),
    ("mean", (0,), {}), ("std", (1,), {}), ("var", (), {"unbiased": False}), ("exp", (), {}),
    ("sigmoid", (), {}), ("tanh", (), {}), ("relu", (), {}), ("abs", (), {}),
    ("softmax", (1,), {}), ("log_softmax", (0,), {}), ("clamp", (-0.5, 0.5), {}),
    ("clamp", (), {"min": 0.0}), ("sort", (1,), {}), ("sort", (), {"descending": True}),
    ("argsort", (0,), {}), ("topk", (2,), {}), ("topk", (1, 0), {"largest": False}),
    ("transpose", (0, 1), {}), ("t", (), {}), ("reshape", ((4, 3),), {}),
    ("unsqueeze", (1,), {}), ("chunk", (2, 1), {}), ("split", (2,), {}), ("norm", (), {}),
    ("amax", (1,), {}), ("numel", (), {}), ("pow", (2,), {}), ("sum", (), {"dtype": None}),
])
def test_functions_match_pytorch(name, args, kwargs):
    assert_same_as_torch(both(name, *args, **kwargs), X)


@pytest.mark.parametrize("name", ["matmul", "maximum", "minimum", "max", "min"])
def test_functions_of_two_tensors_match_pytorch(name):
    other = rng.standard_normal((4, 4)) if name == "matmul" else rng.standard_normal((3, 4))
    assert_same_as_torch(both(name), X, other)


def test_cat_stack_where_log_sqrt_match_pytorch():
    positive = np.abs(X) + 0.1
    for fn in [lambda m, x: m.cat([x, x * 2], 1), lambda m, x: m.stack([x, x], 0),
               lambda m, x: m.where(x > 1, x, x * 0.5), lambda m, x: m.log(x),
               lambda m, x: m.sqrt(x)]:
        assert_same_as_torch(lambda x, fn=fn: fn(tg if isinstance(x, Tensor)
                                                 else torch_module(), x), positive)


def test_the_tutorial_habits_work_on_tensors_and_on_their_data():
    outputs = Tensor(X, requires_grad=True)
    labels = tg.tensor([3, 0, 1])
    _, predicted = tg.max(outputs.data, 1)
    values, indices = tg.max(outputs, 1)
    assert predicted.tolist() == indices.tolist() == X.argmax(1).tolist()
    assert values.requires_grad and not predicted.requires_grad
    correct = (predicted == labels).sum().item()
    assert correct == int((X.argmax(1) == [3, 0, 1]).sum()) and labels.size(0) == 3
    assert tg.max(X, 1).values.shape == (3,) and tg.sort(X).indices.dtype == np.int64


def test_no_grad_and_manual_seed_are_at_the_top_level():
    with tg.no_grad():
        assert not (Tensor(X, requires_grad=True) * 2).requires_grad
    tg.manual_seed(5)
    first = tg.randn(3).tolist()
    tg.manual_seed(5)
    assert tg.randn(3).tolist() == first


def test_one_import_gives_the_subpackages():
    import tinygrad_cnn
    assert tinygrad_cnn.nn.Linear and tinygrad_cnn.optim.SGD and tinygrad_cnn.data.DataLoader
    assert tinygrad_cnn.models.lenet5 and tinygrad_cnn.nn.functional.relu


def test_the_package_name_tensor_is_the_function():
    import sys

    import tinygrad_cnn
    from tinygrad_cnn.tensor import Tensor as FromModule
    assert callable(tinygrad_cnn.tensor) and tinygrad_cnn.tensor([1]).dtype == np.int64
    assert sys.modules["tinygrad_cnn.tensor"].Tensor is FromModule is tinygrad_cnn.Tensor


def test_the_cpu_is_the_device():
    assert not tg.cuda.is_available() and tg.cuda.device_count() == 0
    device = "cuda" if tg.cuda.is_available() else "cpu"
    assert tg.device(device) == "cpu" and tg.zeros(2, device=device).to(device).device == "cpu"
    with pytest.raises(ValueError, match="device: device 'cuda:0' is not available: "
                                         "tinygrad_cnn computes on the CPU alone"):
        tg.device("cuda:0")


def test_dtype_names_are_pytorch_s():
    torch = torch_module()
    for name in ["float16", "half", "float32", "float", "float64", "double", "uint8", "int8",
                 "int16", "short", "int32", "int", "int64", "long", "bool"]:
        assert str(getattr(tg, name)) == str(getattr(torch, name)).removeprefix("torch."), name
