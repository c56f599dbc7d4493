"""Monitor: which logged number a callback watches, and what counts as an improvement of it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

MODES = ("auto", "min", "max")


class Monitor:
    """A watched entry of the epoch logs (`val_loss`, `accuracy`, ...), Keras's rules.

    `mode="auto"` watches for a maximum when the name holds "acc" (accuracies) and for a
    minimum otherwise (losses). A value improves on the best so far when it is better by more
    than `min_delta`; the first value always improves.

    Args:
        owner: the callback, the start of every message.
        name: the key of the epoch logs to watch.
        mode: "auto", "min" or "max".
        min_delta: how much better a value must be to count as an improvement (>= 0).

    Raises:
        TypeError: when `name` is not a string.
        ValueError: for an unknown mode or a negative or non-finite min_delta.
    """

    def __init__(self, owner: str, name: str, mode: str = "auto", min_delta: float = 0.0):
        if not isinstance(name, str):
            raise TypeError(f"{owner}: monitor must be the name of a logged value, got {name!r}")
        if mode not in MODES:
            raise ValueError(f"{owner}: mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not (math.isfinite(min_delta) and min_delta >= 0):
            raise ValueError(f"{owner}: min_delta must be a finite number >= 0, got {min_delta}")
        self.owner, self.name, self.min_delta = owner, name, float(min_delta)
        self.mode = mode if mode != "auto" else ("max" if "acc" in name else "min")
        self.best: float | None = None

    def check(self, log_names: Sequence[str]) -> None:
        """Refuse, before the first epoch, a name the epoch logs will not have.

        Raises:
            ValueError: naming the monitor and the names there are.
        """
        if self.name not in log_names:
            hint = " (val_* needs validation_data or validation_split)" \
                if self.name.startswith("val_") else ""
            raise ValueError(f"{self.owner}: monitor={self.name!r} is not logged{hint}; the "
                             f"logs hold {', '.join(log_names)}")

    def improves(self, value: float, reference: float | None = None) -> bool:
        """True when `value` beats `reference` (default: the best so far) by more than
        min_delta; always True against no reference."""
        reference = self.best if reference is None else reference
        if reference is None:
            return True
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def value(self, logs: Mapping[str, float]) -> float:
        """The watched value in an epoch's logs."""
        return float(logs[self.name])

    def reset(self) -> None:
        """Forget the best value, for a new run."""
        self.best = None
