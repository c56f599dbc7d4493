"""Tensor: an ndarray that records the ops applied to it, for reverse-mode autodiff."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from tinygrad_cnn import autograd, shapes
from tinygrad_cnn.autograd import Context, abstract, function, grad_mode
from tinygrad_cnn.ops import elementwise as ew
from tinygrad_cnn.ops import linalg, movement, reduce, softmax, special

Scalar = int | float | bool
DimArg = int | Sequence[int] | None


class MaxMin(NamedTuple):
    """The result of `max`/`min` over a dim: the values and the position of each (as PyTorch)."""

    values: Tensor
    indices: Tensor


def _to_array(data: Any, dtype: Any) -> np.ndarray:
    """Arrays keep their dtype; Python scalars and lists become float32 unless `dtype` says."""
    if isinstance(data, Tensor) and abstract.has_no_values(data):
        return abstract.AbstractArray(data.shape, data.dtype if dtype is None else dtype)
    if isinstance(data, Tensor):
        data = data.data  # the values leave the other tensor's graph
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data, dtype=np.float32 if dtype is None else dtype)
    return array if dtype is None else array.astype(dtype, copy=False)


class Tensor:
    """A NumPy array with an autograd history.

    Args:
        data: an ndarray (shared, not copied; its dtype is kept), a Python scalar or nested
            list (float32), or another Tensor.
        requires_grad: record ops on this tensor so `backward()` can compute its gradient.
            Only floating-point tensors can require grad.
        dtype: convert the data to this dtype.
        name: a label shown by the graph drawer.

    Raises:
        TypeError: when a non-floating tensor is asked to require grad.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad.tolist()
        [[2.0, 4.0], [6.0, 8.0]]
    """

    __array_ufunc__ = None  # make `ndarray (op) Tensor` defer to Tensor's reflected operators
    _version_counter: function.Version | None = None  # in-place changes, shared with views
    _watched = False  # reading the values calls grad_mode's watch (`grad_mode.watching`)

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None
    ):
        self._data = _to_array(data, dtype)
        if isinstance(data, Tensor) and self._data is data._data:  # the same array: one version
            self._version_counter = function.shared_version(data)
        self.grad: Tensor | None = None
        self.grad_fn: Context | None = None
        self.name = name
        self.requires_grad = requires_grad  # the setter checks the dtype

    @classmethod
    def _from_op(cls, data: np.ndarray, grad_fn: Context | None, watched: bool = False) -> Tensor:
        """A result of an op, without the constructor's conversions."""
        t = cls.__new__(cls)
        t._data, t.grad, t.grad_fn, t.name = data, None, grad_fn, None
        t._requires_grad = grad_fn is not None
        if watched:
            t._watched = True
        return t

    # ---- the values ---------------------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The values: an ndarray, shared, not copied.

        Assigning a new array (``t.data = a``) is an in-place change: it bumps the tensor's
        version, so a backward through an op that saved the old values raises. Writing into
        the array (``t.data[...] = a``) is not seen, unless you call `mark_modified` after it
        (or run under `detect_anomaly`, which also compares saved arrays).
        """
        return self._values(".data")

    @data.setter
    def data(self, value: Any) -> None:
        array = value._data if isinstance(value, Tensor) else value
        if not isinstance(array, (np.ndarray, np.generic)):
            raise TypeError(f"Tensor.data: assign an ndarray or a Tensor, got "
                            f"{type(value).__name__}")
        self._data = np.asarray(array)
        self.mark_modified()

    def mark_modified(self) -> None:
        """Record an in-place write to this tensor's array, such as ``t.data[...] = x``.

        The library calls it wherever it writes arrays in place (optimiser steps,
        `load_state_dict`, `nn.init`, batch-norm statistics); a backward through an op that
        saved the tensor before the write then raises instead of using the new values.
        """
        function.note_change(function.shared_version(self))

    @property
    def _version(self) -> int:  # the in-place changes seen, through this tensor or its views
        return 0 if self._version_counter is None else self._version_counter.count

    def _values(self, what: str) -> np.ndarray:
        """The array, for a step that takes the values out of the graph (named by `what`)."""
        if self._watched:
            grad_mode.values_read(self, what)
        return self._data

    # ---- properties -------------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require grad, got dtype {self.dtype}"
            )
        self._requires_grad = bool(value)

    @property
    def shape(self) -> tuple[int, ...]:
        """The tensor's shape."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._data.size

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the data."""
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (their `.grad` is filled by backward)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The tensor with all its dimensions reversed."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The tensor with its last two dimensions swapped."""
        return self.transpose(-2, -1)

    # ---- conversion and autograd ------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        return self._values(".numpy()")

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self._values("np.asarray()")
        return data if dtype is None else data.astype(dtype)

    def item(self) -> Scalar:
        """The value of a one-element tensor as a Python number."""
        if self.size != 1:
            raise ValueError(f"item: tensor has {self.size} elements, shape {self.shape}")
        return self._values(".item()").item()

    def tolist(self) -> Any:
        """The data as nested Python lists."""
        return self._values(".tolist()").tolist()

    def detach(self) -> Tensor:
        """A tensor sharing this data (and its version counter), cut from the graph."""
        return function.detached(self)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place and return self."""
        self.requires_grad = requires_grad
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    def to(self, dtype: Any) -> Tensor:
        """This tensor converted to `dtype` (differentiable)."""
        dtype = np.dtype(dtype)
        return self if dtype == self.dtype else ew.Cast.apply(self, dtype=dtype)

    def float(self) -> Tensor:
        """This tensor as float32."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """This tensor as float64."""
        return self.to(np.float64)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Accumulate the gradient of this tensor into the `.grad` of every leaf it depends on.

        Args:
            gradient: d(loss)/d(self), needed unless this tensor has one element.
            retain_graph: keep saved values so backward can run through the graph again
                (default: `create_graph`).
            create_graph: record the backward computation, for higher-order gradients.

        Raises:
            RuntimeError: for a non-scalar without `gradient`, a tensor that does not require
                grad, or a graph already freed by an earlier backward.
        """
        autograd.backward(self, gradient, retain_graph, create_graph)

    # ---- operators ----------------------------------------------------------------------------

    def _operand(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, bool)) and self.dtype.kind == "f":
            return Tensor._from_op(np.asarray(other, dtype=self.dtype), None)
        return Tensor(np.asarray(other))

    def _binary(self, op: type[autograd.Function], other: Any, reverse: bool = False) -> Tensor:
        other = self._operand(other)
        a, b = (other, self) if reverse else (self, other)
        if a._data.shape != b._data.shape and a._data.ndim and b._data.ndim:  # 0-d always fits
            shapes.broadcast_shape(op.op_name(), a.shape, b.shape)
        return op.apply(a, b)

    def __add__(self, other: Any) -> Tensor:
        return self._binary(ew.Add, other)

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(ew.Add, other, reverse=True)

    def __sub__(self, other: Any) -> Tensor:
        return self._binary(ew.Sub, other)

    def __rsub__(self, other: Any) -> Tensor:
        return self._binary(ew.Sub, other, reverse=True)

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(ew.Mul, other)

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(ew.Mul, other, reverse=True)

    def __truediv__(self, other: Any) -> Tensor:
        return self._binary(ew.Div, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._binary(ew.Div, other, reverse=True)

    def __pow__(self, other: Any) -> Tensor:
        return self._binary(ew.Pow, other)

    def __rpow__(self, other: Any) -> Tensor:
        return self._binary(ew.Pow, other, reverse=True)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._operand(other).matmul(self)

    def __neg__(self) -> Tensor:
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def _compare(self, other: Any, fn: Any) -> Tensor:
        other = self._operand(other)
        shape = shapes.broadcast_shape(fn.__name__, self.shape, other.shape)
        return abstract.outside_graph(fn, (self, other), shape, bool, "a comparison")

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, np.logical_and)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, np.logical_or)

    def __invert__(self) -> Tensor:
        return abstract.outside_graph(np.logical_not, (self,), self.shape, bool, "~")

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self._values("bool()"))

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self) -> str:
        if abstract.has_no_values(self):
            return f"tensor(shape={self.shape}, dtype={self.dtype}, shape only)"
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.dtype != np.float32:
            extra = f", dtype={self.dtype}" + extra
        return f"tensor({body}{extra})"

    def __getitem__(self, index: Any) -> Tensor:
        index = _normalize_index(index)
        try:
            return movement.Index.apply(self, index=index)
        except IndexError as error:
            raise IndexError(f"getitem: {error}; tensor shape {self.shape}") from None

    # ---- elementwise math -------------------------------------------------------------------

    def exp(self) -> Tensor:
        """e ** x, elementwise."""
        return ew.Exp.apply(self)

    def log(self) -> Tensor:
        """Natural logarithm, elementwise."""
        return ew.Log.apply(self)

    def sqrt(self) -> Tensor:
        """Square root, elementwise."""
        return ew.Sqrt.apply(self)

    def abs(self) -> Tensor:
        """Absolute value, elementwise."""
        return ew.Abs.apply(self)

    def relu(self) -> Tensor:
        """max(x, 0), elementwise."""
        return ew.Relu.apply(self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e ** -x), elementwise."""
        return ew.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        """Hyperbolic tangent, elementwise."""
        return ew.Tanh.apply(self)

    def erf(self) -> Tensor:
        """The error function 2/√π ∫₀ˣ exp(-t²) dt, elementwise."""
        return special.Erf.apply(self)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit values to [min, max] (either may be None)."""
        return ew.Clip.apply(self, low=min, high=max)

    clamp = clip

    def maximum(self, other: Any) -> Tensor:
        """The larger of the two, elementwise."""
        return self._binary(ew.Maximum, other)

    def minimum(self, other: Any) -> Tensor:
        """The smaller of the two, elementwise."""
        return self._binary(ew.Minimum, other)

    def where(self, condition: Any, other: Any) -> Tensor:
        """self where `condition` is true, else `other` (as `torch.Tensor.where`)."""
        other = self._operand(other)
        shape = shapes.broadcast_shape("where", self.shape, other.shape)
        condition = abstract.condition_array(condition)
        shapes.broadcast_shape("where", condition.shape, shape)
        return ew.Where.apply(self, other, condition=condition)

    def softmax(self, dim: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along `dim`."""
        return softmax.Softmax.apply(self, dim=shapes.softmax_dim("softmax", dim, self.shape))

    def log_softmax(self, dim: int = -1) -> Tensor:
        """log(softmax(x)) along `dim`, computed stably."""
        dim = shapes.softmax_dim("log_softmax", dim, self.shape)
        return softmax.LogSoftmax.apply(self, dim=dim)

    # ---- reductions -------------------------------------------------------------------------

    def _reduce(self, op: type[autograd.Function], dim: DimArg, keepdim: bool) -> Tensor:
        dims = shapes.normalize_dims(op.op_name(), dim, self.ndim)
        return op.apply(self, dims=dims, keepdim=keepdim)

    def sum(
        self, dim: DimArg = None, keepdim: bool = False, *, axis: DimArg = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Sum over `dim` (all dims when None)."""
        return self._reduce(reduce.Sum, _alias(dim, axis), keepdim or bool(keepdims))

    def mean(
        self, dim: DimArg = None, keepdim: bool = False, *, axis: DimArg = None,
        keepdims: bool | None = None,
    ) -> Tensor:
        """Mean over `dim` (all dims when None)."""
        dims = shapes.normalize_dims("mean", _alias(dim, axis), self.ndim)
        count = math.prod(self.shape[d] for d in dims)
        return self.sum(dims, keepdim or bool(keepdims)) / count

    def var(self, dim: DimArg = None, keepdim: bool = False, *, correction: int = 1) -> Tensor:
        """Variance over `dim`, dividing by (count - correction) as PyTorch."""
        dims = shapes.normalize_dims("var", dim, self.ndim)
        count = math.prod(self.shape[d] for d in dims)
        centered = self - self.mean(dims, keepdim=True)
        return (centered * centered).sum(dims, keepdim) / max(count - correction, 0)

    def amax(self, dim: DimArg = None, keepdim: bool = False) -> Tensor:
        """Maximum over `dim`; tied maxima share the gradient equally."""
        return self._reduce(reduce.Max, dim, keepdim)

    def amin(self, dim: DimArg = None, keepdim: bool = False) -> Tensor:
        """Minimum over `dim`; tied minima share the gradient equally."""
        return -(-self).amax(dim, keepdim)

    def max(
        self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
        keepdims: bool | None = None,
    ) -> Tensor | MaxMin:
        """The maximum of all elements, or `(values, indices)` along `dim` (as PyTorch)."""
        dim = _alias(dim, axis)
        values = self.amax(dim, keepdim or bool(keepdims))
        return values if dim is None else MaxMin(values, self.argmax(dim, keepdim))

    def min(
        self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
        keepdims: bool | None = None,
    ) -> Tensor | MaxMin:
        """The minimum of all elements, or `(values, indices)` along `dim` (as PyTorch)."""
        dim = _alias(dim, axis)
        values = self.amin(dim, keepdim or bool(keepdims))
        return values if dim is None else MaxMin(values, self.argmin(dim, keepdim))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first maximum (of the flattened tensor when `dim` is None)."""
        return self._position(np.argmax, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the first minimum (of the flattened tensor when `dim` is None)."""
        return self._position(np.argmin, dim, keepdim)

    def _position(self, fn: Any, dim: int | None, keepdim: bool) -> Tensor:
        """`np.argmax` or `np.argmin` of all elements, or along `dim`."""
        name = fn.__name__
        shape = shapes.position_shape(name, self.shape, dim, keepdim)
        if dim is not None:
            fn = functools.partial(fn, axis=shapes.normalize_dim(name, dim, self.ndim),
                                   keepdims=keepdim)
        return abstract.outside_graph(fn, (self,), shape, np.int64, name)

    # ---- movement ---------------------------------------------------------------------------

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """The same elements in a new shape (one dim may be -1)."""
        new_shape = shapes.normalize_shape("reshape", _varargs(shape), self.shape)
        return self if new_shape == self.shape else movement.Reshape.apply(self, shape=new_shape)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims `start_dim`..`end_dim` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start = shapes.normalize_dim("flatten", start_dim, self.ndim)
        end = shapes.normalize_dim("flatten", end_dim, self.ndim)
        return self.reshape(*self.shape[:start], -1, *self.shape[end + 1 :])

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a dim of size 1 at `dim`."""
        dim = shapes.normalize_dim("unsqueeze", dim, self.ndim + 1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim: int | None = None) -> Tensor:
        """Remove dims of size 1 (only `dim`, when given and of size 1)."""
        if dim is None:
            return self.reshape(*(n for n in self.shape if n != 1))
        dim = shapes.normalize_dim("squeeze", dim, self.ndim)
        if self.shape[dim] != 1:
            return self
        return self.reshape(*self.shape[:dim], *self.shape[dim + 1 :])

    def permute(self, *dims: int | Sequence[int]) -> Tensor:
        """Reorder the dims: the result's dim i is this tensor's dim `dims[i]`."""
        order = shapes.normalize_permutation("permute", _varargs(dims), self.ndim)
        return movement.Permute.apply(self, dims=order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        order = list(range(self.ndim))
        a = shapes.normalize_dim("transpose", dim0, self.ndim)
        b = shapes.normalize_dim("transpose", dim1, self.ndim)
        order[a], order[b] = order[b], order[a]
        return movement.Permute.apply(self, dims=tuple(order))

    def expand(self, *shape: int | Sequence[int]) -> Tensor:
        """Broadcast to `shape` without copying (-1 keeps a dim)."""
        target = shapes.expand_shape("expand", self.shape, _varargs(shape))
        return self if target == self.shape else movement.Expand.apply(self, shape=target)

    def pad(self, pad: Sequence[int], value: float = 0.0) -> Tensor:
        """Pad with `value`; `pad` lists (before, after) pairs from the last dim back, as F.pad."""
        pad_width = shapes.torch_pad_to_numpy("pad", pad, self.shape)
        return movement.Pad.apply(self, pad_width=pad_width, value=value)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy's rules for 1-D operands and batch dims."""
        other = self._operand(other)
        out_shape = shapes.matmul_shape(self.shape, other.shape)
        a = self.reshape(1, -1) if self.ndim == 1 else self
        b = other.reshape(-1, 1) if other.ndim == 1 else other
        return linalg.MatMul.apply(a, b).reshape(out_shape)

    # ---- creation like this tensor ------------------------------------------------------------

    def zeros_like(self) -> Tensor:
        """Zeros of this shape and dtype."""
        return abstract.filled_like(self, np.zeros)

    def ones_like(self) -> Tensor:
        """Ones of this shape and dtype."""
        return abstract.filled_like(self, np.ones)


def _alias(dim: Any, axis: Any) -> Any:
    """PyTorch's `dim`, or NumPy's `axis` when that is the one given."""
    return axis if dim is None else dim


def _varargs(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept both f(2, 3) and f((2, 3))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _normalize_index(index: Any) -> Any:
    """An index NumPy and `np.add.at` both understand: arrays for lists and masks."""
    parts = index if isinstance(index, tuple) else (index,)
    normalized: list[Any] = []
    for part in parts:
        if isinstance(part, Tensor):
            part = part._values("an index tensor")
        if isinstance(part, (list, np.ndarray)):
            part = np.asarray(part)
            if part.dtype == bool:
                normalized.extend(part.nonzero())
                continue
            if part.dtype.kind not in "iu":
                raise TypeError(f"getitem: index arrays must hold ints or bools, not {part.dtype}")
        normalized.append(part)
    return tuple(normalized) if isinstance(index, tuple) or len(normalized) > 1 else normalized[0]

