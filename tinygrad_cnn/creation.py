"""Functions that make tensors, as PyTorch's: from data, filled, random, ranges, and joins of
several tensors.

Each takes PyTorch's arguments: sizes as `zeros(2, 3)`, `zeros((2, 3))` or `size=(2, 3)`;
`dtype` (float32 unless the function infers another, as `torch.tensor` and `full` do);
`device`, where only the CPU is accepted; `requires_grad`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn import random, shapes
from tinygrad_cnn.arguments import non_negative_int
from tinygrad_cnn.autograd import abstract, dtypes
from tinygrad_cnn.ops.movement import Concatenate
from tinygrad_cnn.tensor import Tensor

Size = int | Sequence[int]


def _make(array: np.ndarray, dtype: Any, requires_grad: bool, device: Any, op: str) -> Tensor:
    """A new tensor of `array`, converted to `dtype` (float32 when None)."""
    dtypes.check_device(op, device)
    return Tensor(array, requires_grad=requires_grad, dtype=np.float32 if dtype is None else dtype)


def _size(op: str, sizes: tuple[Any, ...], size: Size | None = None) -> tuple[int, ...]:
    """The shape given as `f(2, 3)`, `f((2, 3))` or `f(size=(2, 3))`, each a non-negative int
    (NumPy would take True for 1)."""
    if size is not None:
        if sizes:
            raise TypeError(f"{op}: give the size positionally or as size=, not both")
        sizes = (size,)
    return tuple(non_negative_int(op, "size", n) for n in shapes.varargs(sizes))


def _values(data: Any) -> Any:
    """The array of a tensor (its values leave the graph) or of a shape-only tensor."""
    if isinstance(data, Tensor):
        return data._data if abstract.has_no_values(data) else data._values("a new tensor")
    return data


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
           ) -> Tensor:
    """A new tensor holding a copy of `data`, with the dtype inferred as `torch.tensor` does.

    Python bools give bool, ints int64, floats float32 (not NumPy's float64), so
    `tensor([1, 2])` is int64 and `tensor([0.5])` float32; an ndarray or a tensor keeps its
    dtype. (`Tensor(data)` makes float32 of any Python number, as `torch.Tensor` does.)

    Args:
        data: a number, a nested list, an ndarray or a tensor (copied, cut from its graph).
        dtype: the dtype to convert to, instead of the inferred one.
        device: only the CPU.
        requires_grad: record ops on the tensor (floating-point dtypes only).

    Raises:
        TypeError: when a non-floating tensor is asked to require grad.
        ValueError: for a device other than the CPU.

    Examples:
        >>> import tinygrad_cnn as tg
        >>> tg.tensor([1, 2]).dtype, tg.tensor([0.5, 1]).dtype, tg.tensor(True).dtype
        (dtype('int64'), dtype('float32'), dtype('bool'))
    """
    dtypes.check_device("tensor", device)
    data = _values(data)
    if isinstance(data, abstract.AbstractArray):
        array = data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
    else:
        array = np.array(data)
        if array.dtype == np.float64:  # a Python float: PyTorch's default dtype
            array = array.astype(np.float32)
        elif array.dtype == np.complex128:
            array = array.astype(np.complex64)
    return Tensor(array, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """`data` as a tensor, as `torch.as_tensor`: a tensor itself (converted to `dtype` if
    given), an ndarray shared when no conversion is needed, anything else as `tensor` does."""
    dtypes.check_device("as_tensor", device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return Tensor(data)
    return tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing `array`'s memory and dtype (writes show in both, as in PyTorch).

    Raises:
        TypeError: when `array` is not an ndarray.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    return Tensor(array)


def zeros(*size: Size, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kwargs: Any) -> Tensor:
    """A tensor of zeros (float32 unless `dtype` says)."""
    shape = _size("zeros", size, kwargs.pop("size", None))
    return _make(np.zeros(shape), dtype, requires_grad, device, "zeros")


def ones(*size: Size, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         **kwargs: Any) -> Tensor:
    """A tensor of ones (float32 unless `dtype` says)."""
    shape = _size("ones", size, kwargs.pop("size", None))
    return _make(np.ones(shape), dtype, requires_grad, device, "ones")


def full(size: Size, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor filled with `fill_value`, whose type gives the dtype (as PyTorch: a bool
    gives bool, an int int64, a float float32) unless `dtype` says."""
    dtype = dtypes.result_type(fill_value) if dtype is None else dtype
    return _make(np.full(_size("full", (size,)), fill_value), dtype, requires_grad, device,
                 "full")


def rand(*size: Size, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         **kwargs: Any) -> Tensor:
    """Uniform samples in [0, 1) from the library's seeded generator."""
    shape = _size("rand", size, kwargs.pop("size", None))
    return _make(random.generator().random(shape), dtype, requires_grad, device, "rand")


def randn(*size: Size, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kwargs: Any) -> Tensor:
    """Standard normal samples from the library's seeded generator."""
    shape = _size("randn", size, kwargs.pop("size", None))
    return _make(random.generator().standard_normal(shape), dtype, requires_grad, device,
                 "randn")


def randint(*args: Any, size: Size | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from [low, high), int64 unless `dtype` says, as PyTorch's:
    `randint(high, size)`, `randint(low, high, size)` (or `size=`).

    Raises:
        ValueError: when high <= low.
    """
    bounds = args if size is not None else args[:-1]
    size = size if size is not None else (args[-1] if args else None)
    if len(bounds) not in (1, 2) or size is None:
        raise TypeError(f"randint: expected (high, size) or (low, high, size), got {args}")
    low, high = (0, *bounds) if len(bounds) == 1 else bounds
    if not high > low:
        raise ValueError(f"randint: high ({high}) must be larger than low ({low})")
    values = random.generator().integers(low, high, _size("randint", (size,)))
    return _make(values, np.int64 if dtype is None else dtype, requires_grad, device, "randint")


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end), as `torch.arange`: int64 when every argument is
    an int, else float32."""
    if end is None:
        start, end = 0, start
    dtype = dtypes.result_type(start, end, step) if dtype is None else dtype
    return _make(np.arange(start, end, step), dtype, requires_grad, device, "arange")


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, both included (float32)."""
    steps = non_negative_int("linspace", "steps", steps)
    return _make(np.linspace(start, end, steps), dtype, requires_grad, device, "linspace")


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n by default), float32 unless `dtype` says."""
    return _make(np.eye(n, m), dtype, requires_grad, device, "eye")


def _like(op: str, input: Any, values: Any, dtype: Any, requires_grad: bool,
          device: Any) -> Tensor:
    """A tensor of `input`'s shape and dtype (or `dtype`) holding `values(shape)`; a
    shape-only one in a shape-only run."""
    dtypes.check_device(op, device)
    array = _values(input)
    if not isinstance(array, abstract.AbstractArray):
        array = np.asarray(array)
    dtype = array.dtype if dtype is None else np.dtype(dtype)
    if isinstance(array, abstract.AbstractArray):
        return abstract.without_values(array.shape, dtype)
    return Tensor(values(array.shape), requires_grad=requires_grad, dtype=dtype)


def zeros_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of `input`'s shape and dtype (or `dtype`)."""
    return _like("zeros_like", input, np.zeros, dtype, requires_grad, device)


def ones_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of `input`'s shape and dtype (or `dtype`)."""
    return _like("ones_like", input, np.ones, dtype, requires_grad, device)


def full_like(input: Any, fill_value: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """`fill_value` in `input`'s shape and dtype (or `dtype`)."""
    return _like("full_like", input, lambda shape: np.full(shape, fill_value), dtype,
                 requires_grad, device)


def rand_like(input: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) in `input`'s shape and (floating) dtype."""
    return _like("rand_like", input, random.generator().random, dtype, requires_grad, device)


def randn_like(input: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Standard normal samples in `input`'s shape and (floating) dtype."""
    return _like("randn_like", input, random.generator().standard_normal, dtype,
                 requires_grad, device)


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors (or arrays) along an existing dim, in their promoted dtype.

    Raises:
        ValueError: when the list is empty or the shapes differ outside `dim`.
    """
    if not tensors:
        raise ValueError("cat: expected a non-empty list of tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors]
    first = tensors[0].shape
    dim = shapes.normalize_dim("cat", dim, len(first))
    for t in tensors:
        rest = t.shape[:dim] + t.shape[dim + 1 :]
        if t.ndim != len(first) or rest != first[:dim] + first[dim + 1 :]:
            raise ValueError(f"cat: shapes {[u.shape for u in tensors]} differ outside dim {dim}")
    dtype = dtypes.result_type(*tensors)
    return Concatenate.apply(*[t if t.dtype == dtype else t.to(dtype) for t in tensors], dim=dim)


concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors (or arrays) of one shape along a new dim.

    Raises:
        ValueError: when the list is empty or the shapes differ.
    """
    if not tensors:
        raise ValueError("stack: expected a non-empty list of tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors]
    if len({t.shape for t in tensors}) != 1:
        raise ValueError(f"stack: all tensors need one shape, got {[t.shape for t in tensors]}")
    dim = shapes.normalize_dim("stack", dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(dim) for t in tensors], dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """`input` where `condition` is true, else `other`, as `torch.where`: either may be a
    number (`where(mask, 1.0, 0.0)` is float32)."""
    if not isinstance(input, Tensor):
        input = Tensor(np.asarray(input, dtype=dtypes.result_type(input, other)))
    return input.where(condition, other)
