"""The reverse walk: each node's VJP once, nodes in the reverse of the graph's data-flow order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

# The module, not the class: tensor.py imports this file (see function.py).
from tinygrad_cnn import tensor as _tensor
from tinygrad_cnn.autograd import grad_mode, graph
from tinygrad_cnn.autograd.function import Context, check_finite

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


@dataclass
class Reached:
    """The gradients one reverse walk delivered.

    Attributes:
        leaves: id(leaf) -> (the leaf, its gradient), for every leaf reached that requires grad,
            in the order first reached.
        nodes: id(node) -> the total gradient of the node's output (None if none arrived), for
            the nodes the walk was asked to keep.
    """

    leaves: dict[int, tuple[Tensor, Tensor]]
    nodes: dict[int, Tensor | None]

    def of(self, t: Tensor) -> Tensor | None:
        """The gradient that reached `t`, a leaf or a kept node's output (None if none did)."""
        if t.grad_fn is not None:
            return self.nodes.get(id(t.grad_fn))
        found = self.leaves.get(id(t))
        return None if found is None else found[1]


def backpropagate(
    outputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    keep: Sequence[Context] = (),
) -> Reached:
    """Walk the graph from `outputs` in reverse and run each node's VJP once.

    Args:
        outputs: where the walk starts.
        grad_outputs: the gradient of each output (its shape).
        retain_graph: keep every node's saved values for another backward.
        create_graph: record the VJPs themselves, for higher-order gradients.
        keep: nodes whose output's gradient to report besides the leaves'.

    Returns:
        The gradients delivered to the leaves and to the kept nodes; `.grad` is not touched.
    """
    tensor_class = _tensor.Tensor  # looked up once: read for every gradient below
    reached = Reached({}, {id(node): None for node in keep})
    pending: dict[int, Tensor] = {}  # id(node) -> the gradient of its output, summed so far
    for out, g in zip(outputs, grad_outputs):
        _deliver(out, g, pending, reached.leaves)
    switches = grad_mode.switches()
    previous_mode, switches.enabled = switches.enabled, create_graph
    try:
        for t in reversed(graph.post_order(outputs)):  # each node after every node reading it
            node = t.grad_fn
            grad = pending.pop(id(node), None)
            if id(node) in reached.nodes:
                reached.nodes[id(node)] = grad
            if grad is None:
                continue
            inputs = node.inputs  # before the VJP, which may release them
            for i, (t, g) in enumerate(zip(inputs, _vjp(node, grad, retain_graph))):
                if g is None:
                    continue
                wrong = type(g) is not tensor_class or g._data.shape != t._data.shape
                if wrong or switches.anomaly:
                    _check_input_grad(node, i, t, g)
                if t._requires_grad:
                    _deliver(t, g, pending, reached.leaves)
    finally:
        switches.enabled = previous_mode
    return reached


def _vjp(node: Context, grad: Tensor, retain_graph: bool) -> tuple[Any, ...]:
    """Run `node`'s backward: one gradient (or None) per input; free the node unless retained."""
    node.check_not_released()
    switches = grad_mode.per_thread.switches
    # Restored, not cleared: a VJP may run a backward of its own (autograd.grad in a custom op).
    outer, switches.backward_of = switches.backward_of, node
    try:
        grads = node.op.backward(node, grad)
    finally:
        switches.backward_of = outer
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(node.inputs):
        raise RuntimeError(
            f"{node.name}: backward returned {len(grads)} gradients for {len(node.inputs)} inputs"
        )
    if not retain_graph:
        node.release()
    return grads


def _deliver(
    t: Tensor, g: Tensor, pending: dict[int, Tensor], leaves: dict[int, tuple[Tensor, Tensor]]
) -> None:
    """Add `g` to the gradient flowing into `t`: its node's pending sum, or the leaf's."""
    if t.grad_fn is not None:
        key = id(t.grad_fn)
        pending[key] = g if key not in pending else pending[key] + g
    else:
        key = id(t)
        leaves[key] = (t, g) if key not in leaves else (t, leaves[key][1] + g)


def _store_leaf_grad(leaf: Tensor, g: Tensor, create_graph: bool) -> None:
    """Accumulate into `leaf.grad`; without a graph, into an array the leaf owns alone.

    VJPs may hand the same array to several inputs, or a read-only broadcast view, so the
    first gradient is copied: optimisers and users can then update `.grad` in place.
    """
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:
        leaf.grad = _tensor.Tensor._from_op(np.array(g._data, dtype=leaf.dtype, order="C"), None)
    else:
        leaf.grad = _tensor.Tensor._from_op(leaf.grad._data + g._data, None)


def _check_input_grad(node: Context, i: int, t: Tensor, g: Any) -> None:
    """Raise unless `g` is a Tensor of input i's shape (and finite, under detect_anomaly)."""
    if not isinstance(g, _tensor.Tensor):
        raise TypeError(f"{node.name}: backward returned {type(g).__name__} for input {i}; "
                        "return a Tensor or None")
    if g.shape != t.shape:
        raise RuntimeError(
            f"{node.name}: backward returned a gradient of shape {g.shape} for input {i} "
            f"of shape {t.shape}"
        )
    if grad_mode.switches().anomaly:
        check_finite(g._data, node, f"gradient for input {i}")


def _default_grad_outputs(
    outputs: Sequence[Tensor], grad_outputs: Sequence[Tensor | None] | None, caller: str
) -> list[Tensor]:
    grads = list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise ValueError(f"{caller}: got {len(grads)} grad_outputs for {len(outputs)} outputs")
    result = []
    for out, g in zip(outputs, grads):
        if not out.requires_grad:
            raise RuntimeError(
                f"{caller}: tensor of shape {out.shape} does not require grad and has no grad_fn"
            )
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(
                    f"{caller}: grad can be created implicitly only for scalar outputs, got shape "
                    f"{out.shape}; pass a gradient of that shape"
                )
            g = _tensor.Tensor(np.ones(out.shape, dtype=out.dtype))
        elif not isinstance(g, _tensor.Tensor):
            g = _tensor.Tensor(np.asarray(g, dtype=out.dtype))
        if g.shape != out.shape:
            raise ValueError(f"{caller}: gradient has shape {g.shape} but output has {out.shape}")
        result.append(g)
    return result


def backward(
    tensor: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate d tensor / d leaf into every leaf's `.grad` (see `Tensor.backward`)."""
    grads = _default_grad_outputs([tensor], [gradient], "backward")
    retain = create_graph if retain_graph is None else retain_graph
    reached = backpropagate([tensor], grads, retain, create_graph)
    for leaf, g in reached.leaves.values():
        _store_leaf_grad(leaf, g, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return the gradients of `outputs` with respect to `inputs`, leaving `.grad` untouched.

    Args:
        outputs: Tensor(s) to differentiate.
        inputs: Tensor(s) to differentiate with respect to (leaves or intermediate results).
        grad_outputs: the vector in the vector-Jacobian product, one per output; may be None
            for scalar outputs.
        retain_graph: keep the saved values for another backward (default: `create_graph`).
        create_graph: record the gradient computation so it can be differentiated again.
        allow_unused: return None for an input the outputs do not depend on instead of raising.

    Returns:
        One gradient per input, with the input's shape.

    Raises:
        RuntimeError: when an input is not used and `allow_unused` is False.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> from tinygrad_cnn.autograd import grad
        >>> x = Tensor([3.0], requires_grad=True)
        >>> grad((x * x).sum(), x)[0].tolist()
        [6.0]
    """
    outputs = [outputs] if isinstance(outputs, _tensor.Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, _tensor.Tensor) else list(inputs)
    if isinstance(grad_outputs, _tensor.Tensor):
        grad_outputs = [grad_outputs]
    grads = _default_grad_outputs(outputs, grad_outputs, "grad")
    retain = create_graph if retain_graph is None else retain_graph
    keep = [t.grad_fn for t in inputs if t.grad_fn is not None]
    reached = backpropagate(outputs, grads, retain, create_graph, keep)
    gradients = [reached.of(t) for t in inputs]
    for i, (t, g) in enumerate(zip(inputs, gradients)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} of shape {t.shape} is not used by the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return tuple(g if g is None or create_graph else g.detach() for g in gradients)
