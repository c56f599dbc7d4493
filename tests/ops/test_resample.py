"""Boundary padding and interpolation: golden examples, VJPs against finite differences,
PyTorch parity, the scatter/gather pair, and the shape rules."""

import numpy as np
import pytest
from hypothesis import given
from torch_parity import TOL, torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import ShapeDtype
from tinygrad_cnn.kernels.resample import interpolation_maps, pad_maps
from tinygrad_cnn.ops.resample import BoundaryPad, Gather, Interpolate, Scatter
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import interpolate_args, pad_args

ROW = Tensor(np.array([[[1.0, 2.0, 3.0]]]))


def test_padding_modes_golden():
    # [1 2 3] padded (2, 1): reflect mirrors about the edge without repeating it, replicate
    # repeats the edge, circular wraps, constant fills
    assert F.pad(ROW, (2, 1), mode="reflect").tolist() == [[[3, 2, 1, 2, 3, 2]]]
    assert F.pad(ROW, (2, 1), mode="replicate").tolist() == [[[1, 1, 1, 2, 3, 3]]]
    assert F.pad(ROW, (2, 1), mode="circular").tolist() == [[[2, 3, 1, 2, 3, 1]]]
    assert F.pad(ROW, (2, 1), value=9.0).tolist() == [[[9, 9, 1, 2, 3, 9]]]


def test_reflect_padding_gradient_adds_the_mirrored_cells():
    x = Tensor(np.array([[[1.0, 2.0, 3.0]]]), requires_grad=True)
    F.pad(x, (2, 1), mode="reflect").backward(Tensor(np.array([[[1.0, 10, 100, 1000, 1e4,
                                                                 1e5]]])))
    # output [3 2 1 2 3 2] reads x[2], x[1], x[0], x[1], x[2], x[1]
    assert x.grad.tolist() == [[[100, 10 + 1000 + 1e5, 1 + 1e4]]]


def test_two_dim_padding_golden():
    x = Tensor(np.arange(1.0, 5.0).reshape(1, 1, 2, 2))  # [[1 2] [3 4]]
    assert F.pad(x, (1, 0, 0, 1), mode="replicate").tolist() == [[[[1, 1, 2], [3, 3, 4],
                                                                    [3, 3, 4]]]]
    assert F.pad(x, (0, 1, 1, 0), mode="circular").tolist() == [[[[3, 4, 3], [1, 2, 1],
                                                                   [3, 4, 3]]]]


def test_interpolation_golden():
    x = Tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    assert F.interpolate(x, scale_factor=2).tolist() == [[[[1, 1, 2, 2], [1, 1, 2, 2],
                                                           [3, 3, 4, 4], [3, 3, 4, 4]]]]
    # bilinear without align_corners: centres at (o + 0.5) / 2 - 0.5 = -0.25 (clamped), 0.25,
    # 0.75, 1.25 (clamped to the last pixel) of the 2 input pixels
    row = F.interpolate(x, scale_factor=2, mode="bilinear")[0, 0, 0].tolist()
    assert row == pytest.approx([1, 1.25, 1.75, 2])
    corners = F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True)
    assert corners.tolist() == [[[[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]]


def test_nearest_downsampling_leaves_unread_pixels_without_gradient():
    x = Tensor(np.arange(5.0).reshape(1, 1, 5), requires_grad=True)
    y = F.interpolate(x, size=2)  # reads floor(o · 5/2): pixels 0 and 2
    assert y.tolist() == [[[0, 2]]]
    y.sum().backward()
    assert x.grad.tolist() == [[[1, 0, 1, 0, 0]]]


@given(args=pad_args())
def test_pad_vjp(args):
    gradcheck(lambda x: F.pad(x, **args.kwargs), args.tensors)
    gradgradcheck(lambda x: F.pad(x, **args.kwargs), args.tensors)


@given(args=interpolate_args())
def test_interpolate_vjp(args):
    gradcheck(lambda x: F.interpolate(x, **args.kwargs), args.tensors)
    gradgradcheck(lambda x: F.interpolate(x, **args.kwargs), args.tensors)


def test_scatter_is_the_transpose_of_gather():
    # <gather(x), g> = <x, scatter(g)> for every map kind, so each is the other's VJP
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5))
    for maps in (pad_maps(x.shape, ((0, 0), (0, 0), (2, 3), (4, 1)), "reflect"),
                 interpolation_maps(x.shape, (7, 2), "bilinear", False, (None, None)),
                 interpolation_maps(x.shape, (3, 9), "nearest", False, (None, None))):
        y = Gather.apply(Tensor(x), maps=maps)
        g = rng.standard_normal(y.shape)
        back = Scatter.apply(Tensor(g), maps=maps)
        assert back.shape == x.shape
        assert np.vdot(y.data, g) == pytest.approx(np.vdot(x, back.data), rel=1e-12)


# ---- PyTorch parity ----------------------------------------------------------------------------


def _same_as_torch(ours, theirs, x):
    torch = torch_module()
    ox, tx = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(ox), theirs(tx)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **TOL)
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(Tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ox.grad.data, tx.grad.numpy(), **TOL)


PADS = [((2, 3, 5, 7), (1, 2, 3, 4)), ((2, 3, 5), (4, 2)), ((3, 5), (2, 3)),
        ((1, 2, 3, 4, 5), (1, 1, 2, 0, 2, 1)), ((2, 4, 4), (3, 0, 1, 3))]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
@pytest.mark.parametrize(("shape", "pad"), PADS)
def test_pad_matches_pytorch(shape, pad, mode):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal(shape)
    _same_as_torch(lambda t: F.pad(t, pad, mode=mode),
                   lambda t: torch.nn.functional.pad(t, pad, mode=mode), x)


SIZES = [{"size": 8}, {"size": (3, 2)}, {"scale_factor": 2}, {"scale_factor": 1.5},
         {"scale_factor": (0.6, 2.3)}, {"scale_factor": 0.5, "recompute_scale_factor": True},
         {"size": 1}, {"scale_factor": 1.1}]


@pytest.mark.parametrize(("mode", "align_corners"), [("nearest", None), ("bilinear", False),
                                                     ("bilinear", True)])
@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (1, 2, 4, 4)])
def test_interpolate_2d_matches_pytorch(shape, sizes, mode, align_corners):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal(shape)
    _same_as_torch(
        lambda t: F.interpolate(t, mode=mode, align_corners=align_corners, **sizes),
        lambda t: torch.nn.functional.interpolate(t, mode=mode, align_corners=align_corners,
                                                  **sizes), x)


@pytest.mark.parametrize(("shape", "mode", "options"), [
    ((2, 3, 6), "linear", {"size": 11}), ((2, 3, 6), "linear", {"scale_factor": 0.7}),
    ((2, 3, 6), "nearest", {"scale_factor": 2.5}), ((2, 3, 6), "linear",
                                                    {"size": 4, "align_corners": True}),
    ((1, 2, 3, 4, 5), "trilinear", {"scale_factor": (2, 1.5, 0.8)}),
    ((1, 2, 3, 4, 5), "nearest", {"size": (4, 3, 7)}),
])
def test_interpolate_1d_and_3d_match_pytorch(shape, mode, options):
    torch = torch_module()
    x = np.random.default_rng(0).standard_normal(shape)
    _same_as_torch(lambda t: F.interpolate(t, mode=mode, **options),
                   lambda t: torch.nn.functional.interpolate(t, mode=mode, **options), x)


def test_float32_stays_float32():
    x = Tensor(np.ones((1, 1, 3, 3), np.float32))
    assert F.interpolate(x, scale_factor=2, mode="bilinear").dtype == np.float32
    assert F.pad(x, (1, 1, 1, 1), mode="reflect").dtype == np.float32


# ---- shape rules -------------------------------------------------------------------------------


def _abstract(op, x, y, **attrs):
    want = ShapeDtype(y.shape, y.dtype)
    assert op.abstract_eval(ShapeDtype(x.shape, x.dtype), **attrs) == want


def test_shape_rules_agree_with_the_forward():
    x = Tensor(np.zeros((2, 3, 4, 5), np.float32))
    padding = {"pad_width": ((0, 0), (0, 0), (0, 3), (1, 2)), "mode": "reflect"}
    _abstract(BoundaryPad, x, BoundaryPad.apply(x, **padding), **padding)
    attrs = {"size": (7, 2), "mode": "bilinear", "align_corners": False, "scales": (None, None)}
    _abstract(Interpolate, x, Interpolate.apply(x, **attrs), **attrs)
    maps = interpolation_maps(x.shape, (7, 2), "bilinear", False, (None, None))
    gathered = Gather.apply(x, maps=maps)
    _abstract(Gather, x, gathered, maps=maps)
    _abstract(Scatter, gathered, Scatter.apply(gathered, maps=maps), maps=maps)


# ---- refusals ----------------------------------------------------------------------------------


def test_pad_refuses_bad_arguments_with_the_shapes():
    x = Tensor(np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="pad: mode must be one of"):
        F.pad(x, (1, 1), mode="symmetric")
    with pytest.raises(ValueError, match=r"mode 'reflect' needs padding less than the size of "
                                          r"the dim; dim 3 has size 3 but pad \(3, 0, 0, 0\)"):
        F.pad(x, (3, 0, 0, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"mode 'circular' needs padding at most the size"):
        F.pad(x, (0, 0, 4, 0), mode="circular")
    with pytest.raises(ValueError, match=r"pads the last 1, 2 or 3 dims .* pads 1 of input "
                                          r"\(1, 2, 3, 3\)"):
        F.pad(x, (1, 1), mode="replicate")
    with pytest.raises(ValueError, match="mode 'reflect' takes no value"):
        F.pad(x, (1, 1), mode="reflect", value=0.0)
    with pytest.raises(ValueError, match=r"pad: negative padding"):
        F.pad(x, (-1, 1), mode="replicate")


def test_interpolate_refuses_bad_arguments_with_the_shapes():
    x = Tensor(np.zeros((1, 2, 3, 3)))
    with pytest.raises(ValueError, match="give exactly one of size and scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="give exactly one of size and scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners can only be set with the linear modes"):
        F.interpolate(x, size=2, align_corners=True)
    with pytest.raises(ValueError, match=r"mode 'linear' does not fit 2 spatial dims; use "
                                          r"'bilinear' for input \(1, 2, 3, 3\)"):
        F.interpolate(x, size=2, mode="linear")
    with pytest.raises(ValueError, match=r"size must be a positive int or 2 of them for input"):
        F.interpolate(x, size=(2, 0))
    with pytest.raises(ValueError, match=r"the output size \(0, 0\) of input \(1, 2, 3, 3\)"):
        F.interpolate(x, scale_factor=0.2)
    with pytest.raises(ValueError, match=r"input must be 3-D, 4-D or 5-D"):
        F.interpolate(Tensor(np.zeros((2, 3))), size=2)
