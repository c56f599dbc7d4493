"""Grad mode, anomaly mode and the running module: the global switches ops consult."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

enabled = True
anomaly = False
# The modules whose forward is running, outermost first.
scope: tuple[Any, ...] = ()


def is_grad_enabled() -> bool:
    """Return True when new ops are recorded for backward."""
    return enabled


def current_scope() -> tuple[Any, ...]:
    """The modules whose forward is running now, outermost first."""
    return scope


class _GradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets grad mode and restores it on exit."""

    mode: bool

    def __enter__(self) -> None:
        global enabled
        self._previous = enabled
        enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global enabled
        enabled = self._previous


class no_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """Run without recording ops: results do not require grad.

    Examples:
        >>> from tinygrad_cnn import Tensor, no_grad
        >>> x = Tensor([1.0], requires_grad=True)
        >>> with no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    mode = False


class enable_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """Record ops again inside a `no_grad` region."""

    mode = True


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first op whose forward result or gradient holds NaN or Inf.

    The error names the op and, where the op ran inside a module's forward, the module.
    """
    global anomaly
    previous = anomaly
    anomaly = True
    try:
        yield
    finally:
        anomaly = previous


@contextlib.contextmanager
def module_scope(module: Any) -> Iterator[None]:
    """Mark ops recorded inside the block as belonging to `module` (used by `Module.__call__`)."""
    global scope
    previous = scope
    scope = (*previous, module)
    try:
        yield
    finally:
        scope = previous
