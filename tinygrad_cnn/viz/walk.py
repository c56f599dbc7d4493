"""The picture's nodes: every tensor and op behind some tensors, numbered in data-flow order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tinygrad_cnn.autograd import graph

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


def walk(outputs: tuple[Tensor, ...]) -> Walk:
    """Every tensor and op the outputs depend on, inputs first, numbered in that order
    (`graph.post_order`, leaves included), so the same program always gives the same ids."""
    order = graph.post_order(outputs, leaves=True)
    tensors: dict[int, TensorNode] = {}
    ops: dict[int, OpNode] = {}  # id(node) -> its op
    for t in order:
        node = TensorNode(t, f"t{len(tensors)}")
        if t.grad_fn is not None:
            op = OpNode(t.grad_fn, f"op{len(ops)}", output=node)
            op.inputs = [tensors[graph.key(inp)] for inp in t.grad_fn.inputs]
            node.producer = ops[id(t.grad_fn)] = op
        tensors[graph.key(t)] = node
    for k, readers in graph.readers(order).items():
        tensors[k].consumers = [ops[id(reader)] for reader in readers]
    for t in outputs:
        tensors[graph.key(t)].is_output = True
    return Walk(list(tensors.values()), list(ops.values()))
