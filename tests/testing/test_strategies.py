"""The shared hypothesis strategies draw what they promise."""

import numpy as np
from hypothesis import given

from tinygrad_cnn import Tensor
from tinygrad_cnn.testing.strategies import (
    broadcastable_shapes,
    float_arrays,
    interpolate_args,
    pad_args,
    positive_tensors,
    shapes,
    spaced_arrays,
    tensors,
)


@given(shape=shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
def test_shapes_respect_their_bounds(shape):
    assert 1 <= len(shape) <= 3 and all(2 <= n <= 4 for n in shape)


@given(pair=broadcastable_shapes())
def test_broadcastable_shapes_broadcast(pair):
    np.broadcast_shapes(*pair)


@given(array=float_arrays((3, 4), min_value=-1, max_value=1, min_magnitude=0.1))
def test_float_arrays_are_bounded_and_off_zero(array):
    assert array.dtype == np.float64 and np.abs(array).max() <= 1
    assert np.abs(array).min() >= 0.1


@given(array=spaced_arrays((4, 5), gap=0.05))
def test_spaced_arrays_have_no_near_ties(array):
    values = np.sort(array.ravel())
    assert np.diff(values).min() >= 0.05 - 1e-12


@given(x=tensors((2, 2)), p=positive_tensors((3,), low=0.5))
def test_tensors_require_grad_and_positive_tensors_are_positive(x, p):
    assert isinstance(x, Tensor) and x.requires_grad
    assert p.data.min() >= 0.5


@given(args=pad_args())
def test_pad_args_are_valid_pytorch_pad_calls(args):
    (x,) = args.tensors
    mode, pad = args.kwargs["mode"], args.kwargs["pad"]
    assert len(pad) % 2 == 0 and min(pad) >= 0
    if mode != "constant":
        assert 1 <= len(pad) // 2 <= 3 and x.ndim - len(pad) // 2 in (1, 2)
        sizes = x.shape[::-1][: len(pad) // 2]
        limit = {"reflect": -1, "circular": 0, "replicate": 2}[mode]
        assert all(max(pad[2 * k], pad[2 * k + 1]) <= n + limit or mode == "replicate"
                   for k, n in enumerate(sizes))


@given(args=interpolate_args())
def test_interpolate_args_name_a_mode_that_fits_the_rank(args):
    (x,) = args.tensors
    mode = args.kwargs["mode"]
    assert mode in ("nearest", {3: "linear", 4: "bilinear", 5: "trilinear"}[x.ndim])
    assert ("size" in args.kwargs) != ("scale_factor" in args.kwargs)
    assert ("align_corners" in args.kwargs) == (mode != "nearest")
