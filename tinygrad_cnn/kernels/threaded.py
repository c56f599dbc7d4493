"""NumPy's busiest calls on big arrays, cut into parts on the thread pool: elementwise ufuncs,
sums and matrix products.

Each cuts its work by shape alone (see `threads`), so the results are the same bits for every
thread count; small arrays go straight to NumPy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_cnn.kernels import threads


def serial(a: Any) -> bool:
    """Whether a pass over `a` runs whole on this thread: it is too small for two parts, or
    there is one thread. (An op may then use NumPy's operator, the cheapest call.)"""
    return getattr(a, "size", 0) < 2 * threads.MIN_PART_VALUES or threads.get_num_threads() == 1


def ufunc(function: np.ufunc, *inputs: Any, dtype: np.dtype | None = None,
          out: np.ndarray | None = None) -> np.ndarray:
    """function(*inputs, dtype=dtype, out=out), NumPy-broadcast, in parts over the first axis
    when the first input is big.

    An input without the result's first axis is passed whole to every part.
    """
    if serial(inputs[0]):
        if out is None and dtype is None:  # the common case, without keyword parsing
            return function(*inputs)
        return function(*inputs, out=out) if dtype is None else function(*inputs, out=out,
                                                                             dtype=dtype)
    options = {} if dtype is None else {"dtype": dtype}
    shape = np.broadcast_shapes(*(np.shape(a) for a in inputs))
    parts = threads.exact_parts(shape[0], math.prod(shape))
    if out is None:
        out = np.empty(shape, np.result_type(*inputs) if dtype is None else dtype)

    def compute(part: int) -> None:
        pieces = [a[parts[part]] if np.ndim(a) == len(shape) and np.shape(a)[0] > 1 else a
                  for a in inputs]
        function(*pieces, out=out[parts[part]], **options)

    threads.run(compute, len(parts))
    return out


def total(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """x.sum(axis=axes, keepdims=keepdims), in parts over the first axis when x is big.

    Summed over the first axis, the parts' sums are added in part order, and the parts are
    cut by shape alone, so the bits never depend on the thread count.
    """
    if x.ndim == 0 or x.size < 2 * threads.MIN_PART_VALUES:
        return x.sum(axis=axes, keepdims=keepdims)
    axes = tuple(axis % x.ndim for axis in axes)
    if 0 not in axes:  # each output value from its own rows: an exact cut
        return threads.over_batch(lambda rows: x[rows].sum(axis=axes, keepdims=keepdims),
                                  x.shape[0], x.size)
    parts = threads.split(x.shape[0], x.size)
    shares = threads.run(lambda part: x[parts[part]].sum(axis=axes, keepdims=True), len(parts))
    result = shares[0]
    for share in shares[1:]:
        result = result + share
    return result if keepdims else result.squeeze(axis=axes)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, in parts over the rows of `a` when the product is big (BLAS on one thread).

    The parts are cut by shape alone, whatever the thread count: BLAS does not promise the
    same bits for a product and for its rows one block at a time. Each part holds 4x the
    usual work: a lone product is one NumPy call, too short to pay for waking a thread.
    """
    macs = a.size * b.shape[-1]  # a's share of them
    parts = threads.split(a.shape[-2], macs, 4 * threads.MIN_PART_MACS)
    if len(parts) == 1:
        with threads.OneBlasThread():
            return a @ b
    shape = (*np.broadcast_shapes(a.shape[:-2], b.shape[:-2]), a.shape[-2], b.shape[-1])
    out = np.empty(shape, np.result_type(a, b))

    def rows(part: int) -> None:
        np.matmul(a[..., parts[part], :], b, out=out[..., parts[part], :])

    threads.run(rows, len(parts))
    return out
