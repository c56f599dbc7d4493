"""Forward hooks that keep some layers' outputs for one forward pass, removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from tinygrad_cnn.nn import Module
from tinygrad_cnn.tensor import Tensor


class Captured:
    """What the hooks saw: every output of each named layer, in call order."""

    def __init__(self, op: str, names: list[str]):
        self.op = op
        self.outputs: dict[str, list[Any]] = {name: [] for name in names}

    def one(self, name: str) -> Tensor:
        """The output of `name`, which must have run exactly once and returned a Tensor.

        Raises:
            ValueError: when the layer did not run, ran more than once, or returned no Tensor.
        """
        seen = self.outputs[name]
        if not seen:
            raise ValueError(f"{self.op}: layer {name!r} did not run in the model's forward")
        if len(seen) > 1:
            raise ValueError(f"{self.op}: layer {name!r} ran {len(seen)} times in one forward "
                             "(a module used twice); pick a layer that runs once")
        if not isinstance(seen[0], Tensor):
            raise ValueError(f"{self.op}: layer {name!r} returned a {type(seen[0]).__name__}, "
                             "not a Tensor")
        return seen[0]


def _keep(store: list[Any], as_leaf: bool, module: Module, args: Any, output: Any) -> Any:
    # Checks wait for `Captured.one`: an error raised here would come out of the model's
    # forward with the enclosing modules' names in front, as if the model were at fault.
    if as_leaf and isinstance(output, Tensor):
        output = output.detach().requires_grad_()
    store.append(output)
    return output if as_leaf else None


@contextmanager
def capturing(op: str, layers: dict[str, Module], as_leaf: bool = False) -> Iterator[Captured]:
    """Keep the outputs of `layers` (name -> module) while the body runs.

    Args:
        op: the caller, for messages.
        layers: the modules to watch, by dotted name.
        as_leaf: replace each output by a detached copy that requires grad, so that the rest
            of the forward records from there on and `autograd.grad` can reach it.
    """
    captured = Captured(op, list(layers))
    handles = []
    try:
        for name, module in layers.items():
            hook = partial(_keep, captured.outputs[name], as_leaf)
            handles.append(module.register_forward_hook(hook))
        yield captured
    finally:
        for handle in handles:
            handle.remove()
