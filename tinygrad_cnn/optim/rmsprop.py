"""RMSprop: gradients scaled by a running root mean square, optionally centred and with momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.optim.optimizer import Optimizer, ParamGroup, Params


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012), with PyTorch's update rule.

    With $g_t$ the gradient (negated if `maximize`), $\lambda$ the weight decay, $\alpha$ the
    smoothing constant and $\mu$ the momentum:

        g_t <- g_t + λ θ_{t-1}
        v_t = α v_{t-1} + (1 - α) g_t²
        a_t = α a_{t-1} + (1 - α) g_t;   d_t = sqrt(v_t - a_t²) + ε     (centered)
        d_t = sqrt(v_t) + ε                                          (otherwise)
        b_t = μ b_{t-1} + g_t / d_t;     θ_t = θ_{t-1} - lr b_t          (μ > 0)
        θ_t = θ_{t-1} - lr g_t / d_t                                 (μ = 0)

    Args:
        params: Tensors to optimise, or dicts defining parameter groups.
        lr: learning rate.
        alpha: smoothing constant α of the squared-gradient average, in [0, 1].
        eps: ε added to the denominator for numerical stability.
        weight_decay: λ, an L2 penalty added to the gradient.
        momentum: momentum factor μ.
        centered: normalise by an estimate of the gradient's variance instead of its second
            moment.
        maximize: maximise the objective instead of minimising it.

    Raises:
        ValueError: for a negative lr, eps, weight_decay or momentum, or alpha outside [0, 1]
            (and the parameter errors of `Optimizer`).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import RMSprop
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.75)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 6).tolist()  # the first step is lr / sqrt(1 - alpha) = 0.02
        [0.98, -1.98]
    """

    _scalar_state = ("step",)
    _array_state = ("square_avg", "momentum_buffer", "grad_avg")
    _required_state = ("step", "square_avg")

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: ParamGroup) -> None:
        self._check_nonnegative(group, "lr", "alpha", "eps", "weight_decay", "momentum")
        if group["alpha"] > 1:
            raise ValueError(f"RMSprop: invalid alpha={group['alpha']!r}; must be in [0, 1]")

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        # The momentum and centring buffers are made on first use (see `_buffer`), so turning
        # either option on mid-run works.
        return {"step": 0, "square_avg": np.zeros_like(param)}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        lr, alpha, momentum = float(group["lr"]), float(group["alpha"]), float(group["momentum"])
        state["step"] += 1
        grad = self._effective_grad(param, grad, group["weight_decay"], group["maximize"])
        square_avg, tmp = state["square_avg"], self._scratch(param, 1)
        square_avg *= alpha
        square_avg += np.multiply(np.multiply(grad, grad, out=tmp), 1 - alpha, out=tmp)
        if group["centered"]:
            grad_avg = self._buffer(state, "grad_avg", param)
            grad_avg += np.multiply(np.subtract(grad, grad_avg, out=tmp), 1 - alpha, out=tmp)
            avg = np.sqrt(np.subtract(square_avg, np.square(grad_avg, out=tmp), out=tmp), out=tmp)
        else:
            avg = np.sqrt(square_avg, out=tmp)
        avg += float(group["eps"])
        if momentum > 0:
            buf = self._buffer(state, "momentum_buffer", param)
            buf *= momentum
            buf += np.divide(grad, avg, out=tmp)
            param += np.multiply(buf, -lr, out=tmp)
        else:
            update = np.divide(grad, avg, out=tmp)
            update *= -lr
            param += update
