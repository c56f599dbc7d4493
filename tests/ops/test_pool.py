"""Max, average and adaptive pooling: golden examples, the tie rule, loop oracles, VJPs."""

import numpy as np
import pytest
from hypothesis import given
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tests import reference
from tinygrad_cnn import Tensor, no_grad
from tinygrad_cnn.autograd import grad
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import (
    adaptive_pool2d_args,
    avg_pool1d_args,
    avg_pool2d_args,
    pool1d_args,
    pool2d_args,
)


def test_max_pool_2x2_forward_backward_and_indices():
    # 0  1  2  3
    # 4  5  6  7       max of each 2×2 block: 5 7 / 13 15, at plane indices 5 7 / 13 15
    # 8  9 10 11
    # 12 13 14 15
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y, indices = F.max_pool2d(x, 2, return_indices=True)
    assert y.tolist() == [[[[5, 7], [13, 15]]]]
    assert indices.tolist() == [[[[5, 7], [13, 15]]]] and indices.dtype == np.int64
    y.backward(Tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]])))
    assert x.grad.tolist() == [[[[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]]]


def test_tied_maxima_send_the_gradient_to_the_first_in_row_major_order():
    # Every window of the constant image is a tie: its gradient goes to its top-left element,
    # so with 3×3 windows, stride 1 and padding 1 the corner collects four windows' worth.
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    F.max_pool2d(x, 3, stride=1, padding=1).sum().backward()
    assert x.grad.tolist() == [[[[4, 2, 2, 0],
                                 [2, 1, 1, 0],
                                 [2, 1, 1, 0],
                                 [0, 0, 0, 0]]]]
    row = Tensor(np.array([[[2.0, 5.0, 5.0, 1.0]]]), requires_grad=True)
    y, indices = F.max_pool1d(row, 4, return_indices=True)
    y.backward(Tensor(np.ones((1, 1, 1))))
    assert row.grad.tolist() == [[[0, 1, 0, 0]]] and indices.tolist() == [[[1]]]


def test_nan_propagates_like_pytorch():
    x = np.array([[[[1.0, np.nan], [3.0, 4.0]]]])
    assert np.isnan(F.max_pool2d(Tensor(x), 2).item())


def test_a_nan_window_sends_its_gradient_to_the_last_nan_like_pytorch():
    # windows with a NaN take PyTorch's scan (a NaN takes over); the others the first maximum
    x = Tensor(np.array([[[[np.nan, 1.0, 2.0, 2.0], [np.nan, 0.0, 2.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).backward(Tensor(np.array([[[[1.0, 5.0]]]])))
    assert x.grad.tolist() == [[[[0, 0, 5, 0], [1, 0, 0, 0]]]]


def test_tiling_windows_write_each_pixel_once_and_ties_go_first():
    # 2x2, stride 2 on an even image: the tiled scatter path; constant windows are all ties
    x = Tensor(np.ones((2, 3, 4, 6)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    want = np.zeros((2, 3, 4, 6))
    want[:, :, ::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.data, want)


def test_avg_pool_ceil_mode_and_count_include_pad_golden():
    x = Tensor(np.arange(1.0, 10.0).reshape(1, 1, 3, 3))
    # 2×2 windows, stride 2, ceil mode: the last row and column get windows of one or two
    assert F.avg_pool2d(x, 2, ceil_mode=True).tolist() == [[[[3, 4.5], [7.5, 9]]]]
    # padding 1: the corner window holds one pixel and three zeros of padding
    assert F.avg_pool2d(x, 2, padding=1).tolist()[0][0][0] == [0.25, 1.25]
    assert F.avg_pool2d(x, 2, padding=1, count_include_pad=False).tolist()[0][0][0] == [1, 2.5]
    assert F.avg_pool2d(x, 3, divisor_override=3).item() == 15


# ---- against the loop oracle -------------------------------------------------------------------


def _geometry(kwargs, ndim=2):
    kernel = kwargs["kernel_size"]
    stride = kwargs.get("stride", kernel)
    if ndim == 1:
        return {"kernel_size": (1, *kernel), "stride": (1, *stride),
                "padding": (0, *kwargs["padding"]), "ceil_mode": kwargs["ceil_mode"]}
    return {"kernel_size": kernel, "stride": stride, "padding": kwargs["padding"],
            "ceil_mode": kwargs["ceil_mode"]}


def _output_grad(y, seed=0):
    return np.random.default_rng(seed).standard_normal(y.shape)


@given(args=pool2d_args())
def test_max_pool2d_matches_the_loops(args):
    (x,) = args.tensors
    y, indices = F.max_pool2d(x, **args.kwargs, return_indices=True)
    gy = _output_grad(y)
    (gx,) = grad(y, [x], Tensor(gy))
    want, want_indices, want_gx = reference.max_pool2d_grads(
        x.data, gy, dilation=args.kwargs["dilation"], **_geometry(args.kwargs))
    np.testing.assert_array_equal(y.data, want)
    np.testing.assert_array_equal(indices.data, want_indices)
    np.testing.assert_allclose(gx.data, want_gx, atol=1e-12)


@given(args=pool1d_args())
def test_max_pool1d_matches_the_loops(args):
    (x,) = args.tensors
    y, indices = F.max_pool1d(x, **args.kwargs, return_indices=True)
    gy = _output_grad(y)
    (gx,) = grad(y, [x], Tensor(gy))
    want, want_indices, want_gx = reference.max_pool2d_grads(
        x.data[:, :, None], gy[:, :, None], dilation=(1, *args.kwargs["dilation"]),
        **_geometry(args.kwargs, 1))
    np.testing.assert_array_equal(y.data, want[:, :, 0])
    np.testing.assert_array_equal(indices.data, want_indices[:, :, 0])
    np.testing.assert_allclose(gx.data, want_gx[:, :, 0], atol=1e-12)


@given(args=pool2d_args())
def test_max_pool2d_without_grad_skips_the_winners_and_gives_the_same_maximum(args):
    (x,) = args.tensors
    with no_grad():
        y = F.max_pool2d(x, **args.kwargs)
    want, _, _ = reference.max_pool2d_grads(x.data, np.zeros(y.shape),
                                            dilation=args.kwargs["dilation"],
                                            **_geometry(args.kwargs))
    np.testing.assert_array_equal(y.data, want)
    assert y.grad_fn is None


@given(args=avg_pool2d_args())
def test_avg_pool2d_matches_the_loops(args):
    (x,) = args.tensors
    y = F.avg_pool2d(x, **args.kwargs)
    gy = _output_grad(y)
    (gx,) = grad(y, [x], Tensor(gy))
    want, want_gx = reference.avg_pool2d_grads(
        x.data, gy, count_include_pad=args.kwargs["count_include_pad"],
        divisor_override=args.kwargs["divisor_override"], **_geometry(args.kwargs))
    np.testing.assert_allclose(y.data, want, atol=1e-12)
    np.testing.assert_allclose(gx.data, want_gx, atol=1e-12)


@given(args=avg_pool1d_args())
def test_avg_pool1d_matches_the_loops(args):
    (x,) = args.tensors
    y = F.avg_pool1d(x, **args.kwargs)
    want, _ = reference.avg_pool2d_grads(
        x.data[:, :, None], None, count_include_pad=args.kwargs["count_include_pad"],
        **_geometry(args.kwargs, 1))
    np.testing.assert_allclose(y.data, want[:, :, 0], atol=1e-12)


@given(args=adaptive_pool2d_args())
def test_adaptive_pools_match_the_loops(args):
    (x,) = args.tensors
    size = tuple(n if o is None else o for o, n in zip(args.kwargs["output_size"], x.shape[2:]))
    y, indices = F.adaptive_max_pool2d(x, **args.kwargs, return_indices=True)
    want, want_indices = reference.adaptive_max_pool2d(x.data, size)
    np.testing.assert_array_equal(y.data, want)
    np.testing.assert_array_equal(indices.data, want_indices)
    mean = F.adaptive_avg_pool2d(x, **args.kwargs)
    np.testing.assert_allclose(mean.data, reference.adaptive_avg_pool2d(x.data, size), atol=1e-12)


# ---- VJPs against finite differences, first and second order ------------------------------------


def _check(fn, args):
    def call(x):
        return fn(x, **args.kwargs)

    assert gradcheck(call, args.tensors)
    assert gradgradcheck(call, args.tensors)


@given(args=pool2d_args())
def test_max_pool2d_gradients(args):
    _check(F.max_pool2d, args)


@given(args=pool1d_args())
def test_max_pool1d_gradients(args):
    _check(F.max_pool1d, args)


@given(args=avg_pool2d_args())
def test_avg_pool2d_gradients(args):
    _check(F.avg_pool2d, args)


@given(args=avg_pool1d_args())
def test_avg_pool1d_gradients(args):
    _check(F.avg_pool1d, args)


@given(args=adaptive_pool2d_args())
def test_adaptive_avg_pool2d_gradients(args):
    _check(F.adaptive_avg_pool2d, args)


@given(args=adaptive_pool2d_args())
def test_adaptive_max_pool2d_gradients(args):
    _check(F.adaptive_max_pool2d, args)


def test_second_derivative_of_max_pool_is_a_gather_through_the_same_winners():
    x = Tensor(np.random.default_rng(0).permutation(36).reshape(1, 1, 6, 6) / 10,
               requires_grad=True)
    y = F.max_pool2d(x, 3, stride=2, padding=1)
    (gx,) = grad((y * y).sum(), [x], create_graph=True)
    assert gx.grad_fn.name == "max_pool2d_backward"
    # gx = 2 m x at an element that wins m windows, so d/dx Σ gx² = 8 m² x
    (ggx,) = grad((gx * gx).sum(), [x])
    wins = np.bincount(F.max_pool2d(x, 3, 2, 1, return_indices=True)[1].data.ravel(),
                       minlength=36)
    np.testing.assert_allclose(ggx.data.ravel(), 8 * wins**2 * x.data.ravel())


# ---- PyTorch parity, dtypes ----------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0), "dilation": (2, 1)},
])
def test_max_pool2d_matches_pytorch_in_float32(kwargs):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal((4, 3, 13, 12)).astype(np.float32)
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, indices = F.max_pool2d(ours, **kwargs, return_indices=True)
    yt, indices_t = torch.nn.functional.max_pool2d(theirs, **kwargs, return_indices=True)
    gy = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    y.backward(Tensor(gy))
    yt.backward(torch.tensor(gy))
    assert y.dtype == ours.grad.dtype == np.float32
    np.testing.assert_array_equal(y.data, yt.detach().numpy())
    np.testing.assert_array_equal(indices.data, indices_t.numpy())
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True},
])
def test_max_pool1d_indices_match_pytorch(kwargs):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal((2, 3, 11)).astype(np.float32)
    y, indices = F.max_pool1d(Tensor(x), **kwargs, return_indices=True)
    yt, indices_t = torch.nn.functional.max_pool1d(torch.tensor(x), **kwargs, return_indices=True)
    np.testing.assert_array_equal(y.data, yt.numpy())
    np.testing.assert_array_equal(indices.data, indices_t.numpy())


@pytest.mark.parametrize("pool", [
    lambda x: F.max_pool2d(x, 2, return_indices=True),
    lambda x: F.adaptive_max_pool2d(x, 2, return_indices=True),
])
def test_writing_into_the_indices_leaves_the_gradient_alone(pool):
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    y, indices = pool(x)
    indices.data[...] = 0
    y.sum().backward()
    assert x.grad.tolist() == [[[[0, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0], [0, 1, 0, 1]]]]


@pytest.mark.parametrize("kwargs", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0), "divisor_override": 5},
])
def test_avg_pool2d_matches_pytorch_in_float32(kwargs):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal((4, 3, 13, 12)).astype(np.float32)
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y = F.avg_pool2d(ours, **kwargs)
    yt = torch.nn.functional.avg_pool2d(theirs, **kwargs)
    y.sum().backward()
    yt.sum().backward()
    assert y.dtype == ours.grad.dtype == np.float32
    np.testing.assert_allclose(y.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), atol=1e-6)


@pytest.mark.parametrize("size", [(1, 1), (3, 5), (7, 7), (None, 2)])
def test_adaptive_pools_match_pytorch(size):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 9)).astype(np.float32)
    mean = F.adaptive_avg_pool2d(Tensor(x), size)
    assert mean.dtype == np.float32
    np.testing.assert_allclose(
        mean.data, torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy(),
        atol=1e-6)
    y, indices = F.adaptive_max_pool2d(Tensor(x), size, return_indices=True)
    yt, indices_t = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), size, True)
    np.testing.assert_array_equal(y.data, yt.numpy())
    np.testing.assert_array_equal(indices.data, indices_t.numpy())


# ---- bad input -----------------------------------------------------------------------------------


def _t(*shape):
    return Tensor(np.zeros(shape))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: F.max_pool2d(_t(1, 1, 8, 8), 3, padding=2),
     r"^max_pool2d: padding \(2, 2\) must be at most half the kernel size \(3, 3\), i\.e\. "
     r"\(1, 1\); input \(1, 1, 8, 8\)$"),
    (lambda: F.avg_pool2d(_t(1, 1, 8, 8), 2, padding=(0, 2)), r"^avg_pool2d: padding \(0, 2\)"),
    (lambda: F.max_pool2d(_t(1, 1, 2, 2), 3), r"^max_pool2d: kernel size 3 .* input \(1, 1, 2"),
    (lambda: F.max_pool2d(_t(1, 8, 8), 2), r"^max_pool2d: input must be 4-D"),
    (lambda: F.max_pool1d(_t(1, 1, 8, 8), 2), r"^max_pool1d: input must be 3-D"),
    (lambda: F.max_pool2d(_t(1, 1, 8, 8), 2, stride=0), r"^max_pool2d: stride must be at least"),
    (lambda: F.max_pool2d(_t(1, 1, 8, 8), 2, dilation=0), r"^max_pool2d: dilation must be"),
    (lambda: F.max_pool2d(_t(1, 1, 8, 8), 0), r"^max_pool2d: kernel_size must be at least 1"),
    (lambda: F.avg_pool2d(_t(1, 1, 8, 8), 2, divisor_override=0),
     r"^avg_pool2d: divisor_override must not be 0"),
    (lambda: F.adaptive_avg_pool2d(_t(1, 1, 8, 8), (0, 2)),
     r"^adaptive_avg_pool2d: output_size must be at least 1"),
    (lambda: F.adaptive_max_pool2d(_t(1, 1, 8, 8), (1, 2, 3)),
     r"^adaptive_max_pool2d: output_size must be an int or a pair"),
])
def test_bad_arguments_raise_value_error_naming_op_and_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()
