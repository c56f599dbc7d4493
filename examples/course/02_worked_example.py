"""Course part 2: the worked 4x4 example, forward and backward, by hand and with the library.

A 4x4 image holding 1..16 goes through two 3x3 filters (stride 1, no padding, zero bias):
filter A takes a pixel minus the pixel below it, filter B the right neighbour minus the pixel.
Both outputs are 2x2. Given the gradients of the loss with respect to those outputs, backward
sends each output gradient to the 3x3 window it came from, weighted by the filter.

Run: python examples/course/02_worked_example.py
"""

from __future__ import annotations

import itertools

import numpy as np

from tinygrad_cnn import Tensor
from tinygrad_cnn.nn import functional as F

IMAGE = np.arange(1, 17, dtype=np.float64).reshape(1, 1, 4, 4)
FILTERS = np.array([
    [[[0, 0, 0], [0, 1, 0], [0, -1, 0]]],   # A: pixel minus the pixel below
    [[[0, 0, 0], [0, -1, 1], [0, 0, 0]]],   # B: right neighbour minus pixel
], dtype=np.float64)                        # (2, 1, 3, 3)
BIAS = np.zeros(2)
OUTPUT_GRADIENT = np.array([[[[-4, -4], [10, 11]], [[1, -7], [1, -11]]]], dtype=np.float64)


def by_hand() -> tuple[np.ndarray, np.ndarray]:
    """(y, dL/dx) with one loop over filters, output pixels and taps."""
    y = np.zeros((1, 2, 2, 2))
    gx = np.zeros((1, 1, 4, 4))
    for o, i, j, p, q in itertools.product(range(2), range(2), range(2), range(3), range(3)):
        y[0, o, i, j] += FILTERS[o, 0, p, q] * IMAGE[0, 0, i + p, j + q]
        gx[0, 0, i + p, j + q] += FILTERS[o, 0, p, q] * OUTPUT_GRADIENT[0, o, i, j]
    return y, gx


def with_library() -> dict[str, np.ndarray]:
    """The output and every gradient from F.conv2d and backward()."""
    x = Tensor(IMAGE, requires_grad=True)
    w = Tensor(FILTERS, requires_grad=True)
    b = Tensor(BIAS, requires_grad=True)
    y = F.conv2d(x, w, b)
    y.backward(Tensor(OUTPUT_GRADIENT))
    return {"y": y.data, "dx": x.grad.data, "dw": w.grad.data, "db": b.grad.data}


def main() -> dict[str, np.ndarray]:
    hand_y, hand_dx = by_hand()
    result = with_library()
    assert np.array_equal(hand_y, result["y"]) and np.array_equal(hand_dx, result["dx"])
    for name, label in (("y", "outputs (filter A, filter B)"),
                        ("dx", "dL/dx, the input gradient"),
                        ("dw", "dL/dw, the filter gradients"), ("db", "dL/db")):
        print(f"{label}:\n{result[name].astype(int).squeeze()}\n")
    print("the loops and F.conv2d agree exactly")
    return result


if __name__ == "__main__":
    main()
