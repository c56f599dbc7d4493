"""Reading the graph a loss recorded: its ops in the order they ran, and which of them were
applied to the model's output (through indexing, reshaping, clamping or an added constant)."""

from __future__ import annotations

from collections.abc import Iterable

from tinygrad_cnn.autograd import Context, graph, scope_path
from tinygrad_cnn.ops import elementwise, movement
from tinygrad_cnn.tensor import Tensor

# Ops whose result holds the same values as an input, or those values moved by a constant: a
# log of their result is a log of the input.
PASS_THROUGH = (movement.Index, movement.Reshape, movement.Permute, movement.Expand,
                elementwise.Cast, elementwise.Clip, elementwise.Maximum, elementwise.Minimum,
                elementwise.Add, elementwise.Sub)


def recorded_ops(result: Tensor) -> list[Context]:
    """The ops recorded on the way to `result`, each after the ops it used."""
    return [t.grad_fn for t in graph.post_order([result])]


def applied_to(ops: Iterable[Context], output: Tensor, kinds: tuple[type, ...]) -> list[Context]:
    """The ops of `kinds` among `ops` whose input is `output`, up to `PASS_THROUGH` ops."""
    return [node for node in ops if issubclass(node.op, kinds)
            and any(_reaches(t, output) for t in node.inputs)]


def _reaches(t: Tensor, output: Tensor) -> bool:
    # A result is known by the op that made it: after a backward, a node holds shape-only
    # stand-ins for its inputs, not the tensors themselves (Context.release).
    made_by = output.grad_fn
    stack = [t]
    while stack:
        t = stack.pop()
        if t is output or (made_by is not None and t.grad_fn is made_by):
            return True
        node = t.grad_fn
        if node is not None and issubclass(node.op, PASS_THROUGH):
            stack.extend(node.inputs)
    return False


def where(node: Context) -> str:
    """The dotted name of the module whose forward ran the op (`shown`), or "the loss" outside
    any."""
    if not node.scope:
        return "the loss"
    return shown(scope_path(node.scope)) or type(node.scope[0]).__name__


def shown(name: str) -> str:
    """A dotted module name as reports show it: `layer 3` for a bare Sequential index."""
    return f"layer {name}" if name[:1].isdigit() else name
