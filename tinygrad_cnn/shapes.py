"""Tensor shape rules, each written once: broadcasting, dims, reshapes, padding, resizing, matmul.

These are rules about whole tensors' shapes (what `a + b`, `x.sum(1)` or `x.reshape(...)`
gives); where the windows of a conv or pool op sit is `geometry.py`'s business. Every check
raises `ValueError` naming the op, the argument and the shapes involved, before any NumPy call
could fail with a less helpful message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import is_int

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
    if not is_int(dim):
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


def position_shape(op: str, shape: Shape, dim: int | None, keepdim: bool) -> Shape:
    """The shape argmax/argmin return: () for all dims, else `shape` reduced over `dim`."""
    if dim is None:
        return ()
    dim = normalize_dim(op, dim, len(shape))
    return tuple(1 if i == dim else n for i, n in enumerate(shape) if keepdim or i != dim)


def _ints(op: str, what: str, values: Sequence[int]) -> tuple[int, ...]:
    """Python or NumPy ints as a tuple of ints; anything else a TypeError, as in PyTorch
    (int() would make 3.9 a silent 3 and parse "3")."""
    for n in values:
        if not is_int(n):
            raise TypeError(f"{op}: {what} must be ints, got {n!r} ({type(n).__name__}) in "
                            f"{tuple(values)}")
    return tuple(int(n) for n in values)


def normalize_shape(op: str, shape: Sequence[int], old: Shape) -> Shape:
    """A reshape target with a single -1 resolved against the old shape's element count."""
    shape = _ints(op, "sizes", shape)
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


def softmax_dim(op: str, dim: int, shape: Shape) -> int:
    """The dim a softmax normalises over: an existing one, holding at least one element."""
    d = normalize_dim(op, dim, len(shape))
    if shape and shape[d] == 0:
        raise ValueError(f"{op}: dim {dim} has size 0 in input {shape}; a softmax over no "
                         "elements is undefined")
    return d


def normalize_permutation(op: str, dims: Sequence[int], ndim: int) -> tuple[int, ...]:
    """A permutation of range(ndim), accepting negative dims."""
    order = tuple(normalize_dim(op, d, ndim) for d in dims)
    if sorted(order) != list(range(ndim)):
        raise ValueError(f"{op}: dims {tuple(dims)} are not a permutation of {ndim} dims")
    return order


def expand_shape(op: str, shape: Shape, target: Sequence[int]) -> Shape:
    """The broadcast target of `expand`, where -1 keeps the existing size."""
    target = _ints(op, "sizes", target)
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
    pad = _ints(op, "pad widths", pad)
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


def _per_dim(op: str, name: str, value: Any, dims: int, shape: Shape,
             ints: bool) -> tuple[Any, ...]:
    """One value per spatial dim (a single value repeated), each positive: ints (Python or
    NumPy, never a bool), or with `ints` False numbers (ints or floats)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    kinds_fit = all(is_int(v) or (not ints and isinstance(v, float)) for v in values)
    if len(values) != dims or not kinds_fit or not all(v > 0 for v in values):
        error = ValueError if kinds_fit else TypeError
        raise error(f"{op}: {name} must be a positive {'int' if ints else 'number'} or {dims} "
                    f"of them for input {shape}, got {value!r}")
    return values


def resized_size(op: str, shape: Shape, size: Any, scale_factor: Any,
                 recompute_scale_factor: bool | None = None
                 ) -> tuple[Shape, tuple[float | None, ...]]:
    """The spatial size of (N, C, *spatial) `shape` resized to `size` or by `scale_factor`
    (floor(n · scale), in float64 as PyTorch computes it), and the scale per dim that steps
    through the input (None where the step is input size / output size).

    Raises:
        TypeError: for a size that is not an int, or a scale that is not a number (a bool).
        ValueError: for sizes or scales that are not positive, one too many or too few, or an
            empty output.
    """
    dims = len(shape) - 2
    if size is not None:
        out = tuple(int(n) for n in _per_dim(op, "size", size, dims, shape, ints=True))
        return out, (None,) * dims
    factors = _per_dim(op, "scale_factor", scale_factor, dims, shape, ints=False)
    out = tuple(math.floor(float(n) * s) for n, s in zip(shape[2:], factors))
    if min(out) < 1:
        raise ValueError(f"{op}: the output size {out} of input {tuple(shape)} with "
                         f"scale_factor={scale_factor!r} has an empty dim")
    return out, (None,) * dims if recompute_scale_factor else tuple(map(float, factors))


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


def index_shape(shape: Shape, index: Any) -> Shape:
    """The shape of `x[index]` for an array `x` of `shape`, under NumPy's indexing rules.

    Computed on a read-only view of one byte broadcast to `shape`: basic indexing makes a view;
    integer arrays make a result of one byte per element, never the indexed array's data.
    """
    return np.broadcast_to(np.empty((), dtype=np.uint8), shape)[index].shape
