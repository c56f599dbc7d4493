"""The guard every explanation runs in: eval mode and frozen parameters, restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tinygrad_cnn.nn import Module
from tinygrad_cnn.nn.modes import evaluating


@contextmanager
def inspecting(model: Module, op: str) -> Iterator[Module]:
    """Run the body with `model` in eval mode and no parameter requiring grad.

    With the parameters frozen, a backward computes the one gradient asked for (of the input,
    or of an activation) and no weight gradient; ops before that tensor record nothing. Each
    module's mode and each parameter's flag are put back one by one, on error too, so a model
    with a frozen part, or a BatchNorm kept in eval mode while the rest trains, stays so.

    Raises:
        TypeError: when `model` is not a Module.
    """
    if not isinstance(model, Module):
        raise TypeError(f"{op}: model must be a Module, got {type(model).__name__}")
    flags = [(p, p.requires_grad) for p in model.parameters()]
    with evaluating(model):
        try:
            for p, _ in flags:
                p.requires_grad = False
            yield model
        finally:
            for p, flag in flags:
                p.requires_grad = flag
