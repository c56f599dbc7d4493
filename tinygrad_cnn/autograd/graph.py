"""The recorded graph: a tensor's key in it, the one walk in data-flow order, who reads what,
and where a node was recorded.

The engine runs the walk backwards; ONNX export and `draw_graph` run it forwards. It is
iterative (no recursion limit) and keeps its state in lists and dicts, so the same program
always gives the same order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinygrad_cnn.autograd.function import Context
    from tinygrad_cnn.tensor import Tensor


def key(t: Tensor) -> int:
    """A tensor's identity in the graph: the node that made it, or for a leaf the tensor itself.

    An op's result may exist as several Tensor objects (saved outputs come back rewrapped), so
    a result is known by its node. An id is unique among the objects alive, and a graph keeps
    its nodes and leaves alive.
    """
    return id(t) if t.grad_fn is None else id(t.grad_fn)


def post_order(outputs: Sequence[Tensor], leaves: bool = False) -> list[Tensor]:
    """The results of the recorded ops behind `outputs`, each after every tensor it was made
    from: one Tensor per node (the first one met), and with `leaves` the leaves too.

    A depth-first walk from the outputs in their order, each node's inputs in theirs; a
    tensor is placed once all of its inputs are. Linear in the size of the graph.
    """
    order: list[Tensor] = []
    met: dict[int, bool] = {}  # key -> True, from the tensor's first visit on
    stack: list[tuple[Tensor, bool]] = [
        (t, False) for t in reversed(outputs) if leaves or t.grad_fn is not None]
    while stack:
        t, inputs_placed = stack.pop()
        if inputs_placed:
            order.append(t)
            continue
        node = t.grad_fn
        k = id(t) if node is None else id(node)  # key(t), inlined: every backward runs this
        if k in met:
            continue
        met[k] = True
        stack.append((t, True))
        if node is not None:
            for inp in reversed(node.inputs):
                if leaves or inp.grad_fn is not None:
                    stack.append((inp, False))
    return order


def readers(order: Sequence[Tensor]) -> dict[int, list[Context]]:
    """key -> the nodes that read the tensor, in `order`'s order, each node once."""
    found: dict[int, list[Context]] = {}
    for t in order:
        node = t.grad_fn
        if node is None:
            continue
        for inp in node.inputs:
            nodes = found.setdefault(key(inp), [])
            if not nodes or nodes[-1] is not node:  # a node reads all of its inputs at once
                nodes.append(node)
    return found


def scope_path(scope: tuple[Any, ...]) -> str:
    """The dotted name of the innermost module of `scope` under the outermost (`features.0`,
    `blocks.0.conv1` for a block its parent calls from a ModuleList); a module called but not
    registered is named by its type, lowercased (`flatten`)."""
    names = []
    for parent, child in itertools.pairwise(scope):
        found = (name for name, m in parent.named_modules() if m is child and name)
        names.append(next(found, type(child).__name__.lower()))
    return ".".join(names)


def scope_label(scope: tuple[Any, ...]) -> str:
    """The innermost module of a non-empty `scope` as `features.0 (Conv2d)`; the outermost
    alone is its type (`LeNet5`)."""
    path = scope_path(scope)
    kind = type(scope[-1]).__name__
    return f"{path} ({kind})" if path else kind
