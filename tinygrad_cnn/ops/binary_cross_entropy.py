"""Binary cross-entropy of probabilities as one primitive, with PyTorch's clamped logs, so the
loss and its gradient stay finite where a probability is exactly 0 or 1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tinygrad_cnn.autograd import Context, Function, ShapeDtype

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor

LOG_FLOOR = -100.0  # each log is clamped here (PyTorch's), so log(0) costs 100, not inf
EPS = 1e-12  # the floor of p (1 - p) in the gradient (PyTorch's)


class BinaryCrossEntropy(Function):
    """y = -(t max(log p, -100) + (1 - t) max(log(1 - p), -100)), elementwise."""

    name = "binary_cross_entropy"

    @staticmethod
    def abstract_eval(p: ShapeDtype, t: ShapeDtype) -> ShapeDtype:
        return p

    @staticmethod
    def forward(ctx: Context, p: np.ndarray, t: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(p, t)
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped
            log_p = np.maximum(np.log(p), LOG_FLOOR)
            log_not_p = np.maximum(np.log1p(-p), LOG_FLOOR)
        return -(t * log_p + (1 - t) * log_not_p)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        p, t = ctx.saved_tensors
        gp = gt = None
        if ctx.needs_input_grad[0]:
            # dy/dp = (p - t) / (p (1 - p)), its denominator floored, so p = 0 or 1 gives a
            # large finite slope (which a saturated sigmoid before it multiplies by 0)
            gp = grad * (p - t) / (p * (1 - p)).clip(min=EPS)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                log_p = p.log().clip(min=LOG_FLOOR)
                log_not_p = (1 - p).log().clip(min=LOG_FLOOR)
            gt = grad * (log_not_p - log_p)  # dy/dt of the clamped loss: finite everywhere
        return gp, gt
