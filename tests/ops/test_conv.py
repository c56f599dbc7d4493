"""Convolution and transposed convolution: golden example, loop oracle, VJPs, PyTorch, errors."""

from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tests import reference
from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import grad
from tinygrad_cnn.geometry import normalize_padding
from tinygrad_cnn.kernels import conv as conv_kernels
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import (
    conv1d_args,
    conv2d_args,
    conv_transpose1d_args,
    conv_transpose2d_args,
)

# The worked example: the 4×4 image 1..16 and two 3×3 filters, a vertical edge (centre minus
# the pixel below) and a horizontal one (right neighbour minus centre). Each output pixel sees
# x[h+1, v+1] - x[h+2, v+1] = -4 and x[h+1, v+2] - x[h+1, v+1] = 1.
IMAGE = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
FILTERS = np.array([[[[0, 0, 0], [0, 1, 0], [0, -1, 0]]],
                    [[[0, 0, 0], [0, -1, 1], [0, 0, 0]]]], dtype=np.float64)
OUTPUT = [[[[-4, -4], [-4, -4]],
           [[1, 1], [1, 1]]]]
OUTPUT_GRAD = np.array([[[[-4, -4], [10, 11]],
                         [[1, -7], [1, -11]]]], dtype=np.float64)
# dL/dx: each output gradient spread back through its filter (a transposed convolution);
# e.g. x[1, 1] is the centre of output (0, 0) in both filters: -4·1 + 1·(-1) = -5.
INPUT_GRAD = [[[[0, 0, 0, 0],
                [0, -5, 4, -7],
                [0, 13, 27, -11],
                [0, -10, -11, 0]]]]
# dL/dw[o, 0, i, j] = Σ_h,v gy[o, h, v] · x[h + i, v + j]
WEIGHT_GRAD = [[[[104, 117, 130], [156, 169, 182], [208, 221, 234]]],
               [[[-74, -90, -106], [-138, -154, -170], [-202, -218, -234]]]]


def test_worked_example_forward_and_backward():
    x = Tensor(IMAGE, requires_grad=True)
    w = Tensor(FILTERS, requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    y = F.conv2d(x, w, b)
    assert y.tolist() == OUTPUT
    y.backward(Tensor(OUTPUT_GRAD))
    assert x.grad.tolist() == INPUT_GRAD
    assert w.grad.tolist() == WEIGHT_GRAD
    assert b.grad.tolist() == [13, -16]  # Σ of each output gradient


def test_input_gradient_is_the_transposed_convolution_of_the_output_gradient():
    gx = F.conv_transpose2d(Tensor(OUTPUT_GRAD), Tensor(FILTERS))
    assert gx.tolist() == INPUT_GRAD


# ---- against the loop oracle -------------------------------------------------------------------
# These run the path the kernels pick for each shape; `tests/kernels/test_conv.py` runs every
# path, by argument, on the same draws.


def _pairs(kwargs, kernel):
    """The oracle's geometry: per-dim tuples and ((top, bottom), (left, right)) padding."""
    ndim = len(kernel)
    dilation = kwargs.get("dilation", (1,) * ndim)
    pads = normalize_padding("test", kwargs.get("padding", 0), kernel, dilation)
    if ndim == 1:
        return (1, *kwargs["stride"]), ((0, 0), *pads), (1, *dilation)
    return kwargs["stride"], pads, dilation


def _grads(y, tensors, seed=0):
    gy = np.random.default_rng(seed).standard_normal(y.shape)
    return gy, grad(y, list(tensors), Tensor(gy))


@given(args=conv2d_args())
def test_conv2d_matches_the_loops(args):
    x, w, *bias = args.tensors
    y = F.conv2d(*args.tensors, **args.kwargs)
    gy, (gx, gw, *gb) = _grads(y, args.tensors)
    stride, padding, dilation = _pairs(args.kwargs, w.shape[2:])
    want, want_gx, want_gw = reference.conv2d_grads(x.data, w.data, gy, stride, padding,
                                                    dilation, args.kwargs["groups"])
    if bias:
        want = want + bias[0].data[:, None, None]
        np.testing.assert_allclose(gb[0].data, gy.sum(axis=(0, 2, 3)), atol=1e-12)
    np.testing.assert_allclose(y.data, want, atol=1e-12)
    np.testing.assert_allclose(gx.data, want_gx, atol=1e-12)
    np.testing.assert_allclose(gw.data, want_gw, atol=1e-12)


@given(args=conv1d_args())
def test_conv1d_matches_the_loops_on_a_unit_height(args):
    x, w = args.tensors[:2]
    y = F.conv1d(x, w, stride=args.kwargs["stride"], padding=args.kwargs["padding"],
                 dilation=args.kwargs["dilation"], groups=args.kwargs["groups"])
    gy, (gx, gw) = _grads(y, (x, w))
    stride, padding, dilation = _pairs(args.kwargs, w.shape[2:])
    want, want_gx, want_gw = reference.conv2d_grads(
        x.data[:, :, None], w.data[:, :, None], gy[:, :, None], stride, padding, dilation,
        args.kwargs["groups"])
    np.testing.assert_allclose(y.data, want[:, :, 0], atol=1e-12)
    np.testing.assert_allclose(gx.data, want_gx[:, :, 0], atol=1e-12)
    np.testing.assert_allclose(gw.data, want_gw[:, :, 0], atol=1e-12)


@given(args=conv_transpose2d_args())
def test_conv_transpose2d_matches_the_loops(args):
    x, w = args.tensors[:2]
    kw = args.kwargs
    y = F.conv_transpose2d(x, w, **kw)
    gy, (gx, gw) = _grads(y, (x, w))
    padding = tuple((p, p) for p in kw["padding"])
    want, want_gx, want_gw = reference.conv_transpose2d_grads(
        x.data, w.data, gy, kw["stride"], padding, kw["output_padding"], kw["dilation"],
        kw["groups"])
    np.testing.assert_allclose(y.data, want, atol=1e-12)
    np.testing.assert_allclose(gx.data, want_gx, atol=1e-12)
    np.testing.assert_allclose(gw.data, want_gw, atol=1e-12)


# ---- VJPs against finite differences, first and second order ------------------------------------


def _check_gradients(fn, args):
    def call(*tensors):
        return fn(*tensors, **args.kwargs)

    assert gradcheck(call, args.tensors)
    assert gradgradcheck(call, args.tensors)


@given(args=conv2d_args())
def test_conv2d_gradients(args):
    _check_gradients(F.conv2d, args)


@given(args=conv1d_args())
def test_conv1d_gradients(args):
    _check_gradients(F.conv1d, args)


@given(args=conv_transpose2d_args())
def test_conv_transpose2d_gradients(args):
    _check_gradients(F.conv_transpose2d, args)


@given(args=conv_transpose1d_args())
def test_conv_transpose1d_gradients(args):
    _check_gradients(F.conv_transpose1d, args)


@contextmanager
def winograd_for_any_channels():
    """The entry picks the Winograd path for every 3x3 stride-1 conv, not only wide ones."""
    saved = conv_kernels.WINOGRAD_MIN_CHANNELS
    conv_kernels.WINOGRAD_MIN_CHANNELS = 1
    try:
        yield
    finally:
        conv_kernels.WINOGRAD_MIN_CHANNELS = saved


@given(args=conv2d_args(kernel_size=3, stride=1, dilation=1))
def test_conv2d_gradients_on_the_winograd_path(args):
    with winograd_for_any_channels():
        _check_gradients(F.conv2d, args)
        x, w = args.tensors[:2]
        y = F.conv2d(x, w, **args.kwargs)
        gy, (gx, gw) = _grads(y, (x, w))
    want, want_gx, want_gw = reference.conv2d_grads(x.data, w.data, gy, *_pairs(args.kwargs,
                                                    w.shape[2:]), args.kwargs["groups"])
    np.testing.assert_allclose(y.data, want, atol=1e-12)
    np.testing.assert_allclose(gx.data, want_gx, atol=1e-12)
    np.testing.assert_allclose(gw.data, want_gw, atol=1e-12)


def test_third_derivative_through_a_strided_dilated_grouped_conv():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((1, 4, 6, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((2, 2, 2, 3)), requires_grad=True)

    def second(x, w):  # d/dw of |d conv / dx|²: differentiating it again is a 3rd derivative
        y = F.conv2d(x, w, stride=(2, 1), padding=(1, 0, 0, 1), dilation=(1, 2), groups=2)
        (gx,) = grad((y * y).sum(), [x], create_graph=True)
        return (gx * gx).sum()

    assert gradgradcheck(second, [x, w])


# ---- PyTorch parity, dtypes, the graph -----------------------------------------------------------


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), [
    ((2, 3, 11, 9), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 6, 8, 8), (6, 1, 3, 3), {"padding": "same", "groups": 6}),  # depthwise
    ((1, 4, 10, 7), (6, 2, 4, 2), {"padding": "same", "dilation": (2, 1), "groups": 2}),
    ((3, 5, 6, 6), (2, 5, 1, 1), {}),
])
def test_conv2d_matches_pytorch(x_shape, w_shape, kwargs):
    torch = torch_module()
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape, np.float32), rng.standard_normal(w_shape, np.float32)
    b = rng.standard_normal(w_shape[0], np.float32)
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv2d(*ours, **kwargs)
    gy = rng.standard_normal(y.shape, np.float32)
    y.backward(Tensor(gy))
    yt = torch.nn.functional.conv2d(*theirs, **kwargs)
    yt.backward(torch.tensor(gy))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    for t, tt in zip(ours, theirs):
        assert t.grad.dtype == np.float32
        np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_conv_transpose2d_matches_pytorch():
    torch = torch_module()
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 5, 4)), rng.standard_normal((4, 3, 3, 2))
    kwargs = {"stride": (2, 3), "padding": (1, 0), "output_padding": (1, 2), "groups": 2,
              "dilation": (1, 2)}
    y = F.conv_transpose2d(Tensor(x), Tensor(w), **kwargs)
    yt = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kwargs)
    np.testing.assert_allclose(y.data, yt.numpy(), atol=1e-12)


def test_float32_stays_float32_through_second_derivatives():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 3, 7, 7), np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3), np.float32), requires_grad=True)
    b = Tensor(np.zeros(4, np.float32), requires_grad=True)
    y = F.conv2d(x, w, b, stride=2, padding=1)
    gx, gw = grad((y * y).sum(), [x, w], create_graph=True)
    (ggw,) = grad((gx * gx).sum(), [w])
    t = F.conv_transpose2d(y, w, stride=2, padding=1)
    assert {a.dtype for a in (y, gx, gw, ggw, t)} == {np.dtype(np.float32)}


def test_bias_is_an_ordinary_add_after_the_primitive():
    x = Tensor(IMAGE, requires_grad=True)
    y = F.conv2d(x, Tensor(FILTERS), Tensor(np.ones(2)), stride=1, padding=1)
    assert y.grad_fn.name == "add"
    conv = y.grad_fn.inputs[0].grad_fn
    assert conv.name == "conv2d" and len(conv.inputs) == 2
    assert conv.attrs["geometry"].attributes() == {
        "stride": (1, 1), "padding": ((1, 1), (1, 1)), "dilation": (1, 1), "groups": 1}


def test_padding_forms_agree():
    x, w = Tensor(np.random.default_rng(0).standard_normal((1, 2, 5, 6))), Tensor(FILTERS[:, :1])
    w = Tensor(np.ones((2, 2, 3, 2)))
    same = F.conv2d(x, w, padding="same")  # even kernel width: the odd pixel goes right
    assert same.shape == (1, 2, 5, 6)
    np.testing.assert_allclose(same.data, F.conv2d(x, w, padding=(0, 1, 1, 1)).data)
    np.testing.assert_allclose(F.conv2d(x, w, padding="valid").data, F.conv2d(x, w).data)
    np.testing.assert_allclose(F.conv2d(x, w, padding=1).data,
                               F.conv2d(x, w, padding=(1, 1, 1, 1)).data)


def test_non_contiguous_input():
    x = np.random.default_rng(0).standard_normal((6, 6, 2, 1)).transpose(3, 2, 1, 0)
    y = F.conv2d(Tensor(x), Tensor(FILTERS[:, :, :, :].repeat(2, axis=1)), padding=1)
    want = reference.conv2d(x, FILTERS.repeat(2, axis=1), padding=((1, 1), (1, 1)))
    np.testing.assert_allclose(y.data, want, atol=1e-12)


# ---- bad input -----------------------------------------------------------------------------------


def _t(*shape, dtype=np.float64):
    return Tensor(np.zeros(shape, dtype))


@pytest.mark.parametrize(("call", "message"), [
    (lambda: F.conv2d(_t(1, 3, 28, 28), _t(6, 1, 3, 3)),
     r"^conv2d: input has 3 channels but weight \(6, 1, 3, 3\) with groups=1 expects 1; "
     r"input \(1, 3, 28, 28\)$"),
    (lambda: F.conv2d(_t(1, 4, 8, 8), _t(6, 2, 3, 3), groups=3),
     r"^conv2d: groups=3 does not divide the 4 input channels"),
    (lambda: F.conv2d(_t(1, 4, 8, 8), _t(5, 2, 3, 3), groups=2),
     r"^conv2d: groups=2 does not divide the 5 output channels"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 5, 5)),
     r"^conv2d: kernel size 5 .* larger than the padded input size 4 .*weight \(1, 1, 5, 5\)"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), dilation=2),
     r"^conv2d: kernel size 3 \(dilation 2, spanning 5\)"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), stride=0), r"^conv2d: stride must be"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), dilation=(1, 0)),
     r"^conv2d: dilation must be at least 1"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), padding=-1),
     r"^conv2d: padding must be at least 0"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), stride=2, padding="same"),
     r"^conv2d: padding='same' needs stride 1"),
    (lambda: F.conv2d(_t(1, 4, 4), _t(1, 1, 3, 3)), r"^conv2d: input must be 4-D .*unsqueeze"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 3, 3)), r"^conv2d: weight must be 4-D"),
    (lambda: F.conv2d(_t(1, 1, 4, 4), _t(2, 1, 3, 3), _t(3)), r"^conv2d: bias must have shape"),
    (lambda: F.conv1d(_t(1, 2, 8), _t(3, 1, 3)), r"^conv1d: input has 2 channels"),
    (lambda: F.conv1d(_t(1, 1, 2), _t(3, 1, 3)), r"^conv1d: kernel size 3"),
    (lambda: F.conv_transpose2d(_t(1, 3, 4, 4), _t(2, 2, 3, 3)),
     r"^conv_transpose2d: input has 3 channels but weight \(2, 2, 3, 3\) expects 2"),
    (lambda: F.conv_transpose2d(_t(1, 2, 4, 4), _t(2, 2, 3, 3), stride=2, output_padding=2),
     r"^conv_transpose2d: output_padding \(2, 2\) must be smaller than stride"),
    (lambda: F.conv_transpose2d(_t(1, 2, 1, 1), _t(2, 2, 1, 1), padding=1),
     r"^conv_transpose2d: padding 1 \+ 1 removes the whole output"),
])
def test_bad_arguments_raise_value_error_naming_op_and_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: F.conv2d(_t(1, 1, 4, 4, dtype=np.float32), _t(1, 1, 3, 3)),
    lambda: F.conv2d(Tensor(np.zeros((1, 1, 4, 4), np.int64)), _t(1, 1, 3, 3)),
    lambda: F.conv2d(np.zeros((1, 1, 4, 4)), _t(1, 1, 3, 3)),
    lambda: F.conv2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), stride=1.5),
])
def test_bad_types_raise_type_error(call):
    with pytest.raises(TypeError, match=r"^conv2d: "):
        call()
