"""Shape-only runs: any function or module on tensors that have a shape and a dtype but no values.

Inside a shape-only run every primitive answers with its shape rule (`Function.abstract_eval`)
instead of computing, so nothing is allocated and no arithmetic is done, whatever the Python
code of a `forward` does with its tensors (residual adds, branches, concatenations). A step that
needs values (`.item()`, `bool(t)`, a boolean mask) raises a `ValueError` naming the step.
This is JAX's abstract evaluation, PyTorch's meta tensors; `summary` and `viz.draw_model` are
built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from tinygrad_cnn import grad_mode
from tinygrad_cnn.function import AbstractArray, ShapeDtype
from tinygrad_cnn.tensor import Tensor

Shape = tuple[int, ...]


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
    inputs = [abstract(a) for a in args]
    named = {k: abstract(v) for k, v in (kwargs or {}).items()}
    with grad_mode.switched(shapes_only=True, watch=_refuse, observer=observer, enabled=False):
        return fn(*inputs, **named)


def abstract(value: Any) -> Any:
    """`value` as shape-only tensors: shapes, ShapeDtypes, Tensors and arrays become tensors
    without values; lists, tuples and dicts are converted element by element."""
    if isinstance(value, ShapeDtype):
        return _tensor(value.shape, value.dtype)
    if isinstance(value, Tensor) and isinstance(value._data, AbstractArray):
        return value  # already one
    if isinstance(value, (Tensor, np.ndarray)):
        return _tensor(value.shape, value.dtype)
    if is_shape(value):
        return _tensor(tuple(value), np.float32)
    if isinstance(value, Mapping):
        return {k: abstract(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(abstract(v) for v in value)
    return value


def shapes_of(value: Any) -> Any:
    """Every tensor in `value` (a tensor, or lists, tuples and dicts of them) as its shape."""
    if isinstance(value, Tensor):
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
    return isinstance(value, (tuple, list)) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in value)


def _tensor(shape: Shape, dtype: Any) -> Tensor:
    return Tensor._from_op(AbstractArray(shape, dtype), None, watched=True)


def _refuse(t: Tensor, what: str) -> None:
    """The watcher of a shape-only run: a step that reads values cannot run without them."""
    if isinstance(t._data, AbstractArray):
        raise ValueError(
            f"eval_shape: {what} reads the values of a tensor of shape {t.shape}, and a "
            "shape-only run has none; a step whose result or shape depends on values cannot "
            "be evaluated by shape")
