"""The recorded graph behind some tensors, walked iteratively into ordered lists of nodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tinygrad_cnn.autograd import Context
    from tinygrad_cnn.tensor import Tensor


@dataclass(eq=False)
class OpNode:
    """One recorded op: its context, the tensor nodes it reads and the one it makes."""

    ctx: Context
    id: str
    inputs: list[TensorNode] = field(default_factory=list)
    output: TensorNode | None = None


@dataclass(eq=False)
class TensorNode:
    """One tensor: a leaf (`producer` None) or the result of an op; `consumers` read it."""

    tensor: Tensor
    id: str
    producer: OpNode | None = None
    consumers: list[OpNode] = field(default_factory=list)
    is_output: bool = False


@dataclass
class Walk:
    """The graph in data-flow order: every node after the nodes it reads."""

    tensors: list[TensorNode]
    ops: list[OpNode]


def _key(t: Tensor) -> tuple[str, int]:
    # An op's result may exist as several Tensor objects (saved outputs are rewrapped), so
    # results are known by their op and leaves by themselves.
    return ("op", id(t.grad_fn)) if t.grad_fn is not None else ("leaf", id(t))


def walk(outputs: tuple[Tensor, ...]) -> Walk:
    """Every tensor and op the outputs depend on, inputs first, numbered in that order.

    An iterative depth-first post-order from the outputs: linear in the size of the graph, no
    recursion limit, and the same program always gives the same order and the same ids.
    """
    order: list[Tensor] = []
    state: dict[tuple[str, int], bool] = {}  # False while expanding, True once placed
    stack: list[tuple[Tensor, bool]] = [(t, False) for t in reversed(outputs)]
    while stack:
        t, expanded = stack.pop()
        key = _key(t)
        if expanded:
            state[key] = True
            order.append(t)
            continue
        if key in state:
            continue
        state[key] = False
        stack.append((t, True))
        if t.grad_fn is not None:
            for inp in reversed(t.grad_fn.inputs):
                if _key(inp) not in state:
                    stack.append((inp, False))

    tensors: dict[tuple[str, int], TensorNode] = {}
    ops: list[OpNode] = []
    for t in order:
        node = TensorNode(t, f"t{len(tensors)}")
        if t.grad_fn is not None:
            op = OpNode(t.grad_fn, f"op{len(ops)}", output=node)
            op.inputs = [tensors[_key(inp)] for inp in t.grad_fn.inputs]
            for inp in op.inputs:
                if not inp.consumers or inp.consumers[-1] is not op:
                    inp.consumers.append(op)
            node.producer = op
            ops.append(op)
        tensors[_key(t)] = node
    for t in outputs:
        tensors[_key(t)].is_output = True
    return Walk(list(tensors.values()), ops)
