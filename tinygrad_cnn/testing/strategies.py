"""Hypothesis strategies for shapes, arrays and tensors, shared by users' tests and ours.

Examples:
    >>> from hypothesis import given
    >>> from tinygrad_cnn.testing.strategies import tensors
    >>> @given(x=tensors(shape=(2, 3)))
    ... def test_double(x):
    ...     assert (x + x).shape == x.shape
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_cnn.shapes import index_shape
from tinygrad_cnn.summary.output_size import pool_output_size
from tinygrad_cnn.tensor import Tensor

Shape = tuple[int, ...]


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5
) -> st.SearchStrategy[Shape]:
    """Array shapes with `min_dims`..`max_dims` dims of `min_side`..`max_side` each."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 4, max_side: int = 5
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """Tuples of `num_shapes` shapes that broadcast together (NumPy's rules)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=1,
        max_side=max_side,
    ).map(lambda drawn: drawn.input_shapes)


def float_arrays(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    min_magnitude: float = 0.0,
    unique: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """Finite float arrays with values in [min_value, max_value].

    Args:
        shape: a shape or a strategy for one (default: `shapes()`).
        dtype: the float dtype.
        min_value: lower bound of the values.
        max_value: upper bound of the values.
        min_magnitude: keep |value| at least this (off the kink of abs, relu, ...).
        unique: no two elements equal (no ties for max and max pooling).
    """
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=np.dtype(dtype).itemsize * 8)
    if min_magnitude > 0:
        elements = elements.filter(lambda v: abs(v) >= min_magnitude)
    return hnp.arrays(dtype, shapes() if shape is None else shape, elements=elements,
                      unique=unique)


def spaced_arrays(
    shape: Shape | st.SearchStrategy[Shape], gap: float = 0.05, dtype: Any = np.float64
) -> st.SearchStrategy[np.ndarray]:
    """Arrays whose values are all at least `gap` apart: a distinct, shuffled grid.

    Finite differences with a step far below `gap` never swap the order of two elements, so
    max and max pooling are differentiable at every drawn point.
    """
    shape_strategy = shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape))

    @st.composite
    def build(draw: st.DrawFn) -> np.ndarray:
        drawn = draw(shape_strategy)
        size = int(np.prod(drawn))
        order = draw(st.permutations(range(size)))
        offset = draw(st.floats(-1.0, 1.0))
        values = (np.asarray(order, dtype=np.float64) - size / 2) * gap + offset
        return values.astype(dtype).reshape(drawn)

    return build()


def tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    requires_grad: bool = True,
    **array_kwargs: Any,
) -> st.SearchStrategy[Tensor]:
    """Tensors over `float_arrays(shape, dtype, **array_kwargs)`, requiring grad by default."""
    return float_arrays(shape, dtype, **array_kwargs).map(
        lambda a: Tensor(a, requires_grad=requires_grad)
    )


def positive_tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None, dtype: Any = np.float64,
    low: float = 0.1, high: float = 3.0,
) -> st.SearchStrategy[Tensor]:
    """Tensors with values in [low, high], for log, sqrt and division (away from the pole)."""
    return tensors(shape, dtype, min_value=low, max_value=high)


# ---- valid argument sets for convolution and pooling -------------------------------------------
# Each draws the output size first and derives the input size from it, so every draw is valid
# by construction: the kernel fits the padded input, groups divide the channels, pool padding
# is at most half the kernel.


class OpArgs(NamedTuple):
    """A valid call of an op: the tensors it differentiates, then its keyword arguments.

    Examples:
        >>> from hypothesis import given
        >>> import tinygrad_cnn.nn.functional as F
        >>> from tinygrad_cnn.testing import gradcheck
        >>> @given(args=conv2d_args())
        ... def test_conv2d_vjp(args):
        ...     assert gradcheck(lambda *t: F.conv2d(*t, **args.kwargs), args.tensors)
    """

    tensors: tuple[Tensor, ...]
    kwargs: dict[str, Any]


def _ints(draw: st.DrawFn, low: int, high: int) -> int:
    return draw(st.integers(low, high))


def _padded_size(draw: st.DrawFn, out: int, span: int, stride: int, pad_total: int) -> int:
    """A padded input size giving at least `out` windows, leaving up to stride - 1 pixels unused
    at the end, and holding `pad_total` padding plus at least one real pixel."""
    size = (out - 1) * stride + span + _ints(draw, 0, stride - 1)
    while size < pad_total + 1:
        size += stride
    return size


def _input(draw: st.DrawFn, shape: Shape, dtype: Any, spaced: bool = False) -> Tensor:
    data = spaced_arrays(shape, dtype=dtype) if spaced else float_arrays(shape, dtype, -1.0, 1.0)
    return Tensor(draw(data), requires_grad=True)


@st.composite
def _conv_args(draw: st.DrawFn, ndim: int, dtype: Any, kernel_size: int | None = None,
               stride: int | None = None, dilation: int | None = None) -> OpArgs:
    mode = draw(st.sampled_from(["int", "per_dim", "sides", "valid", "same"]))
    groups, per_group, out_per_group = _ints(draw, 1, 2), _ints(draw, 1, 2), _ints(draw, 1, 2)
    common_pad = _ints(draw, 0, 2)
    dims = []  # (kernel, stride, dilation, input size, (before, after)) per spatial dim
    for _ in range(ndim):
        k = kernel_size or _ints(draw, 1, 3)
        d = dilation or _ints(draw, 1, 2)
        s = 1 if mode == "same" else stride or _ints(draw, 1, 2)
        span = d * (k - 1) + 1
        if mode == "same":
            pads = ((span - 1) // 2, span - 1 - (span - 1) // 2)
        elif mode == "valid":
            pads = (0, 0)
        elif mode == "sides":
            pads = (_ints(draw, 0, 2), _ints(draw, 0, 2))
        else:
            pads = (common_pad,) * 2 if mode == "int" else (_ints(draw, 0, 2),) * 2
        out = _ints(draw, 1, 3 if ndim == 1 else 2)
        dims.append((k, s, d, _padded_size(draw, out, span, s, sum(pads)) - sum(pads), pads))
    kernel, strides, dilations, sizes, pads = (tuple(column) for column in zip(*dims))
    padding: Any = {"int": common_pad, "valid": "valid", "same": "same",
                    "per_dim": tuple(b for b, _ in pads),
                    "sides": tuple(v for pair in reversed(pads) for v in pair)}[mode]
    x = _input(draw, (_ints(draw, 1, 2), groups * per_group, *sizes), dtype)
    w = _input(draw, (groups * out_per_group, per_group, *kernel), dtype)
    bias = (_input(draw, (groups * out_per_group,), dtype),) if draw(st.booleans()) else ()
    kwargs = {"stride": strides, "padding": padding, "dilation": dilations, "groups": groups}
    return OpArgs((x, w, *bias), kwargs)


def conv2d_args(dtype: Any = np.float64, kernel_size: int | None = None,
                stride: int | None = None, dilation: int | None = None
                ) -> st.SearchStrategy[OpArgs]:
    """Valid `F.conv2d` calls: input, weight and maybe bias, over strides, dilations, groups
    and every padding form (int, per dim, (left, right, top, bottom), 'valid', 'same').

    `kernel_size`, `stride` and `dilation`, when given, fix that value in both dims (e.g.
    the 3×3, stride-1 convs of the Winograd path)."""
    return _conv_args(2, dtype, kernel_size, stride, dilation)


def conv1d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.conv1d` calls, as `conv2d_args` in one spatial dim."""
    return _conv_args(1, dtype)


@st.composite
def _conv_transpose_args(draw: st.DrawFn, ndim: int, dtype: Any, kernel_size: int | None = None,
                         stride: int | None = None, dilation: int | None = None) -> OpArgs:
    groups, per_group, out_per_group = _ints(draw, 1, 2), _ints(draw, 1, 2), _ints(draw, 1, 2)
    dims = []  # (input size, kernel, stride, dilation, output_padding, padding) per dim
    for _ in range(ndim):
        n, k = _ints(draw, 1, 3), kernel_size or _ints(draw, 1, 3)
        s, d = stride or _ints(draw, 1, 2), dilation or _ints(draw, 1, 2)
        extra = _ints(draw, 0, max(s, d) - 1)
        full = (n - 1) * s + d * (k - 1) + 1 + extra  # the output before padding is cut
        dims.append((n, k, s, d, extra, _ints(draw, 0, min(2, (full - 1) // 2))))
    sizes, kernel, stride, dilation, extra, padding = (tuple(column) for column in zip(*dims))
    x = _input(draw, (_ints(draw, 1, 2), groups * per_group, *sizes), dtype)
    w = _input(draw, (groups * per_group, out_per_group, *kernel), dtype)
    bias = (_input(draw, (groups * out_per_group,), dtype),) if draw(st.booleans()) else ()
    kwargs = {"stride": stride, "padding": padding, "output_padding": extra, "groups": groups,
              "dilation": dilation}
    return OpArgs((x, w, *bias), kwargs)


def conv_transpose2d_args(dtype: Any = np.float64, kernel_size: int | None = None,
                          stride: int | None = None, dilation: int | None = None
                          ) -> st.SearchStrategy[OpArgs]:
    """Valid `F.conv_transpose2d` calls over strides, paddings, output_padding (below stride
    or dilation), dilations and groups; `kernel_size`, `stride` and `dilation`, when given,
    fix that value in both dims."""
    return _conv_transpose_args(2, dtype, kernel_size, stride, dilation)


def conv_transpose1d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.conv_transpose1d` calls, as `conv_transpose2d_args` in one spatial dim."""
    return _conv_transpose_args(1, dtype)


def _sees_input(n: int, out: int, k: int, s: int, p: int, d: int) -> bool:
    """Every window has a tap inside the input (not only padding)."""
    taps = np.arange(out)[:, None] * s - p + np.arange(k)[None, :] * d
    return bool(((taps >= 0) & (taps < n)).any(axis=1).all())


@st.composite
def _pool_args(draw: st.DrawFn, ndim: int, average: bool, dtype: Any) -> OpArgs:
    ceil_mode, default_stride = draw(st.booleans()), draw(st.booleans())
    dims = []  # (kernel, stride, padding, dilation, input size) per spatial dim
    for _ in range(ndim):
        k = _ints(draw, 1, 3)
        s = k if default_stride else _ints(draw, 1, 3)
        p, d = _ints(draw, 0, k // 2), 1 if average else _ints(draw, 1, 2)
        n = _padded_size(draw, _ints(draw, 1, 3), d * (k - 1) + 1, s, 2 * p) - 2 * p
        while not _sees_input(n, pool_output_size(n, k, s, p, d, ceil_mode), k, s, p, d):
            n += s  # a first window of only padding and dilated taps past a tiny input
        dims.append((k, s, p, d, n))
    kernel, stride, padding, dilation, sizes = (tuple(column) for column in zip(*dims))
    kwargs: dict[str, Any] = {"kernel_size": kernel, "padding": padding, "ceil_mode": ceil_mode}
    if not default_stride:
        kwargs["stride"] = stride
    if average:
        kwargs["count_include_pad"] = draw(st.booleans())
        if ndim == 2:
            kwargs["divisor_override"] = draw(st.none() | st.integers(1, 4))
    else:
        kwargs["dilation"] = dilation
    x = _input(draw, (_ints(draw, 1, 2), _ints(draw, 1, 3), *sizes), dtype, spaced=not average)
    return OpArgs((x,), kwargs)


def pool2d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.max_pool2d` calls: kernel, stride (or the default), padding up to half the
    kernel, dilation and ceil mode; the input has no ties (values at least 0.05 apart)."""
    return _pool_args(2, False, dtype)


def pool1d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.max_pool1d` calls, as `pool2d_args` in one spatial dim."""
    return _pool_args(1, False, dtype)


def avg_pool2d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.avg_pool2d` calls, with ceil_mode, count_include_pad and divisor_override."""
    return _pool_args(2, True, dtype)


def avg_pool1d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.avg_pool1d` calls, with ceil_mode and count_include_pad."""
    return _pool_args(1, True, dtype)


@st.composite
def _adaptive_args(draw: st.DrawFn, dtype: Any) -> OpArgs:
    sizes = (_ints(draw, 1, 5), _ints(draw, 1, 5))
    output_size = tuple(draw(st.none() | st.integers(1, n + 1)) for n in sizes)
    x = _input(draw, (_ints(draw, 1, 2), _ints(draw, 1, 2), *sizes), dtype, spaced=True)
    return OpArgs((x,), {"output_size": output_size})


def adaptive_pool2d_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.adaptive_avg_pool2d` / `F.adaptive_max_pool2d` calls (output sizes up to one
    more than the input, None for "as the input"); the input has no ties."""
    return _adaptive_args(dtype)


# ---- valid argument sets for normalisation -----------------------------------------------------
# Inputs are spaced (no two values within 0.05), so no group of values has a vanishing variance
# and finite differences stay well conditioned; scales are kept away from zero.


def _affine(draw: st.DrawFn, shape: Shape, dtype: Any) -> tuple[Tensor, Tensor]:
    weight = draw(tensors(shape, dtype, min_value=0.5, max_value=1.5))
    return weight, draw(tensors(shape, dtype))


@st.composite
def _batch_norm_args(draw: st.DrawFn, dtype: Any) -> OpArgs:
    spatial = tuple(_ints(draw, 1, 3) for _ in range(_ints(draw, 0, 2)))
    batch = _ints(draw, 1 if math.prod(spatial) > 1 else 2, 3)  # two values per channel
    channels = _ints(draw, 1, 3)
    x = _input(draw, (batch, channels, *spatial), dtype, spaced=True)
    kwargs = {"training": True, "eps": draw(st.sampled_from([1e-5, 1e-3, 0.1]))}
    return OpArgs((x, *_affine(draw, (channels,), dtype)), kwargs)


def batch_norm_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid training-mode `F.batch_norm` calls: the input (N, C) or (N, C, *) with at least
    two values per channel, then weight and bias (C,), each requiring grad; the keyword
    arguments are `training=True` and `eps` (pass None for the running statistics)."""
    return _batch_norm_args(dtype)


@st.composite
def _layer_norm_args(draw: st.DrawFn, dtype: Any) -> OpArgs:
    normalized = tuple(_ints(draw, 1, 3) for _ in range(_ints(draw, 1, 2)))
    if math.prod(normalized) == 1:
        normalized = (*normalized[:-1], 2)  # a lone value has no spread
    lead = tuple(_ints(draw, 1, 3) for _ in range(_ints(draw, 0, 2)))
    x = _input(draw, (*lead, *normalized), dtype, spaced=True)
    kwargs = {"normalized_shape": normalized, "eps": draw(st.sampled_from([1e-5, 0.1]))}
    return OpArgs((x, *_affine(draw, normalized, dtype)), kwargs)


def layer_norm_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.layer_norm` calls: the input, then weight and bias of `normalized_shape` (one
    or two trailing dims holding at least two values), each requiring grad."""
    return _layer_norm_args(dtype)


@st.composite
def _group_norm_args(draw: st.DrawFn, dtype: Any) -> OpArgs:
    groups, per_group = _ints(draw, 1, 3), _ints(draw, 1, 2)
    spatial = tuple(_ints(draw, 1, 3) for _ in range(_ints(draw, 0, 2)))
    if per_group * math.prod(spatial) == 1:
        per_group = 2  # a group of one value has no spread
    channels = groups * per_group
    x = _input(draw, (_ints(draw, 1, 2), channels, *spatial), dtype, spaced=True)
    kwargs = {"num_groups": groups, "eps": draw(st.sampled_from([1e-5, 0.1]))}
    return OpArgs((x, *_affine(draw, (channels,), dtype)), kwargs)


def group_norm_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.group_norm` calls: the input (N, C, *), then weight and bias (C,), each
    requiring grad; `num_groups` divides C and every group holds at least two values."""
    return _group_norm_args(dtype)


# ---- valid argument sets for padding and resizing ----------------------------------------------


@st.composite
def _pad_args(draw: st.DrawFn, dtype: Any) -> OpArgs:
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    padded = _ints(draw, 1, 3)
    rank = padded + _ints(draw, 1, 2)  # a channel dim, and maybe a batch dim
    shape = tuple(_ints(draw, 2 if mode == "reflect" else 1, 3 if padded > 1 else 4)
                  for _ in range(rank))
    most = {"reflect": lambda n: n - 1, "circular": lambda n: n}.get(mode, lambda n: 2)
    pad = []  # PyTorch's order: the last dim's (before, after) first
    for n in reversed(shape[rank - padded:]):
        pad += [_ints(draw, 0, most(n)), _ints(draw, 0, most(n))]
    kwargs: dict[str, Any] = {"pad": tuple(pad), "mode": mode}
    if mode == "constant":
        kwargs["value"] = draw(st.sampled_from([0.0, -1.5]))
    return OpArgs((_input(draw, shape, dtype),), kwargs)


def pad_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.pad` calls in every mode: 1-3 padded dims of an input with one or two more,
    reflect padding below each size, circular up to it."""
    return _pad_args(dtype)


@st.composite
def _interpolate_args(draw: st.DrawFn, dtype: Any) -> OpArgs:
    dims = _ints(draw, 1, 3)
    sizes = tuple(_ints(draw, 1, 4 if dims < 3 else 3) for _ in range(dims))
    mode = draw(st.sampled_from(["nearest", {1: "linear", 2: "bilinear", 3: "trilinear"}[dims]]))
    kwargs: dict[str, Any] = {"mode": mode}
    if mode != "nearest":
        kwargs["align_corners"] = draw(st.booleans())
    if draw(st.booleans()):
        kwargs["size"] = tuple(_ints(draw, 1, 6) for _ in range(dims))
    else:
        # scales whose output keeps at least one pixel, drawn as output / input plus a bit
        kwargs["scale_factor"] = tuple(
            (_ints(draw, 1, 6) + draw(st.sampled_from([0.0, 0.25, 0.5]))) / n for n in sizes)
        kwargs["recompute_scale_factor"] = draw(st.booleans())
    x = _input(draw, (_ints(draw, 1, 2), _ints(draw, 1, 2), *sizes), dtype)
    return OpArgs((x,), kwargs)


def interpolate_args(dtype: Any = np.float64) -> st.SearchStrategy[OpArgs]:
    """Valid `F.interpolate` calls over 1-3 spatial dims: 'nearest' or the matching linear
    mode (with or without align_corners), by output size or by scale factor."""
    return _interpolate_args(dtype)


# ---- valid calls of einsum and of indexed writes ----------------------------------------------

# Equations with a letter for each size: products, batched products, transposes, sums,
# traces and diagonals (a letter twice in an operand), an ellipsis that broadcasts.
_EINSUM_CASES = [
    ("ij,jk->ik", ["ij", "jk"]), ("bij,bjk->bik", ["bij", "bjk"]), ("ij->ji", ["ij"]),
    ("ij->", ["ij"]), ("i,i->", ["i", "i"]), ("ij,j->i", ["ij", "j"]), ("i,j->ij", ["i", "j"]),
    ("ii->", ["ii"]), ("ii->i", ["ii"]), ("iij->j", ["iij"]), ("ij,jk,kl->il", ["ij", "jk", "kl"]),
    ("ijk->ik", ["ijk"]), ("...ij,...jk", ["ij", "jk"]), ("ba", ["ba"]),
]


@st.composite
def _einsum_args(draw: st.DrawFn, dtype: Any) -> tuple[str, tuple[Tensor, ...]]:
    equation, letters = draw(st.sampled_from(_EINSUM_CASES))
    size = {c: _ints(draw, 1, 3) for c in set("".join(letters))}
    lead = tuple(_ints(draw, 1, 2) for _ in range(_ints(draw, 0, 2)))
    shapes_ = [(lead if "..." in equation and k == 0 else ()) + tuple(size[c] for c in sub)
               for k, sub in enumerate(letters)]
    return equation, tuple(_input(draw, shape, dtype) for shape in shapes_)


def einsum_args(dtype: Any = np.float64) -> st.SearchStrategy[tuple[str, tuple[Tensor, ...]]]:
    """Valid `einsum(equation, *operands)` calls: products, batched products, transposes,
    sums, traces, diagonals and a broadcasting ellipsis, with sizes 1 to 3."""
    return _einsum_args(dtype)


@st.composite
def _index_put_args(draw: st.DrawFn, dtype: Any) -> tuple[Tensor, Any, Tensor]:
    x = draw(tensors(shapes(min_dims=1, max_dims=3, max_side=4), dtype))
    kind = draw(st.sampled_from(["basic", "rows", "mask"]))
    if kind == "basic":
        index: Any = tuple(draw(st.one_of(st.integers(-n, n - 1), st.slices(n)))
                           for n in x.shape)
    elif kind == "rows":  # distinct rows: with repeats, which write lands is unspecified
        index = np.array(draw(st.lists(st.integers(0, x.shape[0] - 1), unique=True,
                                       min_size=1)))
    else:
        index = np.nonzero(draw(hnp.arrays(bool, x.shape)))
    target = index_shape(x.shape, index)
    broadcast = draw(st.booleans()) and len(target) > 0
    value_shape = target[1:] if broadcast else target
    return x, index, draw(tensors(value_shape, dtype))


def index_put_args(dtype: Any = np.float64) -> st.SearchStrategy[tuple[Tensor, Any, Tensor]]:
    """`(x, index, value)` for `x[index] = value`: basic indexing, distinct rows or a mask,
    with `value` of the indexed shape or one that broadcasts to it."""
    return _index_put_args(dtype)
