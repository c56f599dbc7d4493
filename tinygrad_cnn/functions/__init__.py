"""The torch-style functions at the top level: `tg.max(x, 1)`, `tg.flatten(x, 1)`,
`tg.einsum(...)`, ..., and the CPU as PyTorch's device.

Each takes a tensor or an ndarray (our `.data` is the ndarray, so the tutorials'
`torch.max(outputs.data, 1)` works) and calls the Tensor method of the same name, except
`einsum`, which is its own op. `max`, `min`, `sort` and `topk` along a dim return
`(values, indices)` named tuples, as PyTorch's do. One module per family: `reductions`
(sums, extremes, sorts), `elementwise`, `shaping` (shapes and products), `device`.
"""

from tinygrad_cnn.functions.device import cuda, device
from tinygrad_cnn.functions.elementwise import (
    abs,
    clamp,
    clip,
    exp,
    log,
    log_softmax,
    maximum,
    minimum,
    pow,
    relu,
    sigmoid,
    softmax,
    sqrt,
    tanh,
)
from tinygrad_cnn.functions.reductions import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    max,
    mean,
    min,
    norm,
    sort,
    std,
    sum,
    topk,
    var,
)
from tinygrad_cnn.functions.shaping import (
    chunk,
    einsum,
    flatten,
    gather,
    is_tensor,
    matmul,
    numel,
    permute,
    reshape,
    split,
    squeeze,
    t,
    transpose,
    unsqueeze,
)

__all__ = [
    "abs", "all", "amax", "amin", "any", "argmax", "argmin", "argsort", "chunk", "clamp",
    "clip", "cuda", "device", "einsum", "exp", "flatten", "gather", "is_tensor", "log",
    "log_softmax", "matmul", "max", "maximum", "mean", "min", "minimum", "norm", "numel",
    "permute", "pow", "relu", "reshape", "sigmoid", "softmax", "sort", "split", "sqrt",
    "squeeze", "std", "sum", "t", "tanh", "topk", "transpose", "unsqueeze", "var",
]
