"""Sorting orders: the stable argsort, ascending or descending, NaN the largest (as PyTorch)."""

from __future__ import annotations

import numpy as np


def argsort(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """The int64 indices that sort `x` along `axis`; equal values keep their order either way.

    Descending is the ascending order of the flipped axis, read backwards and mapped back to
    positions: negating would not work for bools and unsigned ints, and a stable sort of the
    negation would put NaN last instead of first.
    """
    if not descending:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False)
    n = x.shape[axis]
    order = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return (n - 1 - np.flip(order, axis)).astype(np.int64, copy=False)
