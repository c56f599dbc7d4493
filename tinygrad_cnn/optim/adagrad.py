"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.optim.optimizer import Optimizer, ParamGroup, Params


class AdaGrad(Optimizer):
    r"""AdaGrad (Duchi et al., 2011), with PyTorch's update rule (also exported as `Adagrad`).

    With $g_t$ the gradient (negated if `maximize`), $\lambda$ the weight decay, $\eta$ the
    lr decay and $s_0$ the initial accumulator value:

        g_t <- g_t + λ θ_{t-1}
        lr_t = lr / (1 + (t - 1) η)
        s_t = s_{t-1} + g_t²
        θ_t = θ_{t-1} - lr_t g_t / (sqrt(s_t) + ε)

    Args:
        params: Tensors to optimise, or dicts defining parameter groups.
        lr: learning rate.
        lr_decay: η, how fast the learning rate decays with the step count.
        weight_decay: λ, an L2 penalty added to the gradient.
        initial_accumulator_value: $s_0$, the starting value of the sum of squares.
        eps: ε added to the denominator for numerical stability.
        maximize: maximise the objective instead of minimising it.

    Raises:
        ValueError: for a negative lr, lr_decay, weight_decay, initial_accumulator_value or
            eps (and the parameter errors of `Optimizer`).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import AdaGrad
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> opt = AdaGrad([w], lr=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 6).tolist()
        [0.5, -1.5]
    """

    _scalar_state = ("step",)
    _array_state = ("sum",)
    _required_state = ("step", "sum")

    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: ParamGroup) -> None:
        self._check_nonnegative(
            group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        state["step"] += 1
        grad = self._effective_grad(param, grad, group["weight_decay"], group["maximize"])
        clr = float(group["lr"]) / (1 + (state["step"] - 1) * float(group["lr_decay"]))
        total, tmp = state["sum"], self._scratch(param, 1)
        total += np.multiply(grad, grad, out=tmp)
        std = np.sqrt(total, out=tmp)
        std += float(group["eps"])
        update = np.divide(grad, std, out=tmp)
        update *= -clr
        param += update


Adagrad = AdaGrad
