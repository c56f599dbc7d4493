"""Shape rules, each written once: broadcasting, dims, reshapes, padding, matmul, indexing.

Every check raises `ValueError` naming the op, the argument and the shapes involved, before
any NumPy call could fail with a less helpful message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

Shape = tuple[int, ...]


def broadcast_shape(op: str, a: Shape, b: Shape) -> Shape:
    """The shape NumPy broadcasting gives `a` and `b`, or a ValueError naming `op`."""
    result = []
    for i in range(1, max(len(a), len(b)) + 1):
        n = a[-i] if i <= len(a) else 1
        m = b[-i] if i <= len(b) else 1
        if n != m and n != 1 and m != 1:
            raise ValueError(f"{op}: shapes {a} and {b} cannot be broadcast together")
        result.append(m if n == 1 else n)
    return tuple(reversed(result))


def normalize_dim(op: str, dim: int, ndim: int) -> int:
    """A dim index in [0, ndim), accepting negative dims as Python does."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise ValueError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims")
    return int(dim) % max(ndim, 1)


def normalize_dims(op: str, dim: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """Dims as a sorted tuple of non-negative ints; None means all dims."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    normalized = sorted(normalize_dim(op, d, ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated dim in {tuple(dims)}")
    return tuple(d for d in normalized if d < ndim)


def normalize_shape(op: str, shape: Sequence[int], old: Shape) -> Shape:
    """A reshape target with a single -1 resolved against the old shape's element count."""
    shape = tuple(int(n) for n in shape)
    size = math.prod(old)
    unknown = [i for i, n in enumerate(shape) if n == -1]
    if len(unknown) > 1 or any(n < -1 for n in shape):
        raise ValueError(f"{op}: invalid target shape {shape} for input {old}")
    known = math.prod(n for n in shape if n != -1)
    if unknown:
        if known == 0 or size % known:
            raise ValueError(f"{op}: cannot reshape {old} ({size} elements) to {shape}")
        shape = (*shape[: unknown[0]], size // known, *shape[unknown[0] + 1 :])
    elif known != size:
        raise ValueError(f"{op}: cannot reshape {old} ({size} elements) to {shape}")
    return shape


def normalize_permutation(op: str, dims: Sequence[int], ndim: int) -> tuple[int, ...]:
    """A permutation of range(ndim), accepting negative dims."""
    order = tuple(normalize_dim(op, d, ndim) for d in dims)
    if sorted(order) != list(range(ndim)):
        raise ValueError(f"{op}: dims {tuple(dims)} are not a permutation of {ndim} dims")
    return order


def expand_shape(op: str, shape: Shape, target: Sequence[int]) -> Shape:
    """The broadcast target of `expand`, where -1 keeps the existing size."""
    target = tuple(int(n) for n in target)
    if len(target) < len(shape):
        raise ValueError(f"{op}: cannot expand {shape} to fewer dims {target}")
    lead = len(target) - len(shape)
    resolved = list(target)
    for i, n in enumerate(shape):
        want = target[lead + i]
        if want == -1:
            resolved[lead + i] = n
        elif n != want and n != 1:
            raise ValueError(f"{op}: cannot expand {shape} to {target}")
    if any(n < 0 for n in resolved):
        raise ValueError(f"{op}: invalid target shape {target} for {shape}")
    return tuple(resolved)


def torch_pad_to_numpy(op: str, pad: Sequence[int], shape: Shape) -> tuple[tuple[int, int], ...]:
    """Turn PyTorch's (last_before, last_after, prev_before, ...) list into NumPy pad pairs."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise ValueError(
            f"{op}: pad {pad} must hold an even number of values, at most 2 per dim of {shape}"
        )
    if any(p < 0 for p in pad):
        raise ValueError(f"{op}: negative padding {pad} for input {shape}")
    pairs = [(0, 0)] * len(shape)
    for k in range(len(pad) // 2):
        pairs[len(shape) - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    return tuple(pairs)


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """The result shape of `a @ b` under NumPy's rules, or a ValueError with both shapes."""
    if not a or not b:
        raise ValueError(f"matmul: both operands need at least 1 dim, got {a} and {b}")
    inner_a = a[-1]
    inner_b = b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul: inner dimensions differ ({inner_a} vs {inner_b}) for shapes {a} and {b}"
        )
    batch = broadcast_shape("matmul", a[:-2], b[:-2])
    rows = (a[-2],) if len(a) > 1 else ()
    cols = (b[-1],) if len(b) > 1 else ()
    return batch + rows + cols


def normalize_index(index: Any) -> Any:
    """An index NumPy and `np.add.at` both understand: arrays for lists and masks."""
    from tinygrad_cnn.tensor import Tensor

    parts = index if isinstance(index, tuple) else (index,)
    normalized: list[Any] = []
    for part in parts:
        if isinstance(part, Tensor):
            part = part.data
        if isinstance(part, (list, np.ndarray)):
            part = np.asarray(part)
            if part.dtype == bool:
                normalized.extend(part.nonzero())
                continue
            if part.dtype.kind not in "iu":
                raise TypeError(f"getitem: index arrays must hold ints or bools, not {part.dtype}")
        normalized.append(part)
    return tuple(normalized) if isinstance(index, tuple) or len(normalized) > 1 else normalized[0]


# ---- convolution and pooling ------------------------------------------------------------------

Pairs = tuple[tuple[int, int], ...]
SizeArg = int | Sequence[int]
PaddingArg = int | str | Sequence[int] | Sequence[Sequence[int]]


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def spatial_tuple(
    op: str, name: str, value: Any, ndim: int, minimum: int = 1, shapes: str = ""
) -> Shape:
    """`value` as one int per spatial dim (an int is repeated), each at least `minimum`.

    `shapes` is appended to error messages (e.g. the input and weight shapes).
    """
    values = (value,) * ndim if _is_int(value) else value
    if not isinstance(values, (tuple, list)) or not all(_is_int(v) for v in values):
        raise TypeError(f"{op}: {name} must be an int or {ndim} ints, got {value!r}{shapes}")
    if len(values) != ndim:
        raise ValueError(f"{op}: {name} must be an int or {ndim} ints, got {value!r}{shapes}")
    if any(v < minimum for v in values):
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}{shapes}")
    return tuple(int(v) for v in values)


def conv_padding(
    op: str, padding: PaddingArg, kernel_size: Shape, dilation: Shape,
    stride: Shape | None = None, shapes: str = "",
) -> Pairs:
    """Padding as a (before, after) pair per spatial dim.

    Accepts an int (all sides), one int per dim (both sides of it), 2 ints per dim in F.pad
    order (last dim first: `(left, right, top, bottom)` in 2-D), the pairs themselves,
    `'valid'` (none) or `'same'` (output as large as the input; the odd pixel goes after, as
    PyTorch; stride 1 only). `shapes` is appended to error messages.
    """
    ndim = len(kernel_size)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * ndim
        if padding != "same":
            raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', "
                             f"got {padding!r}{shapes}")
        if stride is not None and any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride {stride}{shapes}")
        totals = [d * (k - 1) for k, d in zip(kernel_size, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, (tuple, list)) and padding and isinstance(padding[0], (tuple, list)):
        pairs = tuple(tuple(p) for p in padding)
        if len(pairs) != ndim or any(len(p) != 2 for p in pairs):
            raise ValueError(f"{op}: padding {padding!r} needs one (before, after) pair per "
                             f"spatial dim ({ndim}){shapes}")
        flat = tuple(v for p in pairs for v in p)
    elif isinstance(padding, (tuple, list)) and len(padding) == 2 * ndim and ndim > 0:
        flat = tuple(padding)  # F.pad order: the last dim's (before, after) first
        pairs = tuple((flat[2 * k], flat[2 * k + 1]) for k in reversed(range(ndim)))
    else:
        per_dim = spatial_tuple(op, "padding", padding, ndim, minimum=0, shapes=shapes)
        pairs = tuple((p, p) for p in per_dim)
        flat = per_dim
    if not all(_is_int(v) for v in flat):
        raise TypeError(f"{op}: padding must hold ints, got {padding!r}{shapes}")
    if any(v < 0 for v in flat):
        raise ValueError(f"{op}: padding must be at least 0, got {padding!r}{shapes}")
    return tuple((int(b), int(a)) for b, a in pairs)


def window_output_size(
    op: str, in_size: Shape, kernel_size: Shape, stride: Shape, padding: Pairs,
    dilation: Shape, ceil_mode: bool = False, strict: bool = False, shapes: str = "",
) -> Shape:
    """Per dim: floor((n + before + after - d (k - 1) - 1) / s) + 1 windows (ceil in ceil mode).

    In ceil mode the last window must start inside the input or its leading padding, as in
    PyTorch. `strict` raises when the stride does not tile the padded input exactly. `shapes`
    is appended to error messages (e.g. the input and weight shapes).
    """
    out = []
    for dim, (n, k, s, (before, after), d) in enumerate(
        zip(in_size, kernel_size, stride, padding, dilation)
    ):
        span, padded = d * (k - 1) + 1, n + before + after
        where = f" in spatial dim {dim}" if len(in_size) > 1 else ""
        if padded < span:
            raise ValueError(
                f"{op}: kernel size {k} (dilation {d}, spanning {span}) is larger than the "
                f"padded input size {padded} (size {n} + padding {before} + {after}){where}"
                f"{shapes}"
            )
        left_over = (padded - span) % s
        if strict and left_over:
            raise ValueError(
                f"{op}: stride {s} does not tile the padded input size {padded} with kernel "
                f"span {span}{where}: the last {left_over} pixel(s) are dropped{shapes}"
            )
        size = (padded - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (size - 1) * s >= n + before:
            size -= 1  # the last window would start in the trailing padding
        out.append(size)
    return tuple(out)


def _size_args(in_size: SizeArg) -> tuple[Shape, bool]:
    """The input size as a tuple, and whether it was a single int."""
    if _is_int(in_size):
        return (int(in_size),), True
    return spatial_tuple("conv_output_size", "in_size", tuple(in_size), len(in_size), 1), False


def conv_output_size(
    in_size: SizeArg,
    kernel_size: SizeArg,
    stride: SizeArg = 1,
    padding: PaddingArg = 0,
    dilation: SizeArg = 1,
    ceil_mode: bool = False,
    strict: bool = False,
) -> int | Shape:
    """The output size of a convolution: floor((n + 2p - d (k - 1) - 1) / s) + 1 per dim.

    Args:
        in_size: the input's spatial size, an int or one int per dim.
        kernel_size: an int or one per dim.
        stride: an int or one per dim.
        padding: as `conv2d` takes it: an int, one int per dim, (left, right, top, bottom),
            'valid' or 'same'.
        dilation: an int or one per dim.
        ceil_mode: round up, keeping only windows that start inside the input or its leading
            padding (pooling's rule).
        strict: raise when the stride leaves pixels at the end unused.

    Returns:
        An int for an int `in_size`, else a tuple.

    Raises:
        ValueError: for a kernel larger than the padded input, a bad argument, or (strict)
            dropped pixels.

    Examples:
        >>> conv_output_size(144, 3)
        142
        >>> conv_output_size((20, 20), 3, stride=2)
        (9, 9)
    """
    op = "conv_output_size"
    size, scalar = _size_args(in_size)
    ndim = len(size)
    kernel = spatial_tuple(op, "kernel_size", kernel_size, ndim)
    strides = spatial_tuple(op, "stride", stride, ndim)
    dilations = spatial_tuple(op, "dilation", dilation, ndim)
    pads = conv_padding(op, padding, kernel, dilations, strides)
    out = window_output_size(op, size, kernel, strides, pads, dilations, ceil_mode, strict)
    return out[0] if scalar else out


def pool_output_size(
    in_size: SizeArg,
    kernel_size: SizeArg,
    stride: SizeArg | None = None,
    padding: PaddingArg = 0,
    dilation: SizeArg = 1,
    ceil_mode: bool = False,
    strict: bool = False,
) -> int | Shape:
    """The output size of a pooling layer: `conv_output_size` with the stride defaulting to
    the kernel size.

    Examples:
        >>> pool_output_size(24, 2)
        12
        >>> pool_output_size(5, 2, ceil_mode=True)
        3
    """
    stride = kernel_size if stride is None or stride == () else stride
    return conv_output_size(in_size, kernel_size, stride, padding, dilation, ceil_mode, strict)


def conv_transpose_output_size(
    in_size: SizeArg,
    kernel_size: SizeArg,
    stride: SizeArg = 1,
    padding: PaddingArg = 0,
    output_padding: SizeArg = 0,
    dilation: SizeArg = 1,
) -> int | Shape:
    """(n - 1) s - before - after + d (k - 1) + output_padding + 1 per dim.

    Raises:
        ValueError: when the padding removes the whole output.

    Examples:
        >>> conv_transpose_output_size(9, 3, stride=2, output_padding=1)
        20
    """
    op = "conv_transpose_output_size"
    size, scalar = _size_args(in_size)
    ndim = len(size)
    kernel = spatial_tuple(op, "kernel_size", kernel_size, ndim)
    strides = spatial_tuple(op, "stride", stride, ndim)
    dilations = spatial_tuple(op, "dilation", dilation, ndim)
    extra = spatial_tuple(op, "output_padding", output_padding, ndim, minimum=0)
    pads = conv_padding(op, padding, kernel, dilations)
    out = transposed_output_size(op, size, kernel, strides, pads, extra, dilations)
    return out[0] if scalar else out


def transposed_output_size(
    op: str, in_size: Shape, kernel_size: Shape, stride: Shape, padding: Pairs,
    output_padding: Shape, dilation: Shape, shapes: str = "",
) -> Shape:
    """The size of a transposed convolution's output per dim (see `conv_transpose_output_size`)."""
    out = []
    for n, k, s, (before, after), extra, d in zip(
        in_size, kernel_size, stride, padding, output_padding, dilation
    ):
        full = (n - 1) * s + d * (k - 1) + 1 + extra
        if full - before - after < 1:
            raise ValueError(f"{op}: padding {before} + {after} removes the whole output of "
                             f"size {full}{shapes}")
        out.append(full - before - after)
    return tuple(out)
