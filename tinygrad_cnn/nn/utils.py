"""Gradient clipping between `backward()` and the optimiser's `step()`: by total norm or by
value, in place, as torch.nn.utils."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinygrad_cnn.tensor import Tensor

Parameters = Tensor | Iterable[Tensor]


def _grads(parameters: Parameters) -> list[Tensor]:
    """The gradients of the parameters that have one."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def _scale_in_place(grad: Tensor, factor: float) -> None:
    data = grad.data
    if data.flags.writeable:
        np.multiply(data, np.asarray(factor, dtype=data.dtype), out=data)
    else:  # a read-only view (e.g. a broadcast gradient): give the tensor its own array
        grad.data = data * np.asarray(factor, dtype=data.dtype)


def clip_grad_norm_(parameters: Parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their total norm is at most `max_norm`.

    The total norm is the `norm_type`-norm of the vector of every gradient's norm (the norm
    of all gradients concatenated). Each gradient is multiplied in place by
    min(1, max_norm / (total_norm + 1e-6)), so their directions are kept: PyTorch's rule.

    Args:
        parameters: a Tensor or an iterable of Tensors (e.g. `model.parameters()`); those
            without a gradient are skipped.
        max_norm: the largest total norm allowed.
        norm_type: p of the p-norm; ``math.inf`` for the largest absolute value.
        error_if_nonfinite: raise when the total norm is NaN or infinite.
        foreach: accepted for PyTorch compatibility.

    Returns:
        The total norm before clipping, as a 0-d Tensor (0 when no parameter has a gradient).

    Raises:
        RuntimeError: with `error_if_nonfinite`, when the total norm is NaN or infinite.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, nn
        >>> w = Tensor(np.zeros(2), requires_grad=True)
        >>> w.grad = Tensor(np.array([3.0, 4.0]))
        >>> nn.utils.clip_grad_norm_([w], max_norm=1.0).item()
        5.0
        >>> [round(g, 6) for g in w.grad.tolist()]
        [0.6, 0.8]
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor(np.asarray(0.0, dtype=np.float32))
    p = float(norm_type)
    norms = np.array([np.linalg.norm(g.data.reshape(-1), ord=p) for g in grads])
    total = np.asarray(np.linalg.norm(norms, ord=p), dtype=grads[0].dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients is {float(total)}; pass error_if_nonfinite=False to "
                           "clip anyway")
    factor = float(max_norm) / (float(total) + 1e-6)
    if not factor >= 1.0:  # a NaN norm makes every gradient NaN, as in PyTorch
        for g in grads:
            _scale_in_place(g, factor)
    return Tensor(total)


def clip_grad_value_(parameters: Parameters, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place.

    Args:
        parameters: a Tensor or an iterable of Tensors; those without a gradient are skipped.
        clip_value: the largest absolute value kept.
        foreach: accepted for PyTorch compatibility.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor, nn
        >>> w = Tensor(np.zeros(3), requires_grad=True)
        >>> w.grad = Tensor(np.array([-5.0, 0.5, 2.0]))
        >>> nn.utils.clip_grad_value_(w, 1.0)
        >>> w.grad.tolist()
        [-1.0, 0.5, 1.0]
    """
    bound = float(clip_value)
    for g in _grads(parameters):
        if g.data.flags.writeable:
            np.clip(g.data, -bound, bound, out=g.data)
        else:
            g.data = np.clip(g.data, -bound, bound)
