"""The torch-style reductions and sorts: `tg.sum(x, 1)`, `tg.max(x, 1)` (values and indices),
`tg.sort`, `tg.topk`, ..., of a tensor or an ndarray."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.autograd.operands import ValuesIndices
from tinygrad_cnn.creation import as_tensor
from tinygrad_cnn.tensor import Tensor

DimArg = int | Sequence[int] | None


def sum(input: Any, dim: DimArg = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over `dim` (all dims when None), in `dtype` if given."""
    x = as_tensor(input)
    return (x if dtype is None else x.to(dtype)).sum(dim, keepdim)


def mean(input: Any, dim: DimArg = None, keepdim: bool = False, *, dtype: Any = None
         ) -> Tensor:
    """The mean over `dim` (all dims when None), in `dtype` if given."""
    x = as_tensor(input)
    return (x if dtype is None else x.to(dtype)).mean(dim, keepdim)


def var(input: Any, dim: DimArg = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """The variance over `dim` (see `Tensor.var`)."""
    return as_tensor(input).var(dim, unbiased, keepdim, correction=correction)


def std(input: Any, dim: DimArg = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """The standard deviation over `dim` (see `Tensor.std`)."""
    return as_tensor(input).std(dim, unbiased, keepdim, correction=correction)


def max(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor | ValuesIndices:
    """The maximum of all elements; `(values, indices)` along `dim`; or, given a second
    tensor instead of a dim, the elementwise maximum (as `torch.max`)."""
    if isinstance(dim, (Tensor, np.ndarray)):
        return as_tensor(input).maximum(dim)
    return as_tensor(input).max(dim, keepdim)


def min(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor | ValuesIndices:
    """The minimum of all elements; `(values, indices)` along `dim`; or, given a second
    tensor instead of a dim, the elementwise minimum (as `torch.min`)."""
    if isinstance(dim, (Tensor, np.ndarray)):
        return as_tensor(input).minimum(dim)
    return as_tensor(input).min(dim, keepdim)


def amax(input: Any, dim: DimArg = None, keepdim: bool = False) -> Tensor:
    """The maximum over `dim` (tied maxima share the gradient)."""
    return as_tensor(input).amax(dim, keepdim)


def amin(input: Any, dim: DimArg = None, keepdim: bool = False) -> Tensor:
    """The minimum over `dim` (tied minima share the gradient)."""
    return as_tensor(input).amin(dim, keepdim)


def argmax(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the first maximum (of the flattened input when `dim` is None)."""
    return as_tensor(input).argmax(dim, keepdim)


def argmin(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the first minimum (of the flattened input when `dim` is None)."""
    return as_tensor(input).argmin(dim, keepdim)


def all(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Whether every element (along `dim`) is true."""
    return as_tensor(input).all(dim, keepdim)


def any(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Whether any element (along `dim`) is true."""
    return as_tensor(input).any(dim, keepdim)


def norm(input: Any, p: float | str = "fro", dim: DimArg = None, keepdim: bool = False
         ) -> Tensor:
    """The p-norm over `dim` (see `Tensor.norm`)."""
    return as_tensor(input).norm(p, dim, keepdim)




def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False
         ) -> ValuesIndices:
    """`(values, indices)` sorted along `dim`."""
    return as_tensor(input).sort(dim, descending, stable)


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """The indices that sort `dim`."""
    return as_tensor(input).argsort(dim, descending, stable)


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> ValuesIndices:
    """`(values, indices)` of the `k` largest (or smallest) along `dim`."""
    return as_tensor(input).topk(k, dim, largest, sorted)
