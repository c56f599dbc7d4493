"""Tensor shape rules, each written once: broadcasting, dims, reshapes, indices, splits,
padding, resizing, matmul.

These are rules about whole tensors' shapes (what `a + b`, `x.sum(1)` or `x.reshape(...)`
gives); where the windows of a conv or pool op sit is `geometry.py`'s business, and dtypes are
`autograd/operands.py`'s. Every check raises `ValueError` naming the op, the argument and the
shapes involved, before any NumPy call could fail with a less helpful message.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.arguments import is_int, non_negative_int, positive_int

Shape = tuple[int, ...]


# ---- arguments ---------------------------------------------------------------------------------


def varargs(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Sizes or dims given either way: f(2, 3) and f((2, 3)) (or a list) are the same."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def dim_or_axis(dim: Any, axis: Any) -> Any:
    """PyTorch's `dim`, or NumPy's `axis` when that is the one given."""
    return axis if dim is None else dim


def normalize_index(op: str, index: Any) -> Any:
    """An index NumPy and `np.add.at` both understand: int arrays for lists and masks."""
    parts = index if isinstance(index, tuple) else (index,)
    normalized: list[Any] = []
    for part in parts:
        if isinstance(part, (list, np.ndarray)):
            part = np.asarray(part)
            if part.dtype == bool:
                normalized.extend(part.nonzero())
                continue
            if part.dtype.kind not in "iu":
                raise TypeError(f"{op}: index arrays must hold ints or bools, not {part.dtype}")
        normalized.append(part)
    return tuple(normalized) if isinstance(index, tuple) or len(normalized) > 1 else normalized[0]


# ---- shapes ------------------------------------------------------------------------------------


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


def swapped_dims(op: str, dim0: int, dim1: int, ndim: int) -> tuple[int, ...]:
    """The permutation of `ndim` dims that swaps two of them (transpose)."""
    order = list(range(ndim))
    a, b = normalize_dim(op, dim0, ndim), normalize_dim(op, dim1, ndim)
    order[a], order[b] = order[b], order[a]
    return tuple(order)


def flattened_shape(op: str, shape: Shape, start_dim: int, end_dim: int) -> Shape:
    """The shape with dims `start_dim`..`end_dim` merged into one (a 0-d shape becomes (1,))."""
    if not shape:
        return (1,)
    start, end = normalize_dim(op, start_dim, len(shape)), normalize_dim(op, end_dim, len(shape))
    return (*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :])


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


def split_indices(op: str, split: int | Sequence[int], dim: int, shape: Shape
                  ) -> list[tuple[slice, ...]]:
    """The index of each piece `split` cuts `dim` into: pieces of one size (the last
    smaller), or of the listed sizes, which must add up to the dim's length (as `torch.split`)."""
    dim = normalize_dim(op, dim, len(shape))
    length = shape[dim]
    if is_int(split):
        split = positive_int(op, "split_size", split)
        sizes = tuple(min(split, length - start) for start in range(0, length, split))
    else:
        sizes = tuple(non_negative_int(op, "split size", n) for n in split)
        if sum(sizes) != length:
            raise ValueError(f"{op}: split sizes {sizes} do not add up to the length {length} "
                             f"of dim {dim} of {shape}")
    starts = itertools.accumulate(sizes, initial=0)
    return [(slice(None),) * dim + (slice(a, a + n),) for a, n in zip(starts, sizes)]


def repeat_shapes(op: str, shape: Shape, repeats: Sequence[int]) -> tuple[Shape, Shape, Shape]:
    """`repeat` as reshape, expand, reshape: each dim d with a count r becomes (1, d), is
    expanded to (r, d), and the pairs merge (counts beyond the dims add leading dims)."""
    repeats = tuple(non_negative_int(op, "repeats", n) for n in repeats)
    if len(repeats) < len(shape):
        raise ValueError(f"{op}: repeats {repeats} must hold one count for each of the "
                         f"{len(shape)} dims of {shape} or more")
    dims = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    spread = tuple(n for d in dims for n in (1, d))
    tiled = tuple(n for r, d in zip(repeats, dims) for n in (r, d))
    return spread, tiled, tuple(r * d for r, d in zip(repeats, dims))


def chunk_size(op: str, chunks: int, dim: int, shape: Shape) -> int:
    """The size of `chunk`'s pieces: ceil(length / chunks), so maybe fewer than `chunks`."""
    chunks = positive_int(op, "chunks", chunks)
    length = shape[normalize_dim(op, dim, len(shape))]
    return max(-(-length // chunks), 1)


def topk_dim(op: str, k: int, dim: int, shape: Shape) -> int:
    """The dim `topk` picks along, holding at least `k` elements."""
    d = normalize_dim(op, dim, len(shape))
    if non_negative_int(op, "k", k) > (shape[d] if shape else 1):
        raise ValueError(f"{op}: k={k} is out of range for dim {dim} of {shape}")
    return d


def check_at_most_2d(op: str, shape: Shape) -> None:
    """Raise unless `shape` has at most 2 dims (a matrix, a vector or a number)."""
    if len(shape) > 2:
        raise ValueError(f"{op}: expects a tensor with at most 2 dims, got {shape}")


def along_dim(op: str, shape: Shape, dim: int, index: np.ndarray) -> tuple[np.ndarray, ...]:
    """The NumPy index that picks `index[i, j, k]` along `dim` from an array of `shape`, at
    position (i, j, k) elsewhere (the rule of `gather` and `scatter`).

    `index` has the array's number of dims and no dim longer than the array's, except `dim`.
    """
    dim = normalize_dim(op, dim, len(shape))
    if index.dtype.kind not in "iu" or index.ndim != len(shape) or any(
            n > m for d, (n, m) in enumerate(zip(index.shape, shape)) if d != dim):
        raise ValueError(f"{op}: index of shape {index.shape} and dtype {index.dtype} does not "
                         f"fit input {shape} along dim {dim}: ints, one dim each, none longer "
                         "than the input's but dim")
    if index.size and (index.min() < 0 or index.max() >= shape[dim]):
        raise IndexError(f"{op}: index out of range [0, {shape[dim]}) for dim {dim} of {shape}")
    coords = list(np.indices(index.shape, sparse=True))
    coords[dim] = index
    return tuple(coords)


def var_arguments(op: str, dim: Any, unbiased: bool | None, correction: float | None
                  ) -> tuple[Any, float]:
    """`dim` and the `correction` of var and std: 1 (Bessel's) unless `unbiased=False` or
    given; PyTorch's var(unbiased) (a bool first) is read as that."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise ValueError(f"{op}: give unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def put_shape(op: str, shape: Shape, index: Any, value: Shape) -> None:
    """Raise unless a value of shape `value` broadcasts to `x[index]` for `x` of `shape`."""
    try:
        target = index_shape(shape, index)
    except IndexError as error:
        raise IndexError(f"{op}: {error}; tensor shape {shape}") from None
    try:
        fits = broadcast_shape(op, value, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: a value of shape {value} cannot fill x[index] of shape "
                         f"{target}; x has shape {shape}")
