"""The convolution kernels path by path: each of the four paths, chosen by argument, against
the loop oracle, PyTorch and each other; the path the entry picks by shape; a refused path; and
how the entry cuts a batch into chunks."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from torch_parity import torch_module

from tests import reference
from tests.kernels.drawn import arrays_of, conv_geometry_of
from tests.threadpool import threads
from tinygrad_cnn.geometry import conv_geometry
from tinygrad_cnn.kernels import conv as conv_kernels
from tinygrad_cnn.kernels import winograd
from tinygrad_cnn.testing.strategies import conv1d_args, conv2d_args, conv_transpose2d_args

PATHS = list(conv_kernels.PATHS)


def _runnable(path, g):
    assume(path != "flattened" or g.stride == (1, 1))  # the flattened path is stride 1 only
    assume(path != "winograd" or winograd.fits(g))  # drawn so by `_strategy`


def _strategy(strategy, path):
    """The drawn calls for `path`: 3x3, stride-1 convs for the Winograd path."""
    return strategy(kernel_size=3, stride=1, dilation=1) if path == "winograd" else strategy()


def _conv_against_loops(args, path):
    g = conv_geometry_of(args)
    _runnable(path, g)
    x, w = arrays_of(args)
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
    g = conv_geometry_of(args, transposed=True)
    _runnable(path, g)
    x, w = arrays_of(args)
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
    torch = torch_module()
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


# ---- the paths against each other, on batches cut into chunks -------------------------------


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), [
    ((12, 8, 32, 32), (8, 8, 3, 3), 1, 1),  # 3x3, stride 1: every path
    ((9, 8, 48, 48), (8, 4, 3, 3), 2, 0),  # groups=2, strided: per_image and im2col
])
def test_the_paths_agree_on_a_batch_cut_into_chunks(x_shape, w_shape, stride, padding):
    groups = x_shape[1] // w_shape[1]
    g = conv_geometry("test", w_shape[2:], stride, padding, 1, groups, 2)
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    out = g.output_size(x_shape[2:])
    gy = rng.standard_normal((x_shape[0], w_shape[0], *out))
    back = g.fitting_output_padding(x_shape[2:], out)
    paths = [path for path in PATHS if path != "flattened" or stride == 1]
    paths = [path for path in paths if path != "winograd" or winograd.fits(g)]
    for path in paths:  # each path's forward cuts this batch into several chunks
        values = conv_kernels.window_values(conv_kernels.PATHS[path], x_shape[1:], g, out)
        assert len(conv_kernels.batch_chunks(slice(0, x_shape[0]), values, 8)) > 1
    results = [(conv_kernels.conv(x, w, g, path), conv_kernels.conv_transpose(gy, w, back, path),
                conv_kernels.conv_weight_grad(x, gy, g, path)) for path in [None, *paths]]
    for theirs in results[1:]:
        for mine, other in zip(results[0], theirs):
            np.testing.assert_allclose(mine, other, rtol=1e-10, atol=1e-10)


@given(start=st.integers(0, 20), count=st.integers(0, 40), values=st.integers(1, 5000),
       itemsize=st.sampled_from([4, 8]), budget=st.integers(1, 2**16))
def test_chunks_cover_their_images_in_order_within_the_budget(start, count, values, itemsize,
                                                              budget):
    images = slice(start, start + count)
    chunks = conv_kernels.batch_chunks(images, values, itemsize, budget)
    covered = [i for chunk in chunks for i in range(chunk.start, chunk.stop)]
    assert covered == list(range(images.start, images.stop))
    for chunk in chunks:
        size = chunk.stop - chunk.start
        assert size >= 1 and (size == 1 or size * values * itemsize <= budget)


def test_batch_parts_run_every_chunk_once_and_return_them_in_batch_order():
    x = np.zeros((7, 1, 4, 4))
    seen = []

    def run_part(images):
        seen.append(images)
        return images.start, images.stop

    with threads(2):  # each image is its own part
        results = conv_kernels.batch_parts(x, (2, 2), 16, 10**9, run_part, budget=16 * 8 * 2)
    starts = [start for start, _ in results]
    assert starts == sorted(starts) and results[0][0] == 0 and results[-1][1] == 7
    assert all(a[1] == b[0] for a, b in itertools.pairwise(results))
    assert sorted(seen, key=lambda s: s.start) == [slice(a, b) for a, b in results]
