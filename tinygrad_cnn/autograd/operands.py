"""A Tensor method's arguments made into an op's inputs, and in-place writes.

Operands follow PyTorch's type promotion (`dtypes.result_type`: Python scalars are weak, so an
int64 tensor + 0.5 is float32 and a float32 tensor + 1 stays float32); an integer tensor goes
into exp, log or a true division as float32. An in-place op (item assignment, `fill_`,
`relu_`, `inplace=True`) makes its result the tensor's values and its node the tensor's
history, as PyTorch's `index_put_` does; the tensor's version is bumped, so a backward through
an op that saved the old values raises.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from tinygrad_cnn import shapes

# The module, not the class: tensor.py imports this file (see function.py).
from tinygrad_cnn import tensor as _tensor
from tinygrad_cnn.autograd import abstract, dtypes, grad_mode

if TYPE_CHECKING:
    from tinygrad_cnn.autograd.function import Function
    from tinygrad_cnn.tensor import Tensor


def as_array(data: Any, dtype: Any) -> Any:
    """The array of a new Tensor: arrays keep their dtype; Python scalars and lists become
    float32 unless `dtype` says; a tensor gives its values (a shape-only one its shape)."""
    if isinstance(data, _tensor.Tensor) and abstract.has_no_values(data):
        return abstract.AbstractArray(data.shape, data.dtype if dtype is None else dtype)
    if isinstance(data, _tensor.Tensor):
        data = data.data  # the values leave the other tensor's graph
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data, dtype=np.float32 if dtype is None else dtype)
    return array if dtype is None else array.astype(dtype, copy=False)


def pair(t: Tensor, other: Any, floating: bool = False) -> tuple[Tensor, Tensor]:
    """`t` and `other` as tensors of their result's dtype (PyTorch's promotion), floating
    point for a true division."""
    dtype = t._data.dtype
    if isinstance(other, _tensor.Tensor) and other._data.dtype == dtype and (
            not floating or dtype.kind == "f"):
        return t, other  # the usual case, first
    if isinstance(other, (bool, int, float)) and dtype.kind == "f":  # a weak number: t's dtype
        return t, _tensor.Tensor._from_op(np.asarray(other, dtype=dtype), None)
    if not isinstance(other, (_tensor.Tensor, bool, int, float, complex, np.generic)):
        other = np.asarray(other)
    dtype = dtypes.result_type(t, other)
    if floating:
        dtype = dtypes.floating(dtype)
    if not isinstance(other, _tensor.Tensor):
        other = _tensor.Tensor._from_op(np.asarray(other, dtype=dtype), None)
    return cast(t, dtype), cast(other, dtype)


def cast(t: Tensor, dtype: np.dtype) -> Tensor:
    """`t` as `dtype` (itself when it already is)."""
    return t if t._data.dtype == dtype else t.to(dtype)


def as_floating(t: Tensor) -> Tensor:
    """`t`, as float32 when it holds integers or bools (the input of exp, log, sqrt, ...)."""
    return t if t._data.dtype.kind in "fc" else t.to(np.float32)


def of_dtype(value: Any, dtype: np.dtype) -> Tensor:
    """`value` (a tensor, array or number) as a tensor of `dtype`, for a write or a fill."""
    if isinstance(value, _tensor.Tensor):
        return cast(value, dtype)
    return _tensor.Tensor(value, dtype=dtype)


def binary(t: Tensor, op: type[Function], other: Any, reverse: bool = False,
           floating: bool = False) -> Tensor:
    """`op(t, other)` (`op(other, t)` when reversed), the operands promoted and broadcast."""
    a, b = pair(t, other, floating)
    if reverse:
        a, b = b, a
    if a._data.shape != b._data.shape and a._data.ndim and b._data.ndim:  # 0-d always fits
        shapes.broadcast_shape(op.op_name(), a.shape, b.shape)
    return op.apply(a, b)


def compare(t: Tensor, other: Any, fn: Callable[..., Any]) -> Tensor:
    """`fn(t, other)` (`np.less`, `np.equal`, ...), a bool tensor outside the graph."""
    a, b = pair(t, other)
    shape = shapes.broadcast_shape(fn.__name__, a.shape, b.shape)
    return abstract.outside_graph(fn, (a, b), shape, bool, "a comparison")


def along(fn: Any, t: Tensor, dim: int | None, keepdim: bool, dtype: Any) -> Tensor:
    """`fn` (`np.argmax`, `np.any`, ...) of all of `t`, or along `dim`, outside the graph."""
    name = fn.__name__
    shape = shapes.position_shape(name, t.shape, dim, keepdim)
    if dim is not None:
        fn = functools.partial(fn, axis=shapes.normalize_dim(name, dim, t.ndim), keepdims=keepdim)
    return abstract.outside_graph(fn, (t,), shape, dtype, name)


class ValuesIndices(NamedTuple):
    """What `max`, `min`, `sort` and `topk` along a dim give: the values and the position of
    each, as PyTorch's named tuples (so `_, predicted = outputs.max(1)` works)."""

    values: Tensor
    indices: Tensor


def index(op: str, index: Any) -> Any:
    """An index of `t[index]` as NumPy takes it (`shapes.normalize_index`), the values of
    tensors in it read as arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(part, _tensor.Tensor) for part in parts):
        parts = tuple(index_array(part) if isinstance(part, _tensor.Tensor) else part
                      for part in parts)
        index = parts if isinstance(index, tuple) else parts[0]
    return shapes.normalize_index(op, index)


def index_array(index: Any) -> np.ndarray:
    """The index of gather or scatter as an array (a tensor's values leave the graph)."""
    if isinstance(index, _tensor.Tensor):
        return index._values("an index tensor")
    return np.asarray(index)


def scatter_arguments(op: str, t: Tensor, dim: int, index: Any, src: Any
                      ) -> tuple[tuple[np.ndarray, ...], Tensor]:
    """The NumPy index of scatter's places in `t` (`shapes.along_dim`), and what goes there:
    `src` in t's dtype, cut to the index's shape (only that much is read, as in PyTorch), or
    a number."""
    index = index_array(index)
    coords = shapes.along_dim(op, t.shape, dim, index)
    src = of_dtype(src, t._data.dtype)
    return coords, src[tuple(slice(0, n) for n in index.shape)] if src.ndim else src


def in_place(t: Tensor, op: Callable[[Tensor], Tensor]) -> Tensor:
    """Make `op(t)` the values and the history of `t` itself: an in-place op.

    `op` gets a stand-in for `t` (its array and its old node), so the new node's input is the
    old history, never `t`. Unrecorded, the result is written into t's array, so every alias
    of it (`.data`, a `detach()`, a state dict) sees it; recorded, t takes the result's array
    instead, and the old one stays with the ops that saved it for their gradients. Recording
    needs a `t` no op has used as an input yet: this library's graph edges are tensors, so an
    earlier op's edge would follow `t` to its new node (PyTorch's edges are nodes); nor may `t`
    be a view of another tensor, whose history could not follow the write (PyTorch rewrites
    both).

    Raises:
        RuntimeError: while recording, for a leaf that requires grad, a tensor that an op
            recorded already used, or a view of another tensor.
        ValueError: when `t`'s array is read-only (a broadcast view, a read-only buffer).
    """
    concrete = not abstract.has_no_values(t)
    if t._requires_grad and grad_mode.is_grad_enabled():
        if t.grad_fn is None:
            raise RuntimeError(f"in-place write into a leaf tensor {t.shape} that requires "
                               "grad; write under no_grad(), or into a clone(), as in PyTorch")
        if t._consumed:
            raise RuntimeError(f"in-place write into a tensor {t.shape} that an op already "
                               "used: write into a clone(), or before using the tensor")
        base = t.grad_fn.inputs[0]
        if concrete and t.grad_fn.op.view and np.may_share_memory(t._data, base._data):
            raise RuntimeError(f"in-place write into a {t.grad_fn.name} view {t.shape} of a "
                               f"tensor {base.shape} while recording: write into a clone()")
    if concrete and not t._data.flags.writeable:
        raise ValueError(f"in-place write: the array of the tensor {t.shape} is read-only (a "
                         "broadcast view from expand, or a read-only buffer); write into a "
                         "clone()")
    out = op(_tensor.Tensor._from_op(t._data, t.grad_fn, t._watched))
    if concrete and out._data is not t._data:
        if out.grad_fn is None:
            t._data[...] = out._data  # into the array itself, so that every alias sees it
        else:
            t._data = out._data  # the old array stays with the ops that saved it
    t.mark_modified()
    t.grad_fn, t._requires_grad = out.grad_fn, t._requires_grad or out._requires_grad
    return t


# ---- Tensor methods that differ only in their op or dtype ---------------------------------------


def operator(op: type[Function], reverse: bool = False, floating: bool = False
             ) -> Callable[[Tensor, Any], Tensor]:
    """The Tensor method `t (op) other`: `op` on the promoted, broadcast operands, in the
    other order for a reflected operator (`__rsub__`), floating point for a true division."""

    def method(t: Tensor, other: Any) -> Tensor:
        return binary(t, op, other, reverse, floating)

    method.__doc__ = op.__doc__
    return method


def comparison(fn: Callable[..., Any]) -> Callable[[Tensor, Any], Tensor]:
    """The Tensor method comparing with `fn` (`np.less`, ...): a bool tensor, no gradient."""

    def method(t: Tensor, other: Any) -> Tensor:
        return compare(t, other, fn)

    method.__doc__ = f"np.{fn.__name__}(self, other): a bool tensor, no gradient."
    return method


def unary(op: type[Function], floating: bool = False) -> Callable[[Tensor], Tensor]:
    """The Tensor method `t.exp()`, `t.relu()`, ...: `op` on `t` (as float32 first when it
    holds integers and the op is `floating`)."""

    def method(t: Tensor) -> Tensor:
        return op.apply(as_floating(t) if floating else t)

    method.__doc__ = op.__doc__
    return method


def test(fn: Callable[..., Any]) -> Callable[..., Tensor]:
    """The Tensor method `t.any(dim=None, keepdim=False)` or `all`: `fn` of all elements or
    along `dim`, a bool tensor outside the graph."""

    def method(t: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return along(fn, t, dim, keepdim, bool)

    method.__doc__ = f"Whether {fn.__name__} of the elements (along `dim`) is true."
    return method


def conversion(dtype: Any) -> Callable[[Tensor], Tensor]:
    """The Tensor method `t.float()`, `t.long()`, ...: `t` as `dtype`."""

    def method(t: Tensor) -> Tensor:
        return t.to(dtype)

    method.__doc__ = f"This tensor as {np.dtype(dtype)}."
    return method
