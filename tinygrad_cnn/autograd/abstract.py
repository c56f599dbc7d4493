"""Shape-only runs (abstract evaluation): tensors that have a shape and a dtype but no values.

Inside a shape-only run every primitive answers with its shape rule (`Function.abstract_eval`)
instead of computing, so nothing is allocated and no arithmetic is done, whatever the Python
code of a `forward` does with its tensors (residual adds, branches, concatenations). A step that
needs values (`.item()`, `bool(t)`, a boolean mask) raises `NeedsValuesError` (a `ValueError`)
naming the step.
This is JAX's abstract evaluation, PyTorch's meta tensors; `summary` and `viz.draw_model` are
built on it. Here are the abstract arrays, `eval_shape`, and the shape-only side of the
`Tensor` methods that compute outside the graph (comparisons, `~`, argmax).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

# The module, not the class: tensor.py imports this file (see function.py).
from tinygrad_cnn import tensor as _tensor
from tinygrad_cnn.arguments import is_int
from tinygrad_cnn.autograd import grad_mode

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor

Shape = tuple[int, ...]


class NeedsValuesError(ValueError):
    """A step of a shape-only run needs values it does not have (`.item()`, `.data`, a mask);
    a caller that can afford it runs the model for real instead."""


class ShapeDtype(NamedTuple):
    """What a shape-only run knows of an array: its shape and dtype (JAX's abstract value)."""

    shape: tuple[int, ...]
    dtype: np.dtype


class AbstractArray:
    """The array of a tensor in a shape-only run: a shape and a dtype, and no values.

    It answers `shape`, `dtype`, `ndim`, `size`, `itemsize` and `nbytes` as an ndarray would;
    anything that needs values (NumPy functions, `np.asarray`) raises a `ValueError` saying so.
    """

    __slots__ = ("dtype", "shape")

    def __init__(self, shape: tuple[int, ...], dtype: Any):
        self.shape = tuple(int(n) for n in shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NeedsValuesError(f"eval_shape: a step needs the values of a tensor of shape "
                         f"{self.shape} ({self.dtype}), which a shape-only run does not have")

    def __repr__(self) -> str:
        return f"AbstractArray(shape={self.shape}, dtype={self.dtype})"


def without_values(shape: Shape, dtype: Any) -> Tensor:
    """A tensor of a shape-only run: this shape and dtype, no values."""
    return _tensor.Tensor._from_op(AbstractArray(shape, dtype), None, watched=True)


def has_no_values(*tensors: Tensor) -> bool:
    """True when any of `tensors` is a shape-only run's (a shape, no values)."""
    return any(type(t._data) is AbstractArray for t in tensors)


def outside_graph(fn: Callable[..., Any], inputs: Sequence[Tensor], shape: Shape, dtype: Any,
                  what: str) -> Tensor:
    """`fn` of the inputs' values, as a tensor no gradient flows through (comparisons, `~`,
    argmax); in a shape-only run, a tensor of the `shape` and `dtype` that `fn` would give.

    `what` names the step for a watcher of the values (see `grad_mode.watching`).
    """
    if has_no_values(*inputs):
        return without_values(shape, dtype)
    return _tensor.Tensor._from_op(np.asarray(fn(*[t._values(what) for t in inputs])), None)


def filled_like(t: Tensor, fill: Callable[..., np.ndarray]) -> Tensor:
    """`fill(shape, dtype=...)` (`np.zeros`, `np.ones`) at `t`'s shape and dtype, outside the
    graph; in a shape-only run, a tensor of that shape and dtype without values."""
    if has_no_values(t):
        return without_values(t.shape, t.dtype)
    return _tensor.Tensor._from_op(fill(t.shape, dtype=t.dtype), None)


def condition_array(condition: Any) -> Any:
    """A `where` condition as an array of bools; a shape-only run's tensor gives its abstract
    array, whose shape is all the op needs."""
    if isinstance(condition, _tensor.Tensor) and has_no_values(condition):
        return condition._data
    if isinstance(condition, _tensor.Tensor):
        condition = condition._values("a where condition")
    return np.asarray(condition).astype(bool, copy=False)


def eval_shape(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The shape of what `fn(*args, **kwargs)` returns, without computing it.

    Args:
        fn: any function or `Module` taking tensors.
        *args: one per positional input: a shape (a tuple of ints: a float32 tensor of that
            shape), a `ShapeDtype`, a Tensor or ndarray (only its shape and dtype are used), or
            a list, tuple or dict of these; anything else is passed through unchanged.
        **kwargs: keyword inputs, converted the same way.

    Returns:
        The output's shape as a tuple of ints; for tuple, list or dict outputs the same
        structure of shapes. Values that are not tensors come back as they are.

    Raises:
        ValueError: when a step needs tensor values (`.item()`, `bool(t)`, a boolean mask,
            `.numpy()`), naming the step; or when a layer refuses the shapes, as it would in
            a real run.
        NotImplementedError: for a primitive op without a shape rule, naming it.

    Examples:
        >>> from tinygrad_cnn import eval_shape, models
        >>> eval_shape(models.lenet5(), (64, 1, 28, 28))
        (64, 10)
        >>> eval_shape(lambda a, b: (a @ b, a.sum(0)), (3, 4), (4, 5))
        ((3, 5), (4,))
    """
    return shapes_of(run(fn, args, kwargs))


def run(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any] | None = None,
        observer: Any = None) -> Any:
    """Call `fn` on shape-only versions of the inputs and return what it returns (tensors
    without values); `observer` is told of every module call and op (see `grad_mode`)."""
    inputs = [to_abstract(a) for a in args]
    named = {k: to_abstract(v) for k, v in (kwargs or {}).items()}
    with grad_mode.switched(shapes_only=True, watch=_refuse, observer=observer, enabled=False):
        return fn(*inputs, **named)


def to_abstract(value: Any) -> Any:
    """`value` as shape-only tensors: shapes, ShapeDtypes, Tensors and arrays become tensors
    without values; lists, tuples and dicts are converted element by element."""
    if isinstance(value, ShapeDtype):
        return without_values(value.shape, value.dtype)
    if isinstance(value, _tensor.Tensor) and isinstance(value._data, AbstractArray):
        return value  # already one
    if isinstance(value, (_tensor.Tensor, np.ndarray)):
        return without_values(value.shape, value.dtype)
    if is_shape(value):
        return without_values(tuple(value), np.float32)
    if isinstance(value, Mapping):
        return {k: to_abstract(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_abstract(v) for v in value)
    return value


def shapes_of(value: Any) -> Any:
    """Every tensor in `value` (a tensor, or lists, tuples and dicts of them) as its shape."""
    if isinstance(value, _tensor.Tensor):
        return value.shape
    if isinstance(value, Mapping):
        return {k: shapes_of(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple (max's values)
        return type(value)(*(shapes_of(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(shapes_of(v) for v in value)
    return value


def is_shape(value: Any) -> bool:
    """True for a shape: a tuple or list of non-negative ints."""
    return isinstance(value, (tuple, list)) and all(is_int(n) and n >= 0 for n in value)


def _refuse(t: Tensor, what: str) -> None:
    """The watcher of a shape-only run: a step that reads values cannot run without them."""
    if isinstance(t._data, AbstractArray):
        raise NeedsValuesError(
            f"eval_shape: {what} reads the values of a tensor of shape {t.shape}, and a "
            "shape-only run has none; a step whose result or shape depends on values cannot "
            "be evaluated by shape")
