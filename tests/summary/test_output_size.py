"""Output sizes of convolution and pooling: the worked sizing questions, ceil mode, strict mode,
padding forms, and the ops using the very same rule."""

import numpy as np
import pytest
from hypothesis import given
from torch_parity import torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, geometry
from tinygrad_cnn.summary import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
)
from tinygrad_cnn.testing.strategies import conv2d_args, conv_transpose2d_args, pool2d_args


@pytest.mark.parametrize(("size", "in_ch", "out_ch", "stride", "out_size", "params"), [
    (144, 3, 6, 1, 142, 168),  # 3·3·3·6 weights + 6 biases
    (60, 24, 48, 1, 58, 10_416),  # 3·3·24·48 + 48
    (20, 10, 20, 2, 9, 1_820),  # 3·3·10·20 + 20; (20 - 3) / 2 + 1 = 9.5: a column is dropped
])
def test_the_worked_sizing_questions(size, in_ch, out_ch, stride, out_size, params):
    assert conv_output_size(size, 3, stride) == out_size
    assert conv_output_size((size, size), 3, stride) == (out_size, out_size)
    weight, bias = Tensor(np.zeros((out_ch, in_ch, 3, 3))), Tensor(np.zeros(out_ch))
    y = F.conv2d(Tensor(np.zeros((1, in_ch, size, size))), weight, bias, stride=stride)
    assert y.shape == (1, out_ch, out_size, out_size)
    assert weight.numel() + bias.numel() == params


def test_strict_mode_says_when_pixels_are_dropped():
    with pytest.raises(ValueError, match=r"stride 2 does not tile .* the last 1 pixel"):
        conv_output_size(20, 3, stride=2, strict=True)
    assert conv_output_size(21, 3, stride=2, strict=True) == 10
    assert conv_output_size(20, 3, stride=2, padding=(1, 0), strict=True) == 10


def test_pool_output_size_defaults_the_stride_to_the_kernel():
    assert pool_output_size(24, 2) == 12
    assert pool_output_size((28, 28), 2) == (14, 14)
    assert pool_output_size(5, 2) == 2
    with pytest.raises(ValueError, match=r"pixel"):
        pool_output_size(5, 2, strict=True)


@pytest.mark.parametrize(("args", "floor", "ceil"), [
    ((5, 2, 2, 0), 2, 3),  # the 5th pixel gets a window of its own
    ((4, 2, 3, 1), 2, 2),  # a 3rd window would start in the trailing padding: not counted
    ((6, 3, 2, 1), 3, 4),
    ((7, 3, 3, 0), 2, 3),
])
def test_ceil_mode_keeps_only_windows_that_start_inside(args, floor, ceil):
    size, kernel, stride, padding = args
    assert pool_output_size(size, kernel, stride, padding) == floor
    assert pool_output_size(size, kernel, stride, padding, ceil_mode=True) == ceil


def test_ceil_mode_matches_pytorch_everywhere():
    torch = torch_module()
    for size in range(1, 9):
        for kernel in range(1, 4):
            for stride in range(1, 4):
                for padding in range(kernel // 2 + 1):
                    for dilation in (1, 2):
                        if size + 2 * padding < dilation * (kernel - 1) + 1:
                            continue
                        x = torch.zeros(1, 1, size)
                        want = torch.nn.functional.max_pool1d(
                            x, kernel, stride, padding, dilation, ceil_mode=True).shape[-1]
                        got = pool_output_size(size, kernel, stride, padding, dilation, True)
                        assert got == want, (size, kernel, stride, padding, dilation)


def test_padding_forms():
    assert conv_output_size((28, 28), 5, padding="same") == (28, 28)
    assert conv_output_size((28, 28), 4, dilation=3, padding="same") == (28, 28)
    assert conv_output_size((28, 28), 5, padding="valid") == (24, 24)
    # (left, right, top, bottom), as F.pad: 1 + 0 extra columns, 0 + 2 extra rows
    assert conv_output_size((10, 10), 3, padding=(1, 0, 0, 2)) == (10, 9)
    assert conv_output_size((10, 10), 3, padding=((0, 2), (1, 0))) == (10, 9)
    assert conv_output_size((10, 10), 3, padding=(2, 0)) == (12, 8)
    assert conv_output_size(10, 3, padding=(2, 0)) == 10  # 1-D: (left, right)
    assert geometry.normalize_padding("op", "same", (4, 3), (1, 1)) == ((1, 2), (1, 1))
    with pytest.raises(ValueError, match=r"^conv_output_size: padding='same' needs stride 1"):
        conv_output_size(28, 5, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"^conv_output_size: padding must be an int, a tuple"):
        conv_output_size(28, 5, padding="full")


def test_bad_sizes_raise():
    with pytest.raises(ValueError, match=r"^conv_output_size: kernel size 5 .* larger"):
        conv_output_size(4, 5)
    with pytest.raises(ValueError, match=r"^conv_output_size: stride must be at least 1"):
        conv_output_size(4, 3, stride=0)
    with pytest.raises(ValueError, match=r"^conv_output_size: padding must be at least 0"):
        conv_output_size(4, 3, padding=-1)
    with pytest.raises(ValueError, match=r"^conv_output_size: kernel_size must be an int or 2"):
        conv_output_size((4, 4), (3, 3, 3))
    with pytest.raises(TypeError, match=r"^conv_output_size: stride must be an int"):
        conv_output_size(4, 3, stride=1.0)


def test_transposed_size_inverts_the_conv_size_with_output_padding():
    assert conv_transpose_output_size(9, 3, stride=2) == 19
    assert conv_transpose_output_size(9, 3, stride=2, output_padding=1) == 20
    assert conv_transpose_output_size((4, 5), 3, 2, 1, (1, 0)) == (8, 9)


# ---- the ops use the same rule ------------------------------------------------------------------


@given(args=conv2d_args())
def test_conv2d_output_shape_is_conv_output_size(args):
    x, w = args.tensors[:2]
    kwargs = {k: v for k, v in args.kwargs.items() if k != "groups"}
    y = F.conv2d(*args.tensors, **args.kwargs)
    assert y.shape[2:] == conv_output_size(x.shape[2:], w.shape[2:], **kwargs)


@given(args=conv_transpose2d_args())
def test_conv_transpose2d_output_shape_is_conv_transpose_output_size(args):
    x, w = args.tensors[:2]
    kwargs = {k: v for k, v in args.kwargs.items() if k != "groups"}
    y = F.conv_transpose2d(*args.tensors, **args.kwargs)
    assert y.shape[2:] == conv_transpose_output_size(x.shape[2:], w.shape[2:], **kwargs)


@given(args=pool2d_args())
def test_max_pool2d_output_shape_is_pool_output_size(args):
    (x,) = args.tensors
    y = F.max_pool2d(x, **args.kwargs)
    assert y.shape[2:] == pool_output_size(x.shape[2:], **args.kwargs)
