"""Ctrl-C in a training loop: held until the current step is done, so none stops half-way."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def held_interrupts() -> Iterator[Callable[[], None]]:
    """Within, a first Ctrl-C (SIGINT) is held; the function yielded raises it where called.

    Without this, KeyboardInterrupt comes between any two bytecodes: in the middle of an
    optimiser step it leaves some parameters updated and others not. Called between steps,
    the function yielded raises `KeyboardInterrupt` if a Ctrl-C came since. A second Ctrl-C
    raises at once, as usual, for a user who does not want to wait for the step.

    Only the main thread receives signals, and a program may have set its own handler: in
    both cases SIGINT is left alone and the function yielded does nothing.

    Examples:
        >>> with held_interrupts() as stop_if_interrupted:
        ...     for step in range(3):
        ...         stop_if_interrupted()  # no Ctrl-C came: nothing happens
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield lambda: None
        return
    held: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if held:
            raise KeyboardInterrupt
        held.append(signum)

    def stop_if_interrupted() -> None:
        if held:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, hold)
    try:
        yield stop_if_interrupted
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
