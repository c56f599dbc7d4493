"""The kernel tests' adjoint check: <A x, y> = <x, Aᵀ y> for random arrays x and y."""

import numpy as np
import pytest


def assert_adjoint(forward, backward, shape, seed=0):
    """Assert that `backward` is the adjoint of the linear map `forward` on arrays of `shape`:
    it adds each value of y back where `forward` read it from. Returns Aᵀ y."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    y = forward(x)
    c = rng.standard_normal(np.shape(y))
    back = backward(c)
    assert back.shape == tuple(shape)
    assert np.vdot(y, c) == pytest.approx(np.vdot(x, back), rel=1e-12, abs=1e-12)
    return back
