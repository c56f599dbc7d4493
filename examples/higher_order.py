"""Second derivatives: a Hessian-vector product without ever forming the Hessian."""

import numpy as np

from tinygrad_cnn import Tensor
from tinygrad_cnn.autograd import grad


def rosenbrock(x: Tensor) -> Tensor:
    """f(x) = sum 100 (x[i+1] - x[i]²)² + (1 - x[i])²."""
    head, tail = x[:-1], x[1:]
    return (100 * (tail - head * head) ** 2 + (1 - head) ** 2).sum()


def hessian_vector_product(f, x: Tensor, v: Tensor) -> Tensor:
    """H(x) v = d/dx <df/dx, v>: one backward with create_graph, then one more."""
    (g,) = grad(f(x), x, create_graph=True)
    (hv,) = grad((g * v).sum(), x)
    return hv


def main() -> None:
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    v = Tensor(np.array([1.0, 0.0, -1.0]))
    hv = hessian_vector_product(rosenbrock, x, v)
    # The exact Hessian of Rosenbrock for comparison (3 variables).
    a, b, c = x.data
    hessian = np.array([
        [1200 * a**2 - 400 * b + 2, -400 * a, 0],
        [-400 * a, 200 + 1200 * b**2 - 400 * c + 2, -400 * b],
        [0, -400 * b, 200],
    ])
    print("H v by autograd:", hv.data)
    print("H v exactly:    ", hessian @ v.data)
    assert np.allclose(hv.data, hessian @ v.data)


if __name__ == "__main__":
    main()
