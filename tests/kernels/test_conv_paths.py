"""The convolution kernels path by path: each of the four paths, chosen by argument, against
the loop oracle and PyTorch; the path the entry picks by shape; and a refused path."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests import reference
from tinygrad_cnn.geometry import conv_geometry, conv_transpose_geometry
from tinygrad_cnn.kernels import conv as conv_kernels
from tinygrad_cnn.kernels import winograd
from tinygrad_cnn.testing.strategies import conv1d_args, conv2d_args, conv_transpose2d_args

PATHS = list(conv_kernels.PATHS)


def _geometry(args, transposed=False):
    """The 2-D geometry of a drawn conv call (1-D calls lifted to a unit height)."""
    w, kw = args.tensors[1], args.kwargs
    ndim = w.ndim - 2
    if transposed:
        g = conv_transpose_geometry("test", w.shape[2:], kw["stride"], kw["padding"],
                                    kw["output_padding"], kw["dilation"], kw["groups"], ndim)
    else:
        g = conv_geometry("test", w.shape[2:], kw["stride"], kw["padding"], kw["dilation"],
                          kw["groups"], ndim)
    return g.lifted() if ndim == 1 else g


def _unit_height(args):
    x, w = (t.data for t in args.tensors[:2])
    return (x[:, :, None], w[:, :, None]) if x.ndim == 3 else (x, w)


def _runnable(path, g):
    assume(path != "flattened" or g.stride == (1, 1))  # the flattened path is stride 1 only
    assume(path != "winograd" or winograd.fits(g))  # drawn so by `_strategy`


def _strategy(strategy, path):
    """The drawn calls for `path`: 3x3, stride-1 convs for the Winograd path."""
    return strategy(kernel_size=3, stride=1, dilation=1) if path == "winograd" else strategy()


def _conv_against_loops(args, path):
    g = _geometry(args)
    _runnable(path, g)
    x, w = _unit_height(args)
    y = conv_kernels.conv(x, w, g, path)
    gy = np.random.default_rng(0).standard_normal(y.shape)
    want, want_gx, want_gw = reference.conv2d_grads(x, w, gy, g.stride, g.padding, g.dilation,
                                                    g.groups)
    back = g.fitting_output_padding(x.shape[2:], gy.shape[2:])
    np.testing.assert_allclose(y, want, atol=1e-12)
    np.testing.assert_allclose(conv_kernels.conv_transpose(gy, w, back, path), want_gx, atol=1e-12)
    np.testing.assert_allclose(conv_kernels.conv_weight_grad(x, gy, g, path), want_gw, atol=1e-12)


@pytest.mark.parametrize("path", PATHS)
@given(data=st.data())
def test_conv2d_paths_match_the_loops(data, path):
    _conv_against_loops(data.draw(_strategy(conv2d_args, path)), path)


@pytest.mark.parametrize("path", [path for path in PATHS if path != "winograd"])  # 1x3
@given(args=conv1d_args())
def test_conv1d_paths_match_the_loops_on_a_unit_height(args, path):
    _conv_against_loops(args, path)


@pytest.mark.parametrize("path", PATHS)
@given(data=st.data())
def test_conv_transpose2d_paths_match_the_loops(data, path):
    args = data.draw(_strategy(conv_transpose2d_args, path))
    g = _geometry(args, transposed=True)
    _runnable(path, g)
    x, w = _unit_height(args)
    y = conv_kernels.conv_transpose(x, w, g, path)
    gy = np.random.default_rng(0).standard_normal(y.shape)
    want, want_gx, want_gw = reference.conv_transpose2d_grads(
        x, w, gy, g.stride, g.padding, g.output_padding, g.dilation, g.groups)
    gx = conv_kernels.conv(gy, w, g, path)[:, :, : x.shape[2], : x.shape[3]]
    np.testing.assert_allclose(y, want, atol=1e-12)
    np.testing.assert_allclose(gx, want_gx, atol=1e-12)
    np.testing.assert_allclose(conv_kernels.conv_weight_grad(gy, x, g, path), want_gw, atol=1e-12)


PYTORCH_CASES = [  # (x shape, w shape, kwargs)
    ((2, 3, 11, 9), (4, 3, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 6, 8, 8), (6, 1, 3, 3), {"padding": "same", "groups": 6}),  # depthwise
    ((1, 4, 10, 7), (6, 2, 4, 2), {"padding": "same", "dilation": (2, 1), "groups": 2}),
    ((3, 5, 6, 6), (2, 5, 1, 1), {}),
    ((5, 8, 9, 7), (6, 8, 3, 3), {"padding": 1}),  # odd sizes: Winograd's last tiles overhang
    ((4, 6, 12, 10), (8, 3, 3, 3), {"padding": (0, 2), "groups": 2}),
]


def _path_fits(path, kwargs, kernel):
    if path == "flattened":
        return kwargs.get("stride", 1) == 1
    if path == "winograd":
        return kernel == (3, 3) and kwargs.get("stride", 1) == 1 and "dilation" not in kwargs
    return True


@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs", "path"), [
    (*case, path) for case in PYTORCH_CASES for path in PATHS
    if _path_fits(path, case[2], case[1][2:])
])
def test_float32_paths_match_pytorch(x_shape, w_shape, kwargs, path):
    torch = pytest.importorskip("torch")
    options = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, **kwargs}
    g = conv_geometry("test", w_shape[2:], *options.values(), ndim=2)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape, np.float32), rng.standard_normal(w_shape, np.float32)
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w)]
    yt = torch.nn.functional.conv2d(*theirs, **kwargs)
    gy = rng.standard_normal(tuple(yt.shape), np.float32)
    yt.backward(torch.tensor(gy))
    y = conv_kernels.conv(x, w, g, path)
    back = g.fitting_output_padding(x_shape[2:], gy.shape[2:])
    gx = conv_kernels.conv_transpose(gy, w, back, path)
    gw = conv_kernels.conv_weight_grad(x, gy, g, path)
    assert {y.dtype, gx.dtype, gw.dtype} == {np.dtype(np.float32)}
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gx, theirs[0].grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(gw, theirs[1].grad.numpy(), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(("image", "stride", "windows", "path"), [
    ((64, 1, 28, 28), (1, 1), (24, 24), "per_image"),  # LeNet's first conv: 576 windows each
    ((64, 6, 12, 12), (1, 1), (8, 8), "im2col"),  # LeNet's second conv: 64 windows per image
    ((8, 64, 56, 56), (1, 1), (56, 56), "winograd"),  # a VGG conv: 3x3, 64 channels
    ((128, 64, 8, 8), (1, 1), (8, 8), "winograd"),  # ResNet-20's last stage
    ((128, 32, 16, 16), (1, 1), (16, 16), "flattened"),  # its middle stage: 32 channels
    ((64, 512, 1, 1), (1, 1), (1, 1), "im2col"),  # one output per image: no tiles to share
    ((8, 3, 32, 32), (2, 2), (16, 16), "per_image"),  # strided, 256 windows per image
])
def test_the_entry_picks_a_path_by_shape(image, stride, windows, path):
    g = conv_geometry("test", (3, 3), stride, 0, 1, 1, 2)
    assert conv_kernels.choose_path(image, g, windows) == path


def test_an_unknown_or_unfit_path_is_refused():
    x, w = np.zeros((1, 1, 6, 6)), np.zeros((1, 1, 3, 3))
    with pytest.raises(ValueError, match=r"path must be one of flattened, per_image, im2col, "
                                         r"winograd or None, got 'fft'"):
        conv_kernels.conv(x, w, conv_geometry("test", (3, 3), 1, 0, 1, 1, 2), "fft")
    with pytest.raises(ValueError, match=r"flattened path needs stride 1, got \(2, 2\)"):
        conv_kernels.conv(x, w, conv_geometry("test", (3, 3), 2, 0, 1, 1, 2), "flattened")
    with pytest.raises(ValueError, match=r"winograd path needs a 3x3 kernel, stride 1 and "
                                         r"dilation 1, got kernel \(3, 3\), stride \(1, 1\), "
                                         r"dilation \(2, 2\)"):
        conv_kernels.conv(np.zeros((1, 1, 9, 9)), w, conv_geometry("test", (3, 3), 1, 0, 2, 1, 2),
                          "winograd")
