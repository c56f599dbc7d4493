"""Tensor: an ndarray that records the ops applied to it, for reverse-mode autodiff."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn import autograd, shapes
from tinygrad_cnn.autograd import Context, abstract, dtypes, function, grad_mode, operands
from tinygrad_cnn.kernels import sorting
from tinygrad_cnn.ops import elementwise as ew
from tinygrad_cnn.ops import linalg, movement, reduce, softmax, special

Scalar = int | float | bool
DimArg = int | Sequence[int] | None
ValuesIndices = operands.ValuesIndices


class Tensor:
    """A NumPy array with an autograd history.

    Args:
        data: an ndarray (shared, not copied; its dtype is kept), a Python scalar or nested
            list (float32, as `torch.Tensor`), or another Tensor.
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
    _consumed = False  # an op recorded for backward took it as an input (see `operands`)

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None):
        self._data = operands.as_array(data, dtype)
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
        """The values: an ndarray, shared, not copied (PyTorch's `.data` is a tensor).

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

        The library calls it wherever it writes arrays in place (optimiser steps, item
        assignment, `load_state_dict`, `nn.init`, batch-norm statistics); a backward through
        an op that saved the tensor before the write then raises instead of using the new
        values.
        """
        function.modified(self)

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

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the length of dim `dim` (as PyTorch's `size()`)."""
        return self.shape if dim is None else self.shape[shapes.normalize_dim("size", dim,
                                                                              self.ndim)]

    def numel(self) -> int:
        """The number of elements."""
        return math.prod(self.shape)

    def dim(self) -> int:
        """The number of dimensions."""
        return self.ndim

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the data."""
        return self._data.dtype

    @property
    def device(self) -> str:
        """Where the data lives: always ``"cpu"``."""
        return "cpu"

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
        if self.numel() != 1:
            raise ValueError(f"item: tensor has {self.numel()} elements, shape {self.shape}")
        return self._values(".item()").item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError(f"only integer tensors can be an index, got dtype {self.dtype}")
        return int(self.item())

    def tolist(self) -> Any:
        """The data as nested Python lists."""
        return self._values(".tolist()").tolist()

    def detach(self) -> Tensor:
        """A tensor sharing this data (and its version counter), cut from the graph."""
        return function.detached(self)

    def clone(self) -> Tensor:
        """A copy of the data, in the graph (the gradient flows back to this tensor)."""
        return ew.Clone.apply(self)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place and return self."""
        self.requires_grad = requires_grad
        return self

    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
           copy: bool = False) -> Tensor:
        """This tensor as `dtype` (differentiable), as PyTorch's: `.to(torch.float64)`,
        `.to("cpu")`, `.to(device, dtype)`, `.to(other)`; any device but the CPU raises."""
        dtype = dtypes.to_dtype("to", args, dtype, device)
        if dtype is None or dtype == self.dtype:
            return self.clone() if copy else self
        return ew.Cast.apply(self, dtype=dtype)

    def type(self, dtype: Any = None) -> Any:
        """This tensor as `dtype`; without one, the name of its dtype."""
        return str(self.dtype) if dtype is None else self.to(dtype)

    float = operands.conversion(np.float32)
    """This tensor as float32."""
    double = operands.conversion(np.float64)
    """This tensor as float64."""
    long = operands.conversion(np.int64)
    """This tensor as int64."""
    int = operands.conversion(np.int32)
    """This tensor as int32."""
    bool = operands.conversion(np.bool_)
    """This tensor as bool."""

    def cpu(self) -> Tensor:
        """This tensor: the CPU is where it already is."""
        return self

    def cuda(self, device: Any = None) -> Tensor:
        """Refused: tinygrad_cnn computes on the CPU alone."""
        dtypes.check_device("cuda", "cuda")
        return self

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
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

    # ---- operators: the op on the operands, promoted and broadcast (see `operands`) -----------

    __add__ = operands.operator(ew.Add)
    __radd__ = operands.operator(ew.Add, reverse=True)
    __sub__ = operands.operator(ew.Sub)
    __rsub__ = operands.operator(ew.Sub, reverse=True)
    __mul__ = operands.operator(ew.Mul)
    __rmul__ = operands.operator(ew.Mul, reverse=True)
    __truediv__ = operands.operator(ew.Div, floating=True)
    __rtruediv__ = operands.operator(ew.Div, reverse=True, floating=True)
    __pow__ = operands.operator(ew.Pow)
    __rpow__ = operands.operator(ew.Pow, reverse=True)
    pow = __pow__
    """self ** other, broadcast."""
    maximum = operands.operator(ew.Maximum)
    """The larger of the two, elementwise (ties share the gradient)."""
    minimum = operands.operator(ew.Minimum)
    """The smaller of the two, elementwise (ties share the gradient)."""

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        b, a = operands.pair(self, other)
        return a.matmul(b)

    def __neg__(self) -> Tensor:
        return ew.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    # ---- comparisons: bool tensors, outside the graph -----------------------------------------

    __lt__ = lt = operands.comparison(np.less)
    __le__ = le = operands.comparison(np.less_equal)
    __gt__ = gt = operands.comparison(np.greater)
    __ge__ = ge = operands.comparison(np.greater_equal)
    __eq__ = eq = operands.comparison(np.equal)  # type: ignore[assignment]
    __ne__ = ne = operands.comparison(np.not_equal)  # type: ignore[assignment]
    __and__ = operands.comparison(np.logical_and)
    __or__ = operands.comparison(np.logical_or)
    __hash__ = object.__hash__

    def __invert__(self) -> Tensor:
        return abstract.outside_graph(np.logical_not, (self,), self.shape, bool, "~")

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

    # ---- indexing and writing in place -----------------------------------------------------

    def __getitem__(self, index: Any) -> Tensor:
        index = operands.index("getitem", index)
        try:
            return movement.Index.apply(self, index=index)
        except IndexError as error:
            raise IndexError(f"getitem: {error}; tensor shape {self.shape}") from None

    def __setitem__(self, index: Any, value: Any) -> None:
        """Write `value` into `self[index]` in place, recorded as PyTorch's `index_put_`."""
        index = operands.index("setitem", index)
        value = operands.of_dtype(value, self.dtype)
        shapes.put_shape("setitem", self.shape, index, value.shape)
        operands.in_place(self, lambda t: movement.IndexPut.apply(t, value, index=index,
                                                                   in_place=True))

    def fill_(self, value: Any) -> Tensor:
        """Set every element to `value`, in place."""
        self[...] = value
        return self

    def zero_(self) -> Tensor:
        """Set every element to zero, in place."""
        return self.fill_(0)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """`value` where `mask` is true, else this tensor (as `torch.masked_fill`)."""
        return operands.of_dtype(value, self.dtype).where(mask, self)

    # ---- elementwise math -------------------------------------------------------------------

    exp = operands.unary(ew.Exp, floating=True)
    """e ** x, elementwise."""
    log = operands.unary(ew.Log, floating=True)
    """Natural logarithm, elementwise."""
    sqrt = operands.unary(ew.Sqrt, floating=True)
    """Square root, elementwise."""
    sigmoid = operands.unary(ew.Sigmoid, floating=True)
    """1 / (1 + e ** -x), elementwise."""
    tanh = operands.unary(ew.Tanh, floating=True)
    """Hyperbolic tangent, elementwise."""
    erf = operands.unary(special.Erf, floating=True)
    """The error function 2/√π ∫₀ˣ exp(-t²) dt, elementwise."""
    abs = operands.unary(ew.Abs)
    """Absolute value, elementwise."""
    relu = operands.unary(ew.Relu)
    """max(x, 0), elementwise."""

    def relu_(self) -> Tensor:
        """max(x, 0), elementwise, in place."""
        return operands.in_place(self, ew.Relu.apply)

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit values to [min, max] (either may be None)."""
        return ew.Clip.apply(self, low=min, high=max)

    clamp = clip

    def where(self, condition: Any, other: Any) -> Tensor:
        """self where `condition` is true, else `other` (as `torch.Tensor.where`)."""
        a, b = operands.pair(self, other)
        shape = shapes.broadcast_shape("where", a.shape, b.shape)
        condition = abstract.condition_array(condition)
        shapes.broadcast_shape("where", condition.shape, shape)
        return ew.Where.apply(a, b, condition=condition)

    def softmax(self, dim: int = -1) -> Tensor:
        """exp(x) / sum(exp(x)) along `dim`."""
        return softmax.Softmax.apply(self, dim=shapes.softmax_dim("softmax", dim, self.shape))

    def log_softmax(self, dim: int = -1) -> Tensor:
        """log(softmax(x)) along `dim`, computed stably."""
        dim = shapes.softmax_dim("log_softmax", dim, self.shape)
        return softmax.LogSoftmax.apply(self, dim=dim)

    # ---- reductions -------------------------------------------------------------------------

    def sum(self, dim: DimArg = None, keepdim: bool = False, *, axis: DimArg = None,
            keepdims: bool | None = None) -> Tensor:
        """Sum over `dim` (all dims when None); integers and bools sum to int64."""
        dims = shapes.normalize_dims("sum", shapes.dim_or_axis(dim, axis), self.ndim)
        return reduce.Sum.apply(self, dims=dims, keepdim=keepdim or bool(keepdims))

    def mean(self, dim: DimArg = None, keepdim: bool = False, *, axis: DimArg = None,
             keepdims: bool | None = None) -> Tensor:
        """Mean over `dim` (all dims when None), of a floating-point tensor."""
        dtypes.check_floating("mean", self.dtype)
        dims = shapes.normalize_dims("mean", shapes.dim_or_axis(dim, axis), self.ndim)
        count = math.prod(self.shape[d] for d in dims)
        return self.sum(dims, keepdim or bool(keepdims)) / count

    def var(self, dim: DimArg = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        """Variance over `dim`, dividing by (count - correction): 1 unless `unbiased=False`."""
        dim, correction = shapes.var_arguments("var", dim, unbiased, correction)
        dims = shapes.normalize_dims("var", dim, self.ndim)
        count = math.prod(self.shape[d] for d in dims)
        centered = self - self.mean(dims, keepdim=True)
        return (centered * centered).sum(dims, keepdim) / max(count - correction, 0)

    def std(self, dim: DimArg = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: float | None = None) -> Tensor:
        """Standard deviation over `dim`: the square root of `var` (same arguments)."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def norm(self, p: float | str = "fro", dim: DimArg = None, keepdim: bool = False) -> Tensor:
        """The p-norm over `dim` (all elements when None): 'fro' or 2, 1, inf, -inf, or any p."""
        if p in (math.inf, -math.inf):
            return self.abs().amax(dim, keepdim) if p > 0 else self.abs().amin(dim, keepdim)
        if p in ("fro", 2):
            return (self * self).sum(dim, keepdim).sqrt()
        return (self.abs() ** p).sum(dim, keepdim) ** (1 / p)

    def amax(self, dim: DimArg = None, keepdim: bool = False) -> Tensor:
        """Maximum over `dim`; tied maxima share the gradient equally."""
        dims = shapes.normalize_dims("max", dim, self.ndim)
        return reduce.Max.apply(self, dims=dims, keepdim=keepdim)

    def amin(self, dim: DimArg = None, keepdim: bool = False) -> Tensor:
        """Minimum over `dim`; tied minima share the gradient equally."""
        return -(-self).amax(dim, keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
            keepdims: bool | None = None) -> Tensor | ValuesIndices:
        """The maximum of all elements, or `(values, indices)` along `dim` (as PyTorch)."""
        dim, keepdim = shapes.dim_or_axis(dim, axis), keepdim or bool(keepdims)
        values = self.amax(dim, keepdim)
        return values if dim is None else ValuesIndices(values, self.argmax(dim, keepdim))

    def min(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
            keepdims: bool | None = None) -> Tensor | ValuesIndices:
        """The minimum of all elements, or `(values, indices)` along `dim` (as PyTorch)."""
        dim, keepdim = shapes.dim_or_axis(dim, axis), keepdim or bool(keepdims)
        values = self.amin(dim, keepdim)
        return values if dim is None else ValuesIndices(values, self.argmin(dim, keepdim))

    def argmax(self, dim: int | None = None, keepdim: bool = False, *,
               axis: int | None = None) -> Tensor:
        """Index of the first maximum (of the flattened tensor when `dim` is None)."""
        return operands.along(np.argmax, self, shapes.dim_or_axis(dim, axis), keepdim, np.int64)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *,
               axis: int | None = None) -> Tensor:
        """Index of the first minimum (of the flattened tensor when `dim` is None)."""
        return operands.along(np.argmin, self, shapes.dim_or_axis(dim, axis), keepdim, np.int64)

    any = operands.test(np.any)
    """Whether any element is true (non-zero), of all or `any(dim, keepdim=False)`."""
    all = operands.test(np.all)
    """Whether every element is true (non-zero), of all or `all(dim, keepdim=False)`."""

    # ---- sorting ----------------------------------------------------------------------------

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """The indices that sort `dim`; equal values keep their order (always stable)."""
        axis = shapes.normalize_dim("argsort", dim, self.ndim)
        fn = functools.partial(sorting.argsort, axis=axis, descending=descending)
        return abstract.outside_graph(fn, (self,), self.shape, np.int64, "argsort")

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False
             ) -> ValuesIndices:
        """`(values, indices)` sorted along `dim` (the values differentiable)."""
        indices = self.argsort(dim, descending)
        return ValuesIndices(self.gather(dim, indices), indices)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
             ) -> ValuesIndices:
        """`(values, indices)` of the `k` largest (or smallest) along `dim`, in order."""
        d = shapes.topk_dim("topk", k, dim, self.shape)
        indices = self.argsort(d, descending=largest)[(slice(None),) * d + (slice(0, k),)]
        return ValuesIndices(self.gather(d, indices), indices)

    # ---- movement ---------------------------------------------------------------------------

    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        """The same elements in a new shape (one dim may be -1)."""
        new_shape = shapes.normalize_shape("reshape", shapes.varargs(shape), self.shape)
        return self if new_shape == self.shape else movement.Reshape.apply(self, shape=new_shape)

    view = reshape

    def contiguous(self) -> Tensor:
        """This tensor, or a row-major copy of it when its array is a strided view."""
        flags = getattr(self._data, "flags", None)  # a shape-only run's array has none
        return self if flags is None or flags.c_contiguous else self.clone()

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dims `start_dim`..`end_dim` into one."""
        return self.reshape(shapes.flattened_shape("flatten", self.shape, start_dim, end_dim))

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
        order = shapes.normalize_permutation("permute", shapes.varargs(dims), self.ndim)
        return movement.Permute.apply(self, dims=order)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dims."""
        order = shapes.swapped_dims("transpose", dim0, dim1, self.ndim)
        return movement.Permute.apply(self, dims=order)

    def t(self) -> Tensor:
        """The transpose of a matrix; a 0-D or 1-D tensor as it is (as `torch.t`)."""
        shapes.check_at_most_2d("t", self.shape)
        return self if self.ndim < 2 else self.transpose(0, 1)

    def expand(self, *shape: int | Sequence[int]) -> Tensor:
        """Broadcast to `shape` without copying (-1 keeps a dim)."""
        target = shapes.expand_shape("expand", self.shape, shapes.varargs(shape))
        return self if target == self.shape else movement.Expand.apply(self, shape=target)

    def repeat(self, *repeats: int | Sequence[int]) -> Tensor:
        """Tile: dim i repeated `repeats[i]` times (extra leading counts add dims)."""
        spread, tiled, out = shapes.repeat_shapes("repeat", self.shape, shapes.varargs(repeats))
        return self.reshape(spread).expand(tiled).reshape(out)

    def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0
              ) -> tuple[Tensor, ...]:
        """Cut `dim` into pieces of one size (the last smaller) or of the listed sizes."""
        pieces = shapes.split_indices("split", split_size_or_sections, dim, self.shape)
        return tuple(self[index] for index in pieces)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """Cut `dim` into pieces of ceil(length / chunks) (the last smaller; maybe fewer)."""
        return self.split(shapes.chunk_size("chunk", chunks, dim, self.shape), dim)

    def gather(self, dim: int, index: Any) -> Tensor:
        """`out[i][j] = self[index[i][j]][j]` for dim 0 (any dim likewise), as `torch.gather`."""
        return self[shapes.along_dim("gather", self.shape, dim, operands.index_array(index))]

    def scatter(self, dim: int, index: Any, src: Any) -> Tensor:
        """A copy with `out[index[i][j]][j] = src[i][j]` for dim 0 (any dim likewise); `src`
        may be a number (as `torch.scatter`)."""
        coords, src = operands.scatter_arguments("scatter", self, dim, index, src)
        return movement.IndexPut.apply(self, src, index=coords, in_place=False)

    def scatter_add(self, dim: int, index: Any, src: Tensor) -> Tensor:
        """A copy with `src[i][j]` added into `out[index[i][j]][j]` for dim 0 (any dim too)."""
        coords, src = operands.scatter_arguments("scatter_add", self, dim, index, src)
        return self + movement.ScatterAdd.apply(src, shape=self.shape, index=coords)

    def pad(self, pad: Sequence[int], value: float = 0.0) -> Tensor:
        """Pad with `value`; `pad` lists (before, after) pairs from the last dim back, as F.pad."""
        pad_width = shapes.torch_pad_to_numpy("pad", pad, self.shape)
        return movement.Pad.apply(self, pad_width=pad_width, value=value)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with NumPy's rules for 1-D operands and batch dims."""
        a, b = operands.pair(self, other)
        out_shape = shapes.matmul_shape(a.shape, b.shape)
        a = a.reshape(1, -1) if a.ndim == 1 else a
        b = b.reshape(-1, 1) if b.ndim == 1 else b
        return linalg.MatMul.apply(a, b).reshape(out_shape)
