"""Movement primitives: reshape, permute, expand, indexing, its scatter and its writes, pad,
concatenate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype, abstract
from tinygrad_cnn.ops.reduce import sum_to_shape
from tinygrad_cnn.shapes import index_shape

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _to_shape(x: ShapeDtype, *, shape: tuple[int, ...]) -> ShapeDtype:
    """The shape a reshape or an expand gives: `shape`, in x's dtype."""
    return ShapeDtype(tuple(shape), x.dtype)


class Reshape(Function):
    """y = x with a new shape, same elements in row-major order."""

    view = True
    abstract_eval = staticmethod(_to_shape)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad.reshape(ctx.inputs[0].shape)


class Permute(Function):
    """y = x with its axes reordered: y.shape[i] = x.shape[dims[i]]."""

    view = True

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, dims: tuple[int, ...]) -> ShapeDtype:
        return ShapeDtype(tuple(x.shape[d] for d in dims), x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, dims: tuple[int, ...]) -> np.ndarray:
        return x.transpose(dims)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad.permute(*np.argsort(ctx.attrs["dims"]).tolist())


class Expand(Function):
    """y = x broadcast to `shape` (a view, no copy)."""

    view = True
    abstract_eval = staticmethod(_to_shape)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, shape: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return sum_to_shape(grad, ctx.inputs[0].shape)


class Index(Function):
    """y = x[index] with basic or integer-array indexing."""

    view = True

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, index: Any) -> ShapeDtype:
        return ShapeDtype(index_shape(x.shape, index), x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, index: Any) -> np.ndarray:
        return np.asarray(x[index])

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return ScatterAdd.apply(grad, shape=ctx.inputs[0].shape, index=ctx.attrs["index"])


class ScatterAdd(Function):
    """y = zeros(shape) with y[index] += x; repeated indices accumulate."""

    name = "scatter_add"

    @staticmethod
    def abstract_eval(x: ShapeDtype, *, shape: tuple[int, ...], index: Any) -> ShapeDtype:
        return ShapeDtype(tuple(shape), x.dtype)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, shape: tuple[int, ...], index: Any) -> np.ndarray:
        y = np.zeros(shape, dtype=x.dtype)
        if _is_basic(index):
            y[index] = x
        else:
            np.add.at(y, index, x)
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad[ctx.attrs["index"]]  # the adjoint of a scatter is the gather


class IndexPut(Function):
    """y = x with y[index] = v (v broadcast to x[index]); as PyTorch's `index_put`.

    With `in_place` the forward writes into x's own array (item assignment, `x[mask] = 0`);
    the VJP needs neither array, only the index.
    """

    name = "index_put"

    @staticmethod
    def abstract_eval(x: ShapeDtype, v: ShapeDtype, *, index: Any, in_place: bool) -> ShapeDtype:
        return ShapeDtype(x.shape, x.dtype)

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, v: np.ndarray, *, index: Any, in_place: bool
    ) -> np.ndarray:
        y = x if in_place else x.copy()
        y[index] = v
        return y

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        index, v = ctx.attrs["index"], ctx.inputs[1]
        written = grad[index]  # the written places came from v: x's gradient is zero there
        gx = (IndexPut.apply(grad, abstract.filled_like(written, np.zeros), index=index,
                              in_place=False)
              if ctx.needs_input_grad[0] else None)
        gv = sum_to_shape(written, v.shape) if ctx.needs_input_grad[1] else None
        return gx, gv


def _is_basic(index: Any) -> bool:
    """True when `index` holds only slices, ints, None and Ellipsis (no repeated elements)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer)) for p in parts)


class Pad(Function):
    """y = x with `pad_width` (NumPy's per-axis (before, after) pairs) filled with `value`."""

    @staticmethod
    def abstract_eval(
        x: ShapeDtype, *, pad_width: tuple[tuple[int, int], ...], value: float
    ) -> ShapeDtype:
        return ShapeDtype(tuple(n + b + a for n, (b, a) in zip(x.shape, pad_width)), x.dtype)

    @staticmethod
    def forward(
        ctx: Context, x: np.ndarray, *, pad_width: tuple[tuple[int, int], ...], value: float
    ) -> np.ndarray:
        return np.pad(x, pad_width, constant_values=value)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        return grad[tuple(slice(b, n - a) for (b, a), n in zip(ctx.attrs["pad_width"], grad.shape))]


class Concatenate(Function):
    """y = the inputs joined along `dim`."""

    name = "cat"

    @staticmethod
    def abstract_eval(*xs: ShapeDtype, dim: int) -> ShapeDtype:
        shape = list(xs[0].shape)
        shape[dim] = sum(x.shape[dim] for x in xs)
        return ShapeDtype(tuple(shape), np.result_type(*[x.dtype for x in xs]))

    @staticmethod
    def forward(ctx: Context, *xs: np.ndarray, dim: int) -> np.ndarray:
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        dim = ctx.attrs["dim"]
        grads: list[Tensor | None] = []
        start = 0
        for t, needed in zip(ctx.inputs, ctx.needs_input_grad):
            stop = start + t.shape[dim]
            index = (slice(None),) * dim + (slice(start, stop),)
            grads.append(grad[index] if needed else None)
            start = stop
        return tuple(grads)
