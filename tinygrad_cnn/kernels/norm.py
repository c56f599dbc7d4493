"""The statistics behind normalisation: the mean and biased variance over some dims, in two
passes (a sum, then the sum of squares of the centred values).

Two passes rather than one (E[x²] - E[x]²) because the one-pass formula cancels: values far
from zero relative to their spread lose their variance to rounding.
"""

from __future__ import annotations

import math

import numpy as np

from tinygrad_cnn.kernels import threaded, threads


def trailing_dims(ndim: int, dims: tuple[int, ...]) -> int:
    """How many of the last dims of an array of rank `ndim` are among `dims`."""
    trailing = 0
    while trailing < ndim and ndim - 1 - trailing in dims:
        trailing += 1
    return trailing


def sum_of_squares(c: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    """Σ c² over `dims`, keeping them as 1s.

    The reduced dims at the end of `c` are summed as one dot product per row (a matrix
    product of each row with itself, which BLAS runs without a temporary c²); the remaining
    reduced dims are then summed over the small array of row sums.
    """
    trailing = trailing_dims(c.ndim, dims)
    if trailing == 0:  # every position holds its own statistic's value: no rows to dot
        return threaded.total(np.square(c), dims, keepdims=True)
    lead = c.shape[: c.ndim - trailing]
    rows = c.reshape(math.prod(lead), 1, -1)  # (R, 1, K)

    def dots(part: slice) -> np.ndarray:
        return rows[part] @ rows[part].transpose(0, 2, 1)  # (r, 1, 1): each row on its own

    squares = threads.over_batch(dots, len(rows), c.size).reshape(lead)
    rest = tuple(d for d in dims if d < c.ndim - trailing)
    squares = squares.sum(axis=rest, keepdims=True) if rest else squares
    return squares.reshape(*squares.shape, *([1] * trailing))


def moments(x: np.ndarray, dims: tuple[int, ...], eps: float) -> tuple[np.ndarray, ...]:
    """What standardising x over `dims` takes: (x - mean, mean, var, 1 / sqrt(var + eps)),
    the last three with `dims` kept as 1s, the variance the biased one (divided by the count).

    x - mean is a new array, which the caller may scale in place into the standardised values.
    """
    count = math.prod(x.shape[d] for d in dims)
    mean = threaded.total(x, dims, keepdims=True) / count
    centred = threaded.ufunc(np.subtract, x, mean.astype(x.dtype, copy=False))
    var = sum_of_squares(centred, dims) / count
    rstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
    return centred, mean.astype(x.dtype, copy=False), var.astype(x.dtype, copy=False), rstd
