"""The reverse walk: order the recorded graph and run each node's VJP once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tinygrad_cnn import function, grad_mode
from tinygrad_cnn.function import Context, check_finite

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor


def _topological_order(roots: Sequence[Context]) -> list[Context]:
    """Nodes reachable from `roots`, each after every node that consumes its output."""
    order: list[Context] = []
    visited: dict[int, bool] = {}
    for root in roots:
        stack: list[tuple[Context, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited[id(node)] = True
            stack.append((node, True))
            for t in node.inputs:
                if t.grad_fn is not None and id(t.grad_fn) not in visited:
                    stack.append((t.grad_fn, False))
    order.reverse()
    return order


def _as_tuple(grads: Any) -> tuple[Any, ...]:
    return grads if isinstance(grads, tuple) else (grads,)


def _accumulate(store: dict[int, Tensor], key: int, grad: Tensor) -> None:
    store[key] = grad if key not in store else store[key] + grad


def run_backward(
    outputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
) -> list[Tensor | None] | None:
    """Walk the graph from `outputs` in reverse and run each node's VJP once.

    With `capture` None, leaf gradients accumulate into `.grad`; otherwise the gradients of the
    captured tensors are returned and `.grad` is left alone.
    """
    from tinygrad_cnn.tensor import Tensor
    node_grads: dict[int, Tensor] = {}
    leaf_grads: dict[int, Tensor] = {}
    leaves: dict[int, Tensor] = {}
    captured_nodes = {id(t.grad_fn): None for t in capture or () if t.grad_fn is not None}
    for out, g in zip(outputs, grad_outputs):
        if out.grad_fn is None:
            _accumulate(leaf_grads, id(out), g)
            leaves[id(out)] = out
        else:
            _accumulate(node_grads, id(out.grad_fn), g)
    roots = [out.grad_fn for out in outputs if out.grad_fn is not None]
    previous_mode = grad_mode.enabled
    grad_mode.enabled = create_graph
    try:
        for node in _topological_order(roots):
            grad = node_grads.pop(id(node), None)
            if id(node) in captured_nodes:
                captured_nodes[id(node)] = grad
            if grad is None:
                continue
            node.check_not_released()
            function.running_backward = node
            input_grads = _as_tuple(node.op.backward(node, grad))
            function.running_backward = None
            if len(input_grads) != len(node.inputs):
                _check_input_grads(node, input_grads)  # raises, naming the op
            if not retain_graph:
                node.release()
            for i, (t, g) in enumerate(zip(node.inputs, input_grads)):
                if g is None:
                    continue
                if type(g) is not Tensor or g.data.shape != t.data.shape or grad_mode.anomaly:
                    _check_input_grad(node, i, t, g)
                if not t._requires_grad:
                    continue
                if t.grad_fn is not None:
                    _accumulate(node_grads, id(t.grad_fn), g)
                else:
                    _accumulate(leaf_grads, id(t), g)
                    leaves[id(t)] = t
    finally:
        grad_mode.enabled = previous_mode
        function.running_backward = None
    if capture is not None:
        return [
            captured_nodes.get(id(t.grad_fn)) if t.grad_fn is not None else leaf_grads.get(id(t))
            for t in capture
        ]
    for key, g in leaf_grads.items():
        _store_leaf_grad(leaves[key], g, create_graph)
    return None


def _store_leaf_grad(leaf: Tensor, g: Tensor, create_graph: bool) -> None:
    """Accumulate into `leaf.grad`; without a graph, into an array the leaf owns alone.

    VJPs may hand the same array to several inputs, or a read-only broadcast view, so the
    first gradient is copied: optimisers and users can then update `.grad` in place.
    """
    from tinygrad_cnn.tensor import Tensor

    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:
        leaf.grad = Tensor._from_op(np.array(g.data, dtype=leaf.dtype, order="C"), None)
    else:
        leaf.grad = Tensor._from_op(leaf.grad.data + g.data, None)


def _check_input_grads(node: Context, grads: tuple[Any, ...]) -> None:
    if len(grads) != len(node.inputs):
        raise RuntimeError(
            f"{node.name}: backward returned {len(grads)} gradients for {len(node.inputs)} inputs"
        )


def _check_input_grad(node: Context, i: int, t: Tensor, g: Any) -> None:
    """Raise unless `g` is a Tensor of input i's shape (and finite, under detect_anomaly)."""
    from tinygrad_cnn.tensor import Tensor

    if not isinstance(g, Tensor):
        raise TypeError(f"{node.name}: backward returned {type(g).__name__} for input {i}; "
                        "return a Tensor or None")
    if g.shape != t.shape:
        raise RuntimeError(
            f"{node.name}: backward returned a gradient of shape {g.shape} for input {i} "
            f"of shape {t.shape}"
        )
    if grad_mode.anomaly:
        check_finite(g.data, node, f"gradient for input {i}")


def _default_grad_outputs(
    outputs: Sequence[Tensor], grad_outputs: Sequence[Tensor | None] | None, caller: str
) -> list[Tensor]:
    from tinygrad_cnn.tensor import Tensor

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
            if out.size != 1:
                raise RuntimeError(
                    f"{caller}: grad can be created implicitly only for scalar outputs, got shape "
                    f"{out.shape}; pass a gradient of that shape"
                )
            g = Tensor(np.ones(out.shape, dtype=out.dtype))
        elif not isinstance(g, Tensor):
            g = Tensor(np.asarray(g, dtype=out.dtype))
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
    run_backward([tensor], grads, retain, create_graph)


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
    from tinygrad_cnn.tensor import Tensor

    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    grads = _default_grad_outputs(outputs, grad_outputs, "grad")
    retain = create_graph if retain_graph is None else retain_graph
    result = run_backward(outputs, grads, retain, create_graph, capture=inputs)
    assert result is not None
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} of shape {t.shape} is not used by the outputs; "
                "pass allow_unused=True to get None for it"
            )
    return tuple(g if g is None or create_graph else g.detach() for g in result)
