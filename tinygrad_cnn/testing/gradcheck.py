"""Check hand-written VJPs against central differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.autograd import grad
from tinygrad_cnn.tensor import Tensor

Fn = Callable[..., Tensor | Sequence[Tensor]]


class GradcheckError(AssertionError):
    """A VJP disagrees with the finite-difference estimate."""


def _outputs(fn: Fn, inputs: Sequence[Any]) -> list[Tensor]:
    out = fn(*inputs)
    return [out] if isinstance(out, Tensor) else list(out)


def _projection(fn: Fn, inputs: Sequence[Any], cotangents: Sequence[np.ndarray]) -> float:
    """sum_i <fn(inputs)_i, v_i>: the scalar whose gradient is the VJP with v."""
    outs = _outputs(fn, inputs)
    return float(sum(np.vdot(o.data, v) for o, v in zip(outs, cotangents)))


def _numerical_grad(
    fn: Fn, inputs: Sequence[Any], target: Tensor, cotangents: Sequence[np.ndarray], eps: float
) -> np.ndarray:
    """d<fn, v>/d target by central differences, one element at a time."""
    flat = target.data.reshape(-1)
    result = np.zeros(flat.shape, dtype=np.float64)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = _projection(fn, inputs, cotangents)
        flat[i] = original - eps
        minus = _projection(fn, inputs, cotangents)
        flat[i] = original
        result[i] = (plus - minus) / (2 * eps)
    return result.reshape(target.shape)


def _check_inputs(inputs: Sequence[Any], caller: str) -> list[Tensor]:
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError(f"{caller}: no input requires grad; nothing to check")
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            raise ValueError(f"{caller}: input {i} is {t.dtype}; finite differences need float64")
        if isinstance(t, Tensor) and t.requires_grad and not t.data.flags.writeable:
            raise ValueError(f"{caller}: input {i} has read-only data; pass a writeable array")
    return checked


def gradcheck(fn: Fn, inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0) -> bool:
    """Compare the VJP of `fn` with central differences, for every input element.

    A random cotangent v is drawn for each output; the analytic gradient of <fn(x), v> from one
    backward pass is compared element by element with (f(x + eps) - f(x - eps)) / (2 eps).

    Args:
        fn: a function of `inputs` returning a Tensor or a sequence of Tensors.
        inputs: its arguments; Tensors with `requires_grad` (float64) are checked, anything
            else is passed through unchanged.
        eps: the finite-difference step.
        atol: absolute tolerance.
        rtol: relative tolerance (to the finite-difference value).
        raise_exception: raise on mismatch (default) or return False.
        seed: seed of the random cotangents.

    Returns:
        True when every element agrees within ``atol + rtol * |numerical|``.

    Raises:
        GradcheckError: naming the input, the worst element and both values.
        ValueError: when no input requires grad or a checked input is not float64.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.testing import gradcheck
        >>> x = Tensor(np.array([0.5, 2.0]), requires_grad=True)
        >>> gradcheck(lambda t: (t * t).exp(), [x])
        True
    """
    checked = _check_inputs(inputs, "gradcheck")
    rng = np.random.default_rng(seed)
    outs = _outputs(fn, inputs)
    cotangents = [rng.standard_normal(o.shape) for o in outs]
    differentiable = [o for o in outs if o.requires_grad]
    if differentiable:
        vs = [Tensor(v.astype(o.dtype)) for o, v in zip(outs, cotangents) if o.requires_grad]
        analytic = grad(differentiable, checked, vs, allow_unused=True)
    else:
        analytic = (None,) * len(checked)
    for index, (t, g) in enumerate(zip(checked, analytic)):
        numerical = _numerical_grad(fn, inputs, t, cotangents, eps)
        got = np.zeros(t.shape) if g is None else g.data
        if not _report(index, got, numerical, atol, rtol, raise_exception):
            return False
    return True


def _report(
    index: int, analytic: np.ndarray, numerical: np.ndarray, atol: float, rtol: float,
    raise_exception: bool,
) -> bool:
    excess = np.abs(analytic - numerical) - (atol + rtol * np.abs(numerical))
    if excess.size == 0 or excess.max() <= 0:
        return True
    worst = np.unravel_index(int(np.argmax(excess)), excess.shape)
    if raise_exception:
        raise GradcheckError(
            f"gradcheck: gradient of input {index} (shape {analytic.shape}) is wrong at element "
            f"{tuple(int(i) for i in worst)}: analytic {float(analytic[worst])!r} vs "
            f"numerical {float(numerical[worst])!r} (atol={atol}, rtol={rtol})"
        )
    return False


def gradgradcheck(fn: Fn, inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of the VJP of `fn`, as a function of x and v.

    Args, Returns and Raises as `gradcheck`; the cotangents v are drawn from `seed` and checked
    too, so the check covers the VJP's dependence on both the inputs and the output gradient.
    """
    checked = _check_inputs(inputs, "gradgradcheck")
    rng = np.random.default_rng(seed + 1)
    outs = _outputs(fn, inputs)
    vs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    positions = [i for i, t in enumerate(inputs) if any(t is c for c in checked)]

    def vjp(*args: Any) -> list[Tensor]:
        xs, cots = list(args[: len(inputs)]), args[len(inputs) :]
        results = _outputs(fn, xs)
        pairs = [(o, v) for o, v in zip(results, cots) if o.requires_grad]
        grads = grad([o for o, _ in pairs], [xs[i] for i in positions], [v for _, v in pairs],
                     create_graph=True, allow_unused=True)
        return [g for g in grads if g is not None]

    return gradcheck(vjp, [*inputs, *vs], eps, atol, rtol, raise_exception, seed)
