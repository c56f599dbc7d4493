"""Conv and pooling layers: outputs and gradients (by hand, gradcheck, PyTorch), shapes, init,
and the geometry each builds once."""

import math

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, eval_shape, manual_seed, nn
from tinygrad_cnn.nn.functional import conv as conv_functions
from tinygrad_cnn.nn.functional import pool as pool_functions
from tinygrad_cnn.summary import summary
from tinygrad_cnn.testing import gradcheck

RNG = np.random.default_rng(0)

CONV2D = [
    {"in_channels": 2, "out_channels": 3, "kernel_size": 3},
    {"in_channels": 2, "out_channels": 4, "kernel_size": (3, 2), "stride": 2, "padding": 1},
    {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "padding": "same", "dilation": 2,
     "groups": 2, "bias": False},
    {"in_channels": 3, "out_channels": 3, "kernel_size": 1, "groups": 3},
]
CONV1D = [
    {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1},
    {"in_channels": 2, "out_channels": 2, "kernel_size": 2, "dilation": 3, "groups": 2},
]
TRANSPOSED = [
    {"in_channels": 2, "out_channels": 3, "kernel_size": 3},
    {"in_channels": 2, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1,
     "output_padding": 1, "groups": 2},
    {"in_channels": 1, "out_channels": 2, "kernel_size": (2, 3), "stride": (1, 2), "dilation": 2,
     "bias": False},
]
POOLS = [
    ("MaxPool2d", {"kernel_size": 2}),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("MaxPool2d", {"kernel_size": 2, "stride": 1, "dilation": 2}),
    ("AvgPool2d", {"kernel_size": 2}),
    ("AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    ("AvgPool2d", {"kernel_size": 2, "ceil_mode": True, "divisor_override": 3}),
    ("AdaptiveAvgPool2d", {"output_size": (3, 2)}),
    ("AdaptiveAvgPool2d", {"output_size": 9}),
    ("AdaptiveAvgPool2d", {"output_size": (None, 4)}),
]
POOLS_1D = [
    ("MaxPool1d", {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("AvgPool1d", {"kernel_size": 2, "ceil_mode": True}),
]


def _input(shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _run(layer, data, grad_out_seed=1):
    """Output, input gradient and parameter gradients of `layer` for a fixed cotangent."""
    x = Tensor(data.copy(), requires_grad=True)
    y = layer(x)
    cot = np.random.default_rng(grad_out_seed).standard_normal(y.shape).astype(data.dtype)
    y.backward(Tensor(cot))
    grads = {name: p.grad.data for name, p in layer.named_parameters()}
    return y.data, x.grad.data, grads, cot


def test_conv2d_golden_example():
    # 4x4 input 0..15, one 3x3 filter of ones and one picking the centre, bias (0, 1)
    conv = nn.Conv2d(1, 2, 3)
    weight = np.stack([np.ones((3, 3)), np.pad([[1.0]], 1)])[:, None]
    conv.load_state_dict({"weight": weight, "bias": np.array([0.0, 1.0])})
    x = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4), requires_grad=True)
    y = conv(x)
    np.testing.assert_array_equal(y.data[0, 0], [[45, 54], [81, 90]])
    np.testing.assert_array_equal(y.data[0, 1], [[6, 7], [10, 11]])
    y.sum().backward()
    np.testing.assert_array_equal(conv.bias.grad.data, [4, 4])
    np.testing.assert_array_equal(conv.weight.grad.data[1, 0], [[10, 14, 18], [26, 30, 34],
                                                                [42, 46, 50]])
    # each input pixel's gradient counts the windows covering it (plus the centre filter)
    np.testing.assert_array_equal(x.grad.data[0, 0], [[1, 2, 2, 1], [2, 5, 5, 2], [2, 5, 5, 2],
                                                      [1, 2, 2, 1]])


def test_max_pool_golden_example():
    x = Tensor(np.array([[[[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 7, 6], [2, 8, 3, 3]]]],
                        dtype=np.float32), requires_grad=True)
    y = nn.MaxPool2d(2)(x)
    np.testing.assert_array_equal(y.data[0, 0], [[4, 5], [8, 7]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0],
                                                      [0, 1, 0, 0]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data[0, 0], [[2.5, 2], [2.75, 4.75]])


@pytest.mark.parametrize(("cls", "kwargs", "shape"),
                         [(nn.Conv2d, CONV2D[1], (1, 2, 5, 6)), (nn.Conv1d, CONV1D[0], (2, 2, 7)),
                          (nn.ConvTranspose2d, TRANSPOSED[1], (1, 2, 3, 3))])
def test_conv_gradcheck(cls, kwargs, shape):
    manual_seed(0)
    layer = cls(**kwargs, dtype=np.float64)
    x = Tensor(_input(shape, np.float64), requires_grad=True)
    params = list(layer.parameters())
    assert gradcheck(lambda x, *p: layer(x), [x, *params])


@pytest.mark.parametrize(("name", "kwargs"), POOLS + POOLS_1D)
def test_pool_output_shape_matches_forward(name, kwargs):
    layer = getattr(nn, name)(**kwargs)
    shape = (2, 3, 9) if name.endswith("1d") else (2, 3, 7, 8)
    out = layer(Tensor(_input(shape)))
    assert eval_shape(layer, shape) == out.shape


@pytest.mark.parametrize(("cls", "kwargs"), [(nn.Conv2d, k) for k in CONV2D]
                         + [(nn.Conv1d, k) for k in CONV1D]
                         + [(nn.ConvTranspose2d, k) for k in TRANSPOSED])
def test_conv_output_shape_and_macs_match_forward(cls, kwargs):
    layer = cls(**kwargs)
    spatial = (9,) if cls is nn.Conv1d else (7, 8)
    shape = (2, kwargs["in_channels"], *spatial)
    out = layer(Tensor(_input(shape)))
    assert eval_shape(layer, shape) == out.shape
    k = math.prod(layer.kernel_size)
    macs = summary(layer, shape, verbose=False).total_macs
    if cls is nn.ConvTranspose2d:
        assert macs == math.prod(shape) * layer.out_channels // layer.groups * k
    else:
        assert macs == math.prod(out.shape) * layer.in_channels // layer.groups * k


def test_default_init_bounds_are_pytorchs():
    manual_seed(0)
    conv = nn.Conv2d(8, 16, 3)
    bound = 1 / math.sqrt(8 * 9)
    for p in conv.parameters():
        assert np.abs(p.data).max() <= bound
    assert abs(conv.weight.data.std() - bound / math.sqrt(3)) < 0.1 * bound
    transposed = nn.ConvTranspose2d(8, 4, 3, groups=2)  # fan_in from weight dim 1: 2 * 9
    assert transposed.weight.shape == (8, 2, 3, 3)
    assert np.abs(transposed.bias.data).max() <= 1 / math.sqrt(2 * 9)


def test_layer_errors_name_the_layer():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.MaxPool2d(2), nn.Conv1d(4, 4, 3))
    with pytest.raises(ValueError, match=r"^0 \(Conv2d\): conv2d: input has 1 channels"):
        net(Tensor(_input((1, 1, 8, 8))))
    with pytest.raises(ValueError, match=r"^2 \(Conv1d\): conv1d: input must be 3-D"):
        net(Tensor(_input((1, 3, 8, 8))))
    with pytest.raises(ValueError, match=r"^2 \(Conv1d\): conv1d: input must be 3-D"):
        eval_shape(net, (1, 3, 8, 8))
    with pytest.raises(ValueError, match=r"^MaxPool2d: max_pool2d: input must be 4-D "
                                         r"\(N, C, H, W\)"):
        eval_shape(nn.MaxPool2d(2), (3, 8, 8))


@pytest.mark.parametrize(
    ("make", "message"),
    [(lambda: nn.Conv2d(3, 4, 3, groups=2), "groups=2 does not divide the 3 in_channels"),
     (lambda: nn.Conv2d(3, 4, 3, padding_mode="reflect"), "padding_mode 'reflect'"),
     (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), "'same' needs stride 1"),
     (lambda: nn.Conv2d(3, 4, 0), "kernel_size must be at least 1"),
     (lambda: nn.Conv2d(0, 4, 3), "in_channels must be a positive int"),
     (lambda: nn.ConvTranspose2d(3, 4, 3, padding="same"), "not a string"),
     (lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=2), "output_padding"),
     (lambda: nn.MaxPool2d(2, padding=2), "at most half"),
     (lambda: nn.AdaptiveAvgPool2d((0, 2)), "output_size must be")],
)
def test_constructor_refusals(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ---- against PyTorch --------------------------------------------------------------------------


def _torch_pair(torch, cls_name, kwargs):
    theirs = getattr(torch.nn, cls_name)(**kwargs)
    ours = getattr(nn, cls_name)(**kwargs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _compare(torch, ours, theirs, shape):
    data = _input(shape)
    y, gx, grads, cot = _run(ours, data)
    tx = torch.tensor(data, requires_grad=True)
    ty = theirs(tx)
    ty.backward(torch.tensor(cot))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-4)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(("name", "kwargs", "spatial"),
                         [("Conv2d", k, (7, 8)) for k in CONV2D]
                         + [("Conv1d", k, (9,)) for k in CONV1D]
                         + [("ConvTranspose2d", k, (4, 5)) for k in TRANSPOSED])
def test_conv_layers_match_pytorch(name, kwargs, spatial):
    torch = torch_module()
    ours, theirs = _torch_pair(torch, name, kwargs)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    _compare(torch, ours, theirs, (2, kwargs["in_channels"], *spatial))


@pytest.mark.parametrize(("name", "kwargs"), POOLS + POOLS_1D)
def test_pool_layers_match_pytorch(name, kwargs):
    torch = torch_module()
    ours, theirs = _torch_pair(torch, name, kwargs)
    _compare(torch, ours, theirs, (2, 3, 9) if name.endswith("1d") else (2, 3, 7, 8))


@pytest.mark.parametrize("name", ["Conv2d", "ConvTranspose2d"])
def test_default_init_matches_pytorchs_distribution(name):
    torch = torch_module()
    manual_seed(0)
    ours, theirs = getattr(nn, name)(16, 32, 3), getattr(torch.nn, name)(16, 32, 3)
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(theirs.weight)
    bound = 1 / math.sqrt(fan_in)  # both weight (a = sqrt(5)) and bias use this bound
    for key, value in theirs.state_dict().items():
        mine = ours.state_dict()[key].numpy()
        assert np.abs(mine).max() <= bound and np.abs(value.numpy()).max() <= bound
    weight, their_weight = ours.weight.data, theirs.weight.detach().numpy()
    assert np.abs(weight).max() > 0.98 * bound
    assert abs(weight.std() / their_weight.std() - 1) < 0.05


# ---- the geometry, built once ---------------------------------------------------------------


def _window_layers():
    """Each window layer with an input it takes."""
    return [(nn.Conv2d(2, 3, 3, padding=1), (1, 2, 6, 6)), (nn.Conv1d(2, 3, 3), (1, 2, 7)),
            (nn.ConvTranspose2d(2, 3, 3, stride=2), (1, 2, 4, 4)), (nn.MaxPool2d(2), (1, 2, 6, 6)),
            (nn.MaxPool1d(3, 2, 1), (1, 2, 7)), (nn.AvgPool2d(2, divisor_override=3), (1, 2, 6, 6)),
            (nn.AvgPool1d(2), (1, 2, 7))]


def test_layers_run_on_the_geometry_they_built(monkeypatch):
    layers = _window_layers()

    def refuse(*args, **kwargs):
        raise AssertionError("a geometry was built again")

    for module in (conv_functions, pool_functions):
        for name in ("conv_geometry", "conv_transpose_geometry", "pool_geometry"):
            monkeypatch.setattr(module, name, refuse, raising=False)
    for layer, shape in layers:
        assert layer(Tensor(_input(shape))).shape == eval_shape(layer, shape)
    x = Tensor(_input((1, 2, 6, 6)))
    with pytest.raises(AssertionError, match="built again"):  # where the public F builds one
        F.max_pool2d(x, 2)
    with pytest.raises(AssertionError, match="built again"):
        F.conv2d(x, layers[0][0].weight)


def test_the_recorded_op_holds_the_layers_geometry():
    conv, pool = nn.Conv2d(1, 2, 3, bias=False), nn.MaxPool2d(2)
    x = Tensor(_input((1, 1, 8, 8)), requires_grad=True)
    assert conv(x).grad_fn.attrs["geometry"] is conv.geometry
    assert pool(x).grad_fn.attrs["geometry"] is pool.geometry


def test_a_layer_changed_after_construction_runs_as_changed():
    conv = nn.Conv2d(1, 2, 3)
    conv.stride, conv.padding = 2, 1
    x = Tensor(_input((1, 1, 8, 8)))
    want = F.conv2d(x, conv.weight, conv.bias, stride=2, padding=1)
    np.testing.assert_array_equal(conv(x).data, want.data)
    pool = nn.MaxPool2d(2)
    pool.kernel_size = 3  # the stride stays 2, as in PyTorch
    assert eval_shape(pool, (1, 1, 9, 9)) == (1, 1, 4, 4)
    with pytest.raises(ValueError, match=r"^Conv2d: stride must be at least 1, got 0"):
        conv.stride = 0
    assert conv.stride == 2 and conv.geometry.stride == (2, 2)  # refused: left as it was


@pytest.mark.parametrize("layer, call", [
    (nn.Conv2d(1, 2, 3, padding=1), lambda x, w: F.conv2d(x, w, padding=1)),
    (nn.Conv2d(1, 2, 3, padding="same"), lambda x, w: F.conv2d(x, w, padding="same")),
    (nn.ConvTranspose2d(1, 2, 3, stride=2), lambda x, w: F.conv_transpose2d(x, w, stride=2)),
])
def test_a_weight_of_another_kernel_size_is_followed_as_pytorch(layer, call):
    shape = (1, 2, 5, 5) if layer.transposed else (2, 1, 5, 5)
    layer.weight = nn.Parameter(_input(shape))
    layer.bias = None
    x = Tensor(_input((1, 1, 8, 8)))
    np.testing.assert_array_equal(layer(x).data, call(x, layer.weight).data)
    assert layer.kernel_size == (3, 3)  # as PyTorch's: what the layer was built with
