"""The worked 4×4 convolution example: forward, backward, and the gradient as a transposed conv.

A 4×4 image holding 1..16 goes through two 3×3 filters: a vertical edge detector (centre
minus the pixel below) and a horizontal one (right neighbour minus centre). Every window of
this image sees the same differences, so the outputs are constant: -4 (rows differ by 4) and
1 (columns differ by 1). Given an output gradient, the input gradient is each output
gradient "stamped" back through its filter: a transposed convolution, checked here against
`F.conv_transpose2d` and against the stamps written out as a loop.

Run: python examples/conv_by_hand.py
"""

import numpy as np

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor
from tinygrad_cnn.summary import conv_output_size


def show(title: str, array: np.ndarray) -> None:
    print(f"{title}:")
    for channel, plane in enumerate(np.asarray(array).reshape(-1, *array.shape[-2:])):
        rows = "\n".join("    " + " ".join(f"{v:5.0f}" for v in row) for row in plane)
        print(f"  [{channel}]\n{rows}")


def main() -> None:
    x = Tensor(np.arange(1.0, 17.0).reshape(1, 1, 4, 4), requires_grad=True)
    w = Tensor(np.array([[[[0.0, 0, 0], [0, 1, 0], [0, -1, 0]]],  # vertical edge
                         [[[0.0, 0, 0], [0, -1, 1], [0, 0, 0]]]]),  # horizontal edge
               requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)

    y = F.conv2d(x, w, b)
    assert y.shape[2:] == conv_output_size((4, 4), 3)  # (4 - 3) / 1 + 1 = 2
    show("input x", x.data)
    show("filters w", w.data)
    show("output y = conv2d(x, w)", y.data)

    gy = np.array([[[[-4.0, -4], [10, 11]], [[1, -7], [1, -11]]]])
    y.backward(Tensor(gy))
    show("output gradient dL/dy", gy)
    show("input gradient dL/dx", x.grad.data)
    show("weight gradient dL/dw", w.grad.data)
    print("bias gradient dL/db:", b.grad.tolist())

    # dL/dx by hand: every output pixel (h, v) stamps gy[o, h, v] * w[o] onto the input
    # window it read. Summing the stamps is what conv_transpose2d computes.
    stamps = np.zeros((4, 4))
    for o in range(2):
        for h in range(2):
            for v in range(2):
                stamps[h : h + 3, v : v + 3] += gy[0, o, h, v] * w.data[o, 0]
    transposed = F.conv_transpose2d(Tensor(gy), w).data
    assert np.array_equal(stamps, x.grad.data[0, 0])
    assert np.array_equal(transposed, x.grad.data)
    expected = [[0, 0, 0, 0], [0, -5, 4, -7], [0, 13, 27, -11], [0, -10, -11, 0]]
    assert x.grad.data[0, 0].tolist() == expected
    print("dL/dx = the sum of stamps = conv_transpose2d(dL/dy, w): checked")


if __name__ == "__main__":
    main()
