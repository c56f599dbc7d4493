"""Convolution, pooling and linear, forward + backward, at LeNet and VGG shapes, against PyTorch.

Run `python -m benchmarks.bench_conv`: milliseconds per forward+backward for us and for
PyTorch (when installed, with NumPy's BLAS thread count), measured interleaved in this one
process, and the ratio ours / PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks.timing import compare, header, torch_or_none
from tinygrad_cnn import Tensor

# (name, shapes of the tensor arguments, keyword arguments, op name)
CASES = [
    ("conv2d (64,1,28,28)x(6,1,5,5)", [(64, 1, 28, 28), (6, 1, 5, 5)], {}, "conv2d"),
    ("conv2d (64,6,12,12)x(16,6,5,5)", [(64, 6, 12, 12), (16, 6, 5, 5)], {}, "conv2d"),
    ("conv2d (8,64,56,56)x(64,64,3,3) pad 1", [(8, 64, 56, 56), (64, 64, 3, 3)],
     {"padding": 1}, "conv2d"),
    ("max_pool2d (64,6,24,24) k2", [(64, 6, 24, 24)], {"kernel_size": 2}, "max_pool2d"),
    ("avg_pool2d (64,6,24,24) k2", [(64, 6, 24, 24)], {"kernel_size": 2}, "avg_pool2d"),
    ("linear (256,256)x(120,256)+b", [(256, 256), (120, 256), (120,)], {}, "linear"),
]


def _arrays(shapes: list[tuple], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def ours(arrays: list[np.ndarray], kwargs: dict, op: str) -> Callable[[], None]:
    """One forward and backward pass of `op` in tinygrad_cnn."""
    fn = getattr(F, op)
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    gy = Tensor(np.ones(fn(*tensors, **kwargs).shape, dtype=np.float32))

    def step() -> None:
        for t in tensors:
            t.grad = None
        fn(*tensors, **kwargs).backward(gy)

    return step


def theirs(torch, arrays: list[np.ndarray], kwargs: dict, op: str) -> Callable[[], None]:
    """The same pass in PyTorch."""
    fn = getattr(torch.nn.functional, op)
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    gy = torch.ones(fn(*tensors, **kwargs).shape)

    def step() -> None:
        for t in tensors:
            t.grad = None
        fn(*tensors, **kwargs).backward(gy)

    return step


def run(rounds: int = 7) -> list:
    """Time every case for us and PyTorch; the comparisons hold seconds per pass."""
    torch = torch_or_none()
    results = []
    for name, shapes, kwargs, op in CASES:
        arrays = _arrays(shapes)
        contenders = {"ours": ours(arrays, kwargs, op)}
        if torch is not None:
            contenders["torch"] = theirs(torch, arrays, kwargs, op)
        results.append(compare(name + " fwd+bwd", contenders, rounds=rounds))
    return results


def main() -> None:
    print(header("ms"))
    for comparison in run():
        print(comparison.row(unit=1e3))


if __name__ == "__main__":
    main()
