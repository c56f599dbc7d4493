"""A check several layers' constructors share: a positive int, or an error naming the layer."""

from __future__ import annotations

from typing import Any


def positive_int(layer: str, name: str, value: Any) -> int:
    """`value` as an int, or a ValueError naming the layer and the argument."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return value
