"""A model held in evaluation mode for a block, each module's own mode put back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tinygrad_cnn.nn.module import Module


@contextmanager
def evaluating(model: Module) -> Iterator[Module]:
    """Run the body with `model` in eval mode, then give each module back its own mode.

    Module by module, on error too: a model with a BatchNorm kept in eval mode while the rest
    trains stays so, where `model.train(was_training)` would set every module alike.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
        >>> with evaluating(model):
        ...     model[1].training
        False
        >>> model[1].training
        True
    """
    modes = [(module, module.training) for module in model.modules()]
    try:
        yield model.eval()
    finally:
        for module, training in modes:
            module.training = training
