"""Tools for testing ops: gradient checks here, hypothesis strategies in `strategies`."""

from tinygrad_cnn.testing.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]
