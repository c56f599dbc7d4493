"""Course part 4: max and average pooling, forward and backward, and flattening.

Max pooling keeps the largest value of each window; its gradient goes to that one position
(the first maximum, in row-major order, when there is a tie). Average pooling keeps the mean;
its gradient is shared equally by the whole window. Where windows overlap (kernel 3, stride
2, as in AlexNet), an input pixel collects gradient from every window it is in.

Run: python examples/course/04_pooling.py
"""

from __future__ import annotations

import itertools

import numpy as np

from tinygrad_cnn import Tensor
from tinygrad_cnn.nn import functional as F

EXAMPLE = np.array([[1, 5, 2, 0],
                    [3, 4, 8, 1],
                    [0, 2, 3, 9],
                    [7, 6, 1, 4]], dtype=np.float64).reshape(1, 1, 4, 4)
EXAMPLE_GRADIENT = np.array([[1, 2], [3, 4]], dtype=np.float64).reshape(1, 1, 2, 2)


# --8<-- [start:pool]
def pool_loops(x, gy, kernel, stride, mode):
    """(y, dL/dx) of max or average pooling without padding, by loops over windows."""
    N, C, H, W = x.shape
    oH, oW = (H - kernel) // stride + 1, (W - kernel) // stride + 1
    y, gx = np.zeros((N, C, oH, oW)), np.zeros(x.shape)
    for n, c, i, j in itertools.product(range(N), range(C), range(oH), range(oW)):
        rows = slice(i * stride, i * stride + kernel)
        cols = slice(j * stride, j * stride + kernel)
        window = x[n, c, rows, cols]
        if mode == "max":
            p, q = np.unravel_index(np.argmax(window), window.shape)  # the first maximum
            y[n, c, i, j] = window[p, q]
            gx[n, c, i * stride + p, j * stride + q] += gy[n, c, i, j]
        else:
            y[n, c, i, j] = window.mean()
            gx[n, c, rows, cols] += gy[n, c, i, j] / kernel**2
    return y, gx
# --8<-- [end:pool]


def library(x, gy, kernel, stride, mode):
    """(y, dL/dx) from F.max_pool2d or F.avg_pool2d and backward()."""
    xt = Tensor(x, requires_grad=True)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    y = pool(xt, kernel, stride)
    y.backward(Tensor(gy))
    return y.data, xt.grad.data


def worked_example() -> dict[str, np.ndarray]:
    """The 4x4 example through 2x2 max and average pooling, output gradient [[1, 2], [3, 4]]."""
    result = {}
    for mode in ("max", "avg"):
        y, gx = library(EXAMPLE, EXAMPLE_GRADIENT, 2, 2, mode)
        loop_y, loop_gx = pool_loops(EXAMPLE, EXAMPLE_GRADIENT, 2, 2, mode)
        assert np.array_equal(y, loop_y) and np.array_equal(gx, loop_gx)
        result[f"{mode}_y"], result[f"{mode}_dx"] = y[0, 0], gx[0, 0]
    return result


def tie_gradient() -> np.ndarray:
    """A window of four equal values: the whole gradient goes to its first (top-left) one."""
    _, gx = library(np.ones((1, 1, 2, 2)), np.ones((1, 1, 1, 1)), 2, 2, "max")
    return gx[0, 0]


def compare(kernel: int, stride: int, mode: str, seed: int = 0) -> float:
    """Largest |loops - library| over y and dL/dx on a random input without ties."""
    rng = np.random.default_rng(seed)
    x = rng.permutation(2 * 3 * 9 * 9).reshape(2, 3, 9, 9) / 10.0  # distinct values: no ties
    size = (9 - kernel) // stride + 1
    gy = rng.standard_normal((2, 3, size, size))
    ours, theirs = pool_loops(x, gy, kernel, stride, mode), library(x, gy, kernel, stride, mode)
    return max(float(np.abs(a - b).max()) for a, b in zip(ours, theirs))


def flatten() -> dict:
    """Flatten (N, C, H, W) to (N, C*H*W) in row-major order; its backward is a reshape."""
    x = Tensor(np.arange(16, dtype=np.float64).reshape(2, 2, 2, 2), requires_grad=True)
    flat = x.flatten(1)  # what nn.Flatten() does between the conv part and the FC layers
    g = np.arange(100, 116, dtype=np.float64).reshape(flat.shape)
    flat.backward(Tensor(g))
    return {"shape": flat.shape, "first_row": flat.data[0].tolist(),
            "backward_is_reshape": bool(np.array_equal(x.grad.data, g.reshape(x.shape)))}


def main() -> dict:
    example = worked_example()
    for name in ("max_y", "max_dx", "avg_y", "avg_dx"):
        print(f"{name}:\n{example[name]}\n")
    print(f"a tie: max pooling's gradient goes to the first maximum:\n{tie_gradient()}\n")
    for kernel, stride in ((2, 2), (3, 2)):
        for mode in ("max", "avg"):
            print(f"{mode} pool {kernel}x{kernel} stride {stride}: largest |loops - library| = "
                  f"{compare(kernel, stride, mode):.1e}")
    flat = flatten()
    print(f"\nflatten: (2, 2, 2, 2) -> {flat['shape']}, first row {flat['first_row']}, "
          f"backward is a reshape: {flat['backward_is_reshape']}")
    return {"example": example, "flatten": flat}


if __name__ == "__main__":
    main()
