"""Define a new primitive op with its own VJP, check it with gradcheck, and use it."""

import numpy as np

from tinygrad_cnn import Tensor, eval_shape
from tinygrad_cnn.autograd import Context, Function, ShapeDtype
from tinygrad_cnn.testing import gradcheck, gradgradcheck


class Softplus(Function):
    """y = log(1 + exp(x)), computed stably as max(x, 0) + log1p(exp(-|x|))."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * x.sigmoid()  # d softplus(x) / dx = sigmoid(x)

    @staticmethod
    def abstract_eval(x: ShapeDtype) -> ShapeDtype:
        return x  # the output's shape and dtype are the input's


def softplus(x: Tensor) -> Tensor:
    """Softplus as a function of tensors."""
    return Softplus.apply(x)


def main() -> None:
    x = Tensor(np.linspace(-3.0, 3.0, 7), requires_grad=True)
    print("gradcheck:", gradcheck(softplus, [x]))
    print("gradgradcheck:", gradgradcheck(softplus, [x]))  # sigmoid is itself differentiable
    y = softplus(x).sum()
    y.backward()
    print("softplus(x) =", np.round(softplus(x).data, 4))
    print("d/dx        =", np.round(x.grad.data, 4))
    print("huge inputs stay finite:", softplus(Tensor([1e4, -1e4])).tolist())
    print("by shape alone:", eval_shape(softplus, (64, 10)))


if __name__ == "__main__":
    main()
