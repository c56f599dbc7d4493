"""Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.optim.optimizer import Optimizer, ParamGroup, Params


class SGD(Optimizer):
    r"""Stochastic gradient descent, with PyTorch's update rule.

    With $g_t$ the gradient (negated if `maximize`), $\lambda$ the weight decay, $\mu$ the
    momentum and $\tau$ the dampening:

        g_t <- g_t + λ θ_{t-1}
        b_1 = g_1,  b_t = μ b_{t-1} + (1 - τ) g_t           (when μ != 0)
        g_t <- g_t + μ b_t  if nesterov  else  b_t         (when μ != 0)
        θ_t = θ_{t-1} - lr g_t

    The first momentum buffer is the gradient itself (not damped), as in PyTorch.

    Args:
        params: Tensors to optimise, or dicts defining parameter groups.
        lr: learning rate.
        momentum: momentum factor $\mu$.
        dampening: dampening $\tau$ of the momentum.
        weight_decay: L2 penalty $\lambda$ added to the gradient.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: maximise the objective instead of minimising it.

    Raises:
        ValueError: for a negative lr, momentum or weight_decay, or nesterov without momentum
            or with dampening (and the parameter errors of `Optimizer`).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import SGD
        >>> w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w.data.tolist()
        [0.8, 1.6]
    """

    _array_state = ("momentum_buffer",)

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: ParamGroup) -> None:
        self._check_nonnegative(group, "lr", "momentum", "weight_decay")
        self._check_number("dampening", group["dampening"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: invalid nesterov=True with momentum={group['momentum']!r} and "
                f"dampening={group['dampening']!r}; Nesterov needs momentum > 0 and dampening 0"
            )

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        lr, momentum = float(group["lr"]), float(group["momentum"])
        d_p = self._effective_grad(param, grad, group["weight_decay"], group["maximize"])
        tmp = self._scratch(param, 1)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # the first buffer is the gradient itself, undamped
                buf = state["momentum_buffer"] = np.array(d_p, dtype=param.dtype, copy=True)
            else:
                buf *= momentum
                dampening = float(group["dampening"])
                if dampening == 0:
                    buf += d_p
                else:
                    buf += np.multiply(d_p, 1 - dampening, out=tmp)
            if group["nesterov"]:
                d_p = np.add(d_p, np.multiply(buf, momentum, out=tmp), out=tmp)
            else:
                d_p = buf
        param += np.multiply(d_p, -lr, out=tmp)
