"""Special functions on arrays that NumPy lacks: the error function."""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev

# erf(x) = x h(x) with h(x) = erf(x) / x, smooth and even, interpolated on [0, 6] by a
# Chebyshev series built once from math.erf (relative error of erf below 2e-14 there). Past 6,
# erf(x) rounds to ±1 in float64 (erfc(6) ≈ 2e-17).
_REACH = 6.0
_DEGREE = 45


def _ratio(t: np.ndarray) -> np.ndarray:
    """h at x = 3 (t + 1), t in [-1, 1] (the interpolation variable)."""
    x = _REACH / 2 * (np.asarray(t, dtype=np.float64) + 1)
    safe = np.where(x == 0, 1.0, x)
    erf = np.array([math.erf(v) for v in safe.ravel()]).reshape(x.shape)
    return np.where(x == 0, 2 / math.sqrt(math.pi), erf / safe)


_COEFFICIENTS = chebyshev.chebinterpolate(_ratio, _DEGREE)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function 2/√π ∫₀ˣ exp(-t²) dt, elementwise, in x's dtype.

    Examples:
        >>> import numpy as np
        >>> [round(float(v), 12) for v in erf(np.array([0.0, 0.5, -1.0, 7.0]))]
        [0.0, 0.520499877813, -0.84270079295, 1.0]
    """
    magnitude = np.minimum(np.abs(x), _REACH).astype(np.float64, copy=False)
    h = chebyshev.chebval(magnitude * (2 / _REACH) - 1, _COEFFICIENTS)
    inside = np.abs(x) <= _REACH
    # The interpolant overshoots 1 by a few ulps near the reach; erf never does.
    y = np.clip(np.where(inside, x * h, np.sign(x)), -1.0, 1.0)
    return y.astype(x.dtype, copy=False)
