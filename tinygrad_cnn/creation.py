"""Functions that make tensors: filled, random, ranges, and joins of several tensors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn import random, shapes
from tinygrad_cnn.arguments import non_negative_int
from tinygrad_cnn.ops.movement import Concatenate
from tinygrad_cnn.tensor import Tensor, _varargs


def _make(array: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad, dtype=np.float32 if dtype is None else dtype)


def _sizes(op: str, shape: tuple[Any, ...]) -> tuple[int, ...]:
    """The sizes of f(2, 3) or f((2, 3)), each a non-negative int (NumPy takes True for 1)."""
    return tuple(non_negative_int(op, "size", n) for n in _varargs(shape))


def zeros(*shape: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (float32 unless `dtype` says)."""
    return _make(np.zeros(_sizes("zeros", shape)), dtype, requires_grad)


def ones(*shape: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (float32 unless `dtype` says)."""
    return _make(np.ones(_sizes("ones", shape)), dtype, requires_grad)


def full(
    shape: Sequence[int], fill_value: float, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """A tensor filled with `fill_value`."""
    return _make(np.full(_sizes("full", (shape,)), fill_value), dtype, requires_grad)


def randn(*shape: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the library's seeded generator."""
    sizes = _sizes("randn", shape)
    return _make(random.generator().standard_normal(sizes), dtype, requires_grad)


def rand(*shape: int | Sequence[int], dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the library's seeded generator."""
    return _make(random.generator().random(_sizes("rand", shape)), dtype, requires_grad)


def arange(
    start: float, end: float | None = None, step: float = 1, dtype: Any = None
) -> Tensor:
    """Evenly spaced values in [start, end), as `torch.arange` (int64 for int arguments)."""
    array = np.arange(start, end, step) if end is not None else np.arange(start)
    return Tensor(array if dtype is None else array.astype(dtype))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim.

    Raises:
        ValueError: when the list is empty or the shapes differ outside `dim`.
    """
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    first = tensors[0].shape
    dim = shapes.normalize_dim("cat", dim, len(first))
    for t in tensors:
        rest = t.shape[:dim] + t.shape[dim + 1 :]
        if t.ndim != len(first) or rest != first[:dim] + first[dim + 1 :]:
            raise ValueError(f"cat: shapes {[u.shape for u in tensors]} differ outside dim {dim}")
    return Concatenate.apply(*tensors, dim=dim)


concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dim.

    Raises:
        ValueError: when the list is empty or the shapes differ.
    """
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    if len({t.shape for t in tensors}) != 1:
        raise ValueError(f"stack: all tensors need one shape, got {[t.shape for t in tensors]}")
    dim = shapes.normalize_dim("stack", dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def where(condition: Any, input: Tensor, other: Any) -> Tensor:
    """`input` where `condition` is true, else `other` (as `torch.where`)."""
    return input.where(condition, other)
