"""The torch-style functions of shapes and products: `tg.flatten(x, 1)`, `tg.split`,
`tg.gather`, `tg.matmul`, `tg.einsum` (its own op), ..., of tensors or ndarrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.autograd import dtypes
from tinygrad_cnn.creation import as_tensor, eye
from tinygrad_cnn.ops.einsum import Einsum, plan
from tinygrad_cnn.tensor import Tensor


def is_tensor(obj: Any) -> bool:
    """Whether `obj` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Any) -> int:
    """The number of elements of `input`."""
    return as_tensor(input).numel()




def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """`input` with dims `start_dim`..`end_dim` merged into one."""
    return as_tensor(input).flatten(start_dim, end_dim)


def reshape(input: Any, shape: Sequence[int]) -> Tensor:
    """The same elements in a new shape (one dim may be -1)."""
    return as_tensor(input).reshape(shape)


def squeeze(input: Any, dim: int | None = None) -> Tensor:
    """`input` without its dims of size 1 (only `dim`, when given)."""
    return as_tensor(input).squeeze(dim)


def unsqueeze(input: Any, dim: int) -> Tensor:
    """`input` with a dim of size 1 inserted at `dim`."""
    return as_tensor(input).unsqueeze(dim)


def transpose(input: Any, dim0: int, dim1: int) -> Tensor:
    """`input` with two dims swapped."""
    return as_tensor(input).transpose(dim0, dim1)


def permute(input: Any, dims: Sequence[int]) -> Tensor:
    """`input` with its dims reordered."""
    return as_tensor(input).permute(dims)


def t(input: Any) -> Tensor:
    """The transpose of a matrix (a 0-D or 1-D input as it is)."""
    return as_tensor(input).t()


def split(tensor: Any, split_size_or_sections: int | Sequence[int], dim: int = 0
          ) -> tuple[Tensor, ...]:
    """`tensor` cut along `dim` into pieces of one size or of the listed sizes."""
    return as_tensor(tensor).split(split_size_or_sections, dim)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """`input` cut along `dim` into `chunks` pieces (maybe fewer)."""
    return as_tensor(input).chunk(chunks, dim)


def gather(input: Any, dim: int, index: Any) -> Tensor:
    """The values of `input` at `index` along `dim` (see `Tensor.gather`)."""
    return as_tensor(input).gather(dim, index)


def matmul(input: Any, other: Any) -> Tensor:
    """The matrix product, with NumPy's rules for 1-D operands and batch dims."""
    return as_tensor(input).matmul(other)


def einsum(equation: str, *operands: Any) -> Tensor:
    """The sum of products that `equation` names, as `torch.einsum` and `np.einsum`.

    `einsum("ij,jk->ik", a, b)` is a matrix product, `einsum("bij,bjk->bik", a, b)` a batched
    one, `einsum("ii", a)` the trace; `...` stands for the leading dims, which broadcast. The
    operands may also come as one list. Differentiable: each operand's gradient is an einsum.

    Raises:
        ValueError: for a malformed equation, or one that does not fit the operands' shapes.

    Examples:
        >>> import tinygrad_cnn as tg
        >>> a = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> tg.einsum("ij,jk->ik", a, a).tolist(), tg.einsum("ii", a).item()
        ([[7.0, 10.0], [15.0, 22.0]], 5.0)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [as_tensor(x) for x in operands]
    equation, identities = plan(equation, [x.shape for x in xs])
    dtype = dtypes.result_type(*xs) if xs else np.dtype(np.float32)
    xs = [x if x.dtype == dtype else x.to(dtype) for x in xs]
    return Einsum.apply(*xs, *(eye(n, dtype=dtype) for n in identities), equation=equation)
