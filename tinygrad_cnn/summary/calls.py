"""What one shape-only run of a model did: its module calls, nested, and every op inside them.

A `Recorder` listens to a shape-only run (`abstract.run(..., observer=recorder)`): each
module call becomes a `Call` (its dotted name, depth, inputs, output and the calls inside it)
and each op an `OpCall` in the innermost call running it, with its multiply-accumulates and
the receptive field of what it made (the rules of `op_rules`). `summary` makes its table from
the calls and `viz.draw_model` its picture from the ops' inputs and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tinygrad_cnn.autograd import Context, abstract
from tinygrad_cnn.summary.op_rules import Field, macs, receptive_field
from tinygrad_cnn.tensor import Tensor


@dataclass(eq=False)
class OpCall:
    """One op of the run: its node (op, inputs, attributes), its output and where it ran."""

    ctx: Context
    output: Tensor
    call: Call | None
    macs: int


@dataclass(eq=False)
class Call:
    """One call of a module: where it sits, what went in and out, and what ran inside."""

    module: Any
    name: str
    depth: int
    parent: Call | None
    inputs: tuple[Any, ...]
    output: Any = None
    children: list[Call] = field(default_factory=list)
    ops: list[OpCall] = field(default_factory=list)
    own_macs: int = 0  # of the ops run here, outside the calls inside
    total_macs: int = 0  # with those of the calls inside
    field: Field | None = None  # of the output, when it is one image tensor


def record(model: Any, input_shape: Any, caller: str) -> Recorder:
    """Run `model` once by shape on an input of `input_shape` (one shape, or a list of shapes
    for several inputs) and return what it did; errors start with `caller`."""
    inputs = _inputs(input_shape, caller)
    recorder = Recorder(model)
    try:
        recorder.output = abstract.run(model, inputs, observer=recorder)
    except (ValueError, NotImplementedError) as error:
        raise type(error)(f"{caller}: {error}") from None
    recorder.inputs = inputs
    return recorder


def _inputs(input_shape: Any, caller: str) -> list[Any]:
    """One shape-only input per positional argument: one shape, or a list of them."""
    several = isinstance(input_shape, list) and not abstract.is_shape(input_shape)
    shapes = list(input_shape) if several else [input_shape]
    for shape in shapes:
        if abstract.is_shape(shape) and (not shape or min(shape) < 1):
            raise ValueError(f"{caller}: input_shape must be positive ints, got {input_shape!r}")
        if not abstract.is_shape(shape) and not isinstance(shape, (dict, tuple, list)):
            raise ValueError(f"{caller}: input_shape must be a shape or a list of shapes, got "
                             f"{input_shape!r}")
    return [abstract.to_abstract(shape) for shape in shapes]


class Recorder:
    """The observer of a shape-only run (see `grad_mode.Switches.observer`).

    Attributes:
        calls: every module call, in the order they started.
        ops: every op, in the order they ran.
        inputs: the run's inputs (tensors without values), once `record` ran it.
        output: what the model returned.
    """

    def __init__(self, model: Any):
        self.model = model
        self.calls: list[Call] = []
        self.ops: list[OpCall] = []
        self.inputs: list[Any] = []
        self.output: Any = None
        self.fields: dict[int, Field | None] = {}
        self._open: list[Call] = []
        self._seen: dict[int, int] = {}  # id(module) -> how many calls so far
        self._names = {id(m): name for name, m in model.named_modules()}

    def enter(self, module: Any, args: tuple[Any, ...]) -> None:
        parent = self._open[-1] if self._open else None
        if parent is None:
            for t in _tensors(args):  # the model's inputs: each pixel sees itself
                spatial = t.ndim - 2
                self.fields.setdefault(id(t), ((1,) * spatial, (1.0,) * spatial)
                                       if spatial > 0 else None)
        call = Call(module, self._name(parent, module), len(self._open), parent, args)
        if parent is not None:
            parent.children.append(call)
        self.calls.append(call)
        self._open.append(call)

    def exit(self, module: Any, output: Any) -> None:
        call = self._open.pop()
        call.output = output
        call.total_macs = call.own_macs + sum(child.total_macs for child in call.children)
        if isinstance(output, Tensor):
            call.field = self.fields.get(id(output))

    def op(self, ctx: Context, output: Tensor) -> None:
        call = self._open[-1] if self._open else None
        record = OpCall(ctx, output, call, macs(ctx, output))
        self.ops.append(record)
        if call is not None:
            call.ops.append(record)
            call.own_macs += record.macs
        self.fields[id(output)] = receptive_field(ctx, output, self.fields)

    def _name(self, parent: Call | None, module: Any) -> str:
        """The dotted name, as in `named_modules()` (`blocks.0.conv1`); a module called but
        not registered (the models' Flatten) is named by its type under the caller's
        name. A second call of a module is `fc (call 2)`."""
        key = self._names.get(id(module))
        if key is None:
            kind = type(module).__name__.lower()
            caller = parent.name.split(" (call")[0] if parent is not None else ""
            key = f"{caller}.{kind}" if caller else kind
        count = self._seen[id(module)] = self._seen.get(id(module), 0) + 1
        return key if count == 1 else f"{key} (call {count})"


def _tensors(value: Any) -> list[Tensor]:
    """The tensors in a value (a tensor, or lists, tuples and dicts of them)."""
    if isinstance(value, Tensor):
        return [value]
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (dict, list, tuple)):
        return [t for item in items for t in _tensors(item)]
    return []
