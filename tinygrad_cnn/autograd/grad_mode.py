"""Grad mode, anomaly mode, the running module, value watching and shape-only runs: the
switches ops consult.

Each switch is per thread, as PyTorch's are: a `no_grad` block or a backward in one thread
never changes what another thread records. A new thread starts with grad enabled, anomaly
detection off, no module running, no backward running, no watcher and real (not shape-only)
evaluation.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any


class Switches:
    """The switches of one thread, with every new thread's start values."""

    __slots__ = ("anomaly", "backward_of", "enabled", "observer", "scope", "shapes_only", "watch")

    def __init__(self) -> None:
        self.enabled = True
        self.anomaly = False
        # The modules whose forward is running, outermost first.
        self.scope: tuple[Any, ...] = ()
        # Called as watch(tensor, what) when the values of a watched tensor are read, e.g. by
        # `.item()`; set by shape-only runs and ONNX tracing (see `watching`).
        self.watch: Callable[[Any, str], None] | None = None
        # Ops compute shapes and dtypes alone (`tinygrad_cnn.eval_shape`).
        self.shapes_only = False
        # Told of every module call and op of a shape-only run: `enter(module, args)`,
        # `exit(module, output)` and `op(ctx, output)` (summary and draw_model listen).
        self.observer: Any = None
        # The node whose VJP this thread is running, so anomaly errors can say which backward
        # produced them.
        self.backward_of: Any = None


class PerThread(threading.local):
    """`per_thread.switches` is the calling thread's `Switches`."""

    def __init__(self) -> None:  # runs in each thread on its first use
        self.switches = Switches()


# Function.apply consults the switches for every op: one thread-local lookup
# (`per_thread.switches`), then plain slot reads.
per_thread = PerThread()


def switches() -> Switches:
    """This thread's switches."""
    return per_thread.switches


def is_grad_enabled() -> bool:
    """Return True when new ops are recorded for backward (in this thread)."""
    return per_thread.switches.enabled


def current_scope() -> tuple[Any, ...]:
    """The modules whose forward is running now in this thread, outermost first."""
    return per_thread.switches.scope


class _GradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets grad mode and restores it on exit.

    One instance may be entered by several threads at once, and re-entered: each thread keeps
    its own stack of the modes to restore. A decorated generator function runs each of its
    steps in the mode, as PyTorch's does, not only the call that makes the generator.
    """

    mode: bool

    def __init__(self) -> None:
        self._previous = threading.local()

    def _recreate_cm(self) -> _GradMode:
        return type(self)()  # a fresh one per decorated call: recursion and threads nest safely

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isgeneratorfunction(fn):
            return _each_step_in(type(self), fn)
        return super().__call__(fn)

    def __enter__(self) -> None:
        own = switches()
        self._previous.__dict__.setdefault("modes", []).append(own.enabled)
        own.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        switches().enabled = self._previous.modes.pop()


def _each_step_in(mode: Callable[[], _GradMode], fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, a generator function, with every step of its generators run inside `mode()`."""

    @functools.wraps(fn)
    def steps(*args: Any, **kwargs: Any) -> Any:
        generator = fn(*args, **kwargs)
        step = functools.partial(generator.send, None)
        while True:
            try:
                with mode():
                    value = step()
            except StopIteration as end:
                return end.value
            try:
                sent = yield value
            except GeneratorExit:
                with mode():
                    generator.close()
                raise
            except BaseException as error:  # thrown into us: pass it on, in the mode
                step = functools.partial(generator.throw, error)
            else:
                step = functools.partial(generator.send, sent)

    return steps


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
def switched(**values: Any) -> Iterator[Switches]:
    """Set some of this thread's switches for the block (by name), restoring them after."""
    own = switches()
    previous = {name: getattr(own, name) for name in values}
    for name, value in values.items():
        setattr(own, name, value)
    try:
        yield own
    finally:
        for name, value in previous.items():
            setattr(own, name, value)


def detect_anomaly() -> contextlib.AbstractContextManager[Switches]:
    """Raise at the first op whose forward result or gradient holds NaN or Inf, and at a
    backward through a saved array that was written in place (even by ``t.data[...] = x``).

    The error names the op and, where the op ran inside a module's forward, the module.
    """
    return switched(anomaly=True)


class module_scope:  # noqa: N801 (a context manager used like a function)
    """Mark ops recorded inside the block as belonging to `module` (used by `Module.__call__`,
    for every module call, so it is a plain class rather than a generator)."""

    __slots__ = ("module", "previous", "switches")

    def __init__(self, module: Any):
        self.module = module

    def __enter__(self) -> None:
        self.switches = per_thread.switches
        self.previous = self.switches.scope
        self.switches.scope = (*self.previous, self.module)

    def __exit__(self, *exc: object) -> None:
        self.switches.scope = self.previous


def watching(watch: Callable[[Any, str], None]) -> contextlib.AbstractContextManager[Switches]:
    """Call `watch(tensor, what)` whenever the values of a watched tensor leave the graph in
    the block (`.data`, `.item()`, `.numpy()`, `.tolist()`, `bool()`); tensors made by ops
    from watched tensors are watched too."""
    return switched(watch=watch)


def values_read(t: Any, what: str) -> None:
    """Tell this thread's watcher (see `watching`) that `what` reads a watched tensor's values."""
    watch = per_thread.switches.watch
    if watch is not None:
        watch(t, what)


def evaluating_shapes() -> bool:
    """True inside a shape-only run, where tensors have shapes but no values: layers skip
    their side effects (running statistics, dropout masks) there."""
    return per_thread.switches.shapes_only
