"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.optim.optimizer import Optimizer, ParamGroup, Params


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), with PyTorch's update rule.

    With $g_t$ the gradient (negated if `maximize`) and $\lambda$ the weight decay:

        g_t <- g_t + λ θ_{t-1}                    (Adam: L2 penalty in the gradient)
        θ_{t-1} <- θ_{t-1} (1 - lr λ)             (AdamW: decoupled decay, instead)
        m_t = β1 m_{t-1} + (1 - β1) g_t
        v_t = β2 v_{t-1} + (1 - β2) g_t²
        v̂_t = max(v̂_{t-1}, v_t) if amsgrad else v_t
        θ_t = θ_{t-1} - lr / (1 - β1^t) · m_t / (sqrt(v̂_t) / sqrt(1 - β2^t) + ε)

    Args:
        params: Tensors to optimise, or dicts defining parameter groups.
        lr: learning rate.
        betas: decay rates (β1, β2) of the first and second moment averages, each in [0, 1).
        eps: ε added to the denominator for numerical stability.
        weight_decay: λ, as an L2 penalty added to the gradient.
        amsgrad: normalise by the running maximum of the second moment (AMSGrad).
        maximize: maximise the objective instead of minimising it.

    Raises:
        ValueError: for a negative lr, eps or weight_decay, or a beta outside [0, 1) (and the
            parameter errors of `Optimizer`).

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.optim import Adam
        >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> np.round(w.data, 6).tolist()  # the first step moves each weight by about lr
        [0.9, -1.9]
    """

    _scalar_state = ("step",)
    _array_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    _required_state = ("step", "exp_avg", "exp_avg_sq")
    _decoupled_weight_decay = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: ParamGroup) -> None:
        self._check_nonnegative(group, "lr", "eps", "weight_decay")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{self._name}: invalid betas={betas!r}; expected a pair of floats")
        for i, beta in enumerate(betas):
            self._check_number(f"betas[{i}]", beta)
            if not 0 <= beta < 1:
                raise ValueError(
                    f"{self._name}: invalid betas[{i}]={beta!r} in betas={betas!r}; "
                    "must be in [0, 1)"
                )
        group["betas"] = tuple(betas)

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_avg_sq": np.zeros_like(param)}

    def _update(
        self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup
    ) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), group["weight_decay"]
        beta1, beta2 = (float(beta) for beta in group["betas"])
        state["step"] += 1
        step = state["step"]
        if self._decoupled_weight_decay:
            if weight_decay != 0:
                param *= 1 - lr * weight_decay
            grad = self._effective_grad(param, grad, 0, group["maximize"])
        else:
            grad = self._effective_grad(param, grad, weight_decay, group["maximize"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        tmp = self._scratch(param, 1)
        exp_avg += np.multiply(np.subtract(grad, exp_avg, out=tmp), 1 - beta1, out=tmp)  # lerp
        exp_avg_sq *= beta2
        exp_avg_sq += np.multiply(np.multiply(grad, grad, out=tmp), 1 - beta2, out=tmp)
        # Python floats, so the float32 arrays they scale stay float32.
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        second = exp_avg_sq
        if group["amsgrad"]:
            second = self._buffer(state, "max_exp_avg_sq", param)
            np.maximum(second, exp_avg_sq, out=second)
        denom = np.sqrt(second, out=tmp)
        denom /= bias_correction2_sqrt
        denom += eps
        update = np.divide(exp_avg, denom, out=tmp)
        update *= -step_size
        param += update


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    Before the Adam step, the weights shrink, $\theta \leftarrow \theta (1 - lr\,\lambda)$,
    instead of $\lambda \theta$ being added to the gradient; see `Adam` for the rest.

    Args:
        params: Tensors to optimise, or dicts defining parameter groups.
        lr: learning rate.
        betas: decay rates (β1, β2) of the first and second moment averages, each in [0, 1).
        eps: ε added to the denominator for numerical stability.
        weight_decay: λ, the decoupled decay rate (scaled by lr).
        amsgrad: normalise by the running maximum of the second moment (AMSGrad).
        maximize: maximise the objective instead of minimising it.

    Raises:
        ValueError: as `Adam`.
    """

    _decoupled_weight_decay = True

    def __init__(self, params: Params, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
