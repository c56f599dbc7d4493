"""Hypothesis strategies for shapes, arrays and tensors, shared by users' tests and ours.

Example:
    >>> from hypothesis import given
    >>> from tinygrad_cnn.testing.strategies import tensors
    >>> @given(x=tensors(max_dims=2))
    ... def test_double(x):
    ...     assert (x + x).shape == x.shape
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_cnn.tensor import Tensor

Shape = tuple[int, ...]


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 5
) -> st.SearchStrategy[Shape]:
    """Array shapes with `min_dims`..`max_dims` dims of `min_side`..`max_side` each."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 4, max_side: int = 5
) -> st.SearchStrategy[tuple[Shape, ...]]:
    """Tuples of `num_shapes` shapes that broadcast together (NumPy's rules)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=1,
        max_side=max_side,
    ).map(lambda drawn: drawn.input_shapes)


def float_arrays(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    min_value: float = -3.0,
    max_value: float = 3.0,
    min_magnitude: float = 0.0,
    unique: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """Finite float arrays with values in [min_value, max_value].

    Args:
        shape: a shape or a strategy for one (default: `shapes()`).
        dtype: the float dtype.
        min_value: lower bound of the values.
        max_value: upper bound of the values.
        min_magnitude: keep |value| at least this (off the kink of abs, relu, ...).
        unique: no two elements equal (no ties for max and max pooling).
    """
    elements = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False,
                         width=np.dtype(dtype).itemsize * 8)
    if min_magnitude > 0:
        elements = elements.filter(lambda v: abs(v) >= min_magnitude)
    return hnp.arrays(dtype, shapes() if shape is None else shape, elements=elements,
                      unique=unique)


def spaced_arrays(
    shape: Shape | st.SearchStrategy[Shape], gap: float = 0.05, dtype: Any = np.float64
) -> st.SearchStrategy[np.ndarray]:
    """Arrays whose values are all at least `gap` apart: a distinct, shuffled grid.

    Finite differences with a step far below `gap` never swap the order of two elements, so
    max and max pooling are differentiable at every drawn point.
    """
    shape_strategy = shape if isinstance(shape, st.SearchStrategy) else st.just(tuple(shape))

    @st.composite
    def build(draw: st.DrawFn) -> np.ndarray:
        drawn = draw(shape_strategy)
        size = int(np.prod(drawn))
        order = draw(st.permutations(range(size)))
        offset = draw(st.floats(-1.0, 1.0))
        values = (np.asarray(order, dtype=np.float64) - size / 2) * gap + offset
        return values.astype(dtype).reshape(drawn)

    return build()


def tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    requires_grad: bool = True,
    **array_kwargs: Any,
) -> st.SearchStrategy[Tensor]:
    """Tensors over `float_arrays(shape, dtype, **array_kwargs)`, requiring grad by default."""
    return float_arrays(shape, dtype, **array_kwargs).map(
        lambda a: Tensor(a, requires_grad=requires_grad)
    )


def positive_tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None, dtype: Any = np.float64,
    low: float = 0.1, high: float = 3.0,
) -> st.SearchStrategy[Tensor]:
    """Tensors with values in [low, high], for log, sqrt and division (away from the pole)."""
    return tensors(shape, dtype, min_value=low, max_value=high)
