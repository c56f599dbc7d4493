"""The torch-style functions at the top level: `tg.max(x, 1)`, `tg.flatten(x, 1)`,
`tg.einsum(...)`, ..., and the CPU as PyTorch's device.

Each takes a tensor or an ndarray (our `.data` is the ndarray, so the tutorials'
`torch.max(outputs.data, 1)` works) and calls the Tensor method of the same name, except
`einsum`, which is its own op. `max`, `min`, `sort` and `topk` along a dim return
`(values, indices)` named tuples, as PyTorch's do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.autograd import dtypes
from tinygrad_cnn.autograd.operands import ValuesIndices
from tinygrad_cnn.creation import as_tensor, eye
from tinygrad_cnn.ops.einsum import Einsum, plan
from tinygrad_cnn.tensor import Tensor

DimArg = int | Sequence[int] | None


def _t(input: Any) -> Tensor:
    """A tensor, or an ndarray or number as one (an ndarray's memory is shared)."""
    return input if isinstance(input, Tensor) else as_tensor(input)


def is_tensor(obj: Any) -> bool:
    """Whether `obj` is a Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Any) -> int:
    """The number of elements of `input`."""
    return _t(input).numel()


# ---- reductions ---------------------------------------------------------------------------------


def sum(input: Any, dim: DimArg = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over `dim` (all dims when None), in `dtype` if given."""
    x = _t(input)
    return (x if dtype is None else x.to(dtype)).sum(dim, keepdim)


def mean(input: Any, dim: DimArg = None, keepdim: bool = False, *, dtype: Any = None
         ) -> Tensor:
    """The mean over `dim` (all dims when None), in `dtype` if given."""
    x = _t(input)
    return (x if dtype is None else x.to(dtype)).mean(dim, keepdim)


def var(input: Any, dim: DimArg = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """The variance over `dim` (see `Tensor.var`)."""
    return _t(input).var(dim, unbiased, keepdim, correction=correction)


def std(input: Any, dim: DimArg = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: float | None = None) -> Tensor:
    """The standard deviation over `dim` (see `Tensor.std`)."""
    return _t(input).std(dim, unbiased, keepdim, correction=correction)


def max(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor | ValuesIndices:
    """The maximum of all elements; `(values, indices)` along `dim`; or, given a second
    tensor instead of a dim, the elementwise maximum (as `torch.max`)."""
    if isinstance(dim, (Tensor, np.ndarray)):
        return _t(input).maximum(dim)
    return _t(input).max(dim, keepdim)


def min(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor | ValuesIndices:
    """The minimum of all elements; `(values, indices)` along `dim`; or, given a second
    tensor instead of a dim, the elementwise minimum (as `torch.min`)."""
    if isinstance(dim, (Tensor, np.ndarray)):
        return _t(input).minimum(dim)
    return _t(input).min(dim, keepdim)


def amax(input: Any, dim: DimArg = None, keepdim: bool = False) -> Tensor:
    """The maximum over `dim` (tied maxima share the gradient)."""
    return _t(input).amax(dim, keepdim)


def amin(input: Any, dim: DimArg = None, keepdim: bool = False) -> Tensor:
    """The minimum over `dim` (tied minima share the gradient)."""
    return _t(input).amin(dim, keepdim)


def argmax(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the first maximum (of the flattened input when `dim` is None)."""
    return _t(input).argmax(dim, keepdim)


def argmin(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index of the first minimum (of the flattened input when `dim` is None)."""
    return _t(input).argmin(dim, keepdim)


def all(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Whether every element (along `dim`) is true."""
    return _t(input).all(dim, keepdim)


def any(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Whether any element (along `dim`) is true."""
    return _t(input).any(dim, keepdim)


def norm(input: Any, p: float | str = "fro", dim: DimArg = None, keepdim: bool = False
         ) -> Tensor:
    """The p-norm over `dim` (see `Tensor.norm`)."""
    return _t(input).norm(p, dim, keepdim)


# ---- sorting -------------------------------------------------------------------------------------


def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False
         ) -> ValuesIndices:
    """`(values, indices)` sorted along `dim`."""
    return _t(input).sort(dim, descending, stable)


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """The indices that sort `dim`."""
    return _t(input).argsort(dim, descending, stable)


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> ValuesIndices:
    """`(values, indices)` of the `k` largest (or smallest) along `dim`."""
    return _t(input).topk(k, dim, largest, sorted)


# ---- elementwise ---------------------------------------------------------------------------------


def exp(input: Any) -> Tensor:
    """e ** x, elementwise."""
    return _t(input).exp()


def log(input: Any) -> Tensor:
    """The natural logarithm, elementwise."""
    return _t(input).log()


def sqrt(input: Any) -> Tensor:
    """The square root, elementwise."""
    return _t(input).sqrt()


def abs(input: Any) -> Tensor:
    """The absolute value, elementwise."""
    return _t(input).abs()


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent, elementwise."""
    return _t(input) ** exponent


def sigmoid(input: Any) -> Tensor:
    """1 / (1 + e ** -x), elementwise."""
    return _t(input).sigmoid()


def tanh(input: Any) -> Tensor:
    """The hyperbolic tangent, elementwise."""
    return _t(input).tanh()


def relu(input: Any) -> Tensor:
    """max(x, 0), elementwise."""
    return _t(input).relu()


def clamp(input: Any, min: float | None = None, max: float | None = None) -> Tensor:
    """`input` limited to [min, max] (either may be None)."""
    return _t(input).clamp(min, max)


clip = clamp


def maximum(input: Any, other: Any) -> Tensor:
    """The larger of the two, elementwise."""
    return _t(input).maximum(other)


def minimum(input: Any, other: Any) -> Tensor:
    """The smaller of the two, elementwise."""
    return _t(input).minimum(other)


def softmax(input: Any, dim: int, dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`, in `dtype` if given."""
    x = _t(input)
    return (x if dtype is None else x.to(dtype)).softmax(dim)


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably, in `dtype` if given."""
    x = _t(input)
    return (x if dtype is None else x.to(dtype)).log_softmax(dim)


# ---- shapes and products -------------------------------------------------------------------------


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """`input` with dims `start_dim`..`end_dim` merged into one."""
    return _t(input).flatten(start_dim, end_dim)


def reshape(input: Any, shape: Sequence[int]) -> Tensor:
    """The same elements in a new shape (one dim may be -1)."""
    return _t(input).reshape(shape)


def squeeze(input: Any, dim: int | None = None) -> Tensor:
    """`input` without its dims of size 1 (only `dim`, when given)."""
    return _t(input).squeeze(dim)


def unsqueeze(input: Any, dim: int) -> Tensor:
    """`input` with a dim of size 1 inserted at `dim`."""
    return _t(input).unsqueeze(dim)


def transpose(input: Any, dim0: int, dim1: int) -> Tensor:
    """`input` with two dims swapped."""
    return _t(input).transpose(dim0, dim1)


def permute(input: Any, dims: Sequence[int]) -> Tensor:
    """`input` with its dims reordered."""
    return _t(input).permute(dims)


def t(input: Any) -> Tensor:
    """The transpose of a matrix (a 0-D or 1-D input as it is)."""
    return _t(input).t()


def split(tensor: Any, split_size_or_sections: int | Sequence[int], dim: int = 0
          ) -> tuple[Tensor, ...]:
    """`tensor` cut along `dim` into pieces of one size or of the listed sizes."""
    return _t(tensor).split(split_size_or_sections, dim)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """`input` cut along `dim` into `chunks` pieces (maybe fewer)."""
    return _t(input).chunk(chunks, dim)


def gather(input: Any, dim: int, index: Any) -> Tensor:
    """The values of `input` at `index` along `dim` (see `Tensor.gather`)."""
    return _t(input).gather(dim, index)


def matmul(input: Any, other: Any) -> Tensor:
    """The matrix product, with NumPy's rules for 1-D operands and batch dims."""
    return _t(input).matmul(other)


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
    xs = [_t(x) for x in operands]
    equation, identities = plan(equation, [x.shape for x in xs])
    dtype = dtypes.result_type(*xs) if xs else np.dtype(np.float32)
    xs = [x if x.dtype == dtype else x.to(dtype) for x in xs]
    return Einsum.apply(*xs, *(eye(n, dtype=dtype) for n in identities), equation=equation)


# ---- the CPU as PyTorch's device -----------------------------------------------------------------


def device(type: str) -> str:
    """PyTorch's `torch.device`, for the one device there is: `device("cpu")` is ``"cpu"``.

    Raises:
        ValueError: for any other device (`"cuda"`, `"mps"`, ...), saying this library
            computes on the CPU alone.
    """
    dtypes.check_device("device", type)
    return "cpu"


class _Cuda:
    """`tinygrad_cnn.cuda`: PyTorch's `torch.cuda` in a library without a GPU, so that
    ``device = "cuda" if tg.cuda.is_available() else "cpu"`` picks the CPU."""

    @staticmethod
    def is_available() -> bool:
        """False: tinygrad_cnn computes on the CPU alone."""
        return False

    @staticmethod
    def device_count() -> int:
        """0: there is no GPU device."""
        return 0


cuda = _Cuda()
