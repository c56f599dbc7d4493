"""Linear, Identity, Flatten and the activation layers: outputs, gradients, shapes, repr."""

import math

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor, eval_shape, manual_seed, nn
from tinygrad_cnn.summary import summary
from tinygrad_cnn.testing import gradcheck


def test_linear_output_and_gradients_by_hand():
    fc = nn.Linear(2, 2)
    fc.load_state_dict({"weight": np.array([[1.0, 2.0], [3.0, 4.0]]), "bias": np.array([0.5, -1])})
    x = Tensor([[1.0, -1.0]], requires_grad=True)
    y = fc(x)
    assert y.tolist() == [[-0.5, -2.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[4.0, 6.0]]  # column sums of W
    assert fc.weight.grad.tolist() == [[1.0, -1.0], [1.0, -1.0]]
    assert fc.bias.grad.tolist() == [1.0, 1.0]


def test_linear_gradcheck_on_batched_input():
    manual_seed(1)
    fc = nn.Linear(3, 2, dtype=np.float64)
    x = Tensor(np.random.default_rng(0).standard_normal((2, 4, 3)), requires_grad=True)
    assert gradcheck(lambda x, w, b: fc(x), [x, fc.weight, fc.bias])


def test_linear_default_init_is_pytorchs():
    manual_seed(0)
    fc = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (fc.weight, fc.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound
    assert abs(fc.weight.data.std() - bound / math.sqrt(3)) < 0.01 * bound


def test_linear_shape_inference_macs_and_repr():
    fc = nn.Linear(20, 30, bias=False)
    assert eval_shape(fc, (8, 5, 20)) == (8, 5, 30)
    assert summary(fc, (8, 5, 20), verbose=False).total_macs == 8 * 5 * 20 * 30
    assert repr(fc) == "Linear(in_features=20, out_features=30, bias=False)"
    assert fc.bias is None and fc.num_parameters() == 600
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        nn.Linear(0, 3)


def test_identity_passes_through():
    x = Tensor([1.0])
    assert nn.Identity(54, unused="x")(x) is x
    assert eval_shape(nn.Identity(), (3, 4)) == (3, 4)


@pytest.mark.parametrize(
    ("start", "end", "shape", "expected"),
    [(1, -1, (2, 3, 4, 5), (2, 60)), (0, -1, (2, 3), (6,)), (1, 2, (2, 3, 4, 5), (2, 12, 5)),
     (-2, -1, (2, 3, 4), (2, 12))],
)
def test_flatten_shapes_and_forward(start, end, shape, expected):
    layer = nn.Flatten(start, end)
    assert eval_shape(layer, shape) == expected
    x = Tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape), requires_grad=True)
    y = layer(x)
    assert y.shape == expected
    np.testing.assert_array_equal(y.data.ravel(), x.data.ravel())
    y.sum().backward()
    assert x.grad.shape == shape


def test_flatten_refuses_dims_out_of_range():
    with pytest.raises(ValueError, match=r"^Flatten: flatten: dim 1 is out of range"):
        nn.Flatten()(Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="comes after"):
        eval_shape(nn.Flatten(2, 1), (1, 2, 3))


def test_activations_by_hand():
    x = Tensor([[-1.0, 0.5, 2.0]], requires_grad=True)
    assert nn.ReLU()(x).tolist() == [[0.0, 0.5, 2.0]]
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x.data), rtol=1e-6)
    e = np.exp(x.data - x.data.max())
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).data, e / e.sum(), rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(1)(x).data, np.log(e / e.sum()), rtol=1e-5)
    y = x * 1
    assert nn.ReLU(inplace=True)(y) is y and y.tolist() == [[0.0, 0.5, 2.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 1.0]]
    with pytest.raises(RuntimeError, match="in-place write into a leaf tensor"):
        nn.ReLU(inplace=True)(x)  # as PyTorch


def test_softmax_legacy_default_dim():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_allclose(nn.Softmax()(x).data.sum(1), [1, 1], rtol=1e-6)
    v = Tensor(np.arange(3, dtype=np.float32))
    np.testing.assert_allclose(nn.LogSoftmax()(v).data, nn.LogSoftmax(0)(v).data)
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"


@pytest.mark.parametrize("layer", [nn.ReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(1),
                                   nn.LogSoftmax(1)])
def test_activation_gradients(layer):
    x = Tensor(np.array([[-1.3, 0.4, 2.1], [0.7, -0.2, 1.1]]), requires_grad=True)
    assert gradcheck(layer, [x])
    assert eval_shape(layer, (2, 3)) == (2, 3)
    assert summary(layer, (2, 3), verbose=False).total_macs == 0


def test_activations_match_pytorch():
    torch = torch_module()
    data = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    pairs = [(nn.ReLU(), torch.nn.ReLU()), (nn.Sigmoid(), torch.nn.Sigmoid()),
             (nn.Tanh(), torch.nn.Tanh()), (nn.Softmax(1), torch.nn.Softmax(1)),
             (nn.LogSoftmax(1), torch.nn.LogSoftmax(1))]
    for ours, theirs in pairs:
        x = Tensor(data.copy(), requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        ours(x).backward(Tensor(data * 0.5))
        out = theirs(tx)
        out.backward(torch.tensor(data * 0.5))
        np.testing.assert_allclose(ours(x).data, out.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_linear_matches_pytorch():
    torch = torch_module()
    theirs = torch.nn.Linear(5, 3)
    ours = nn.Linear(5, 3)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    data = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    x, tx = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-5)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_linear_refuses_an_input_of_another_dtype_naming_both(dtype):
    fc = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=rf"linear: input is {np.dtype(dtype)} but weight is "
                                        r"float32; convert one with \.to\(dtype\)"):
        fc(Tensor(np.zeros((2, 3), dtype)))
