"""The autograd engine: primitive ops (`Function`), grad mode, the reverse graph walk."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from tinygrad_cnn.tensor import Tensor

_grad_enabled = True
_anomaly_enabled = False
# The dotted path of the module whose forward is running: a tuple of modules, innermost last.
_module_scope: tuple[Any, ...] = ()
# The node whose VJP is running, so anomaly errors can say which backward produced them.
_running_backward: Context | None = None


def is_grad_enabled() -> bool:
    """Return True when new ops are recorded for backward."""
    return _grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Context manager and decorator that sets grad mode and restores it on exit."""

    mode: bool

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous


class no_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """Run without recording ops: results do not require grad.

    Example:
        >>> from tinygrad_cnn import Tensor, no_grad
        >>> x = Tensor([1.0], requires_grad=True)
        >>> with no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    mode = False


class enable_grad(_GradMode):  # noqa: N801 (PyTorch's name)
    """Record ops again inside a `no_grad` region."""

    mode = True


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise at the first op whose forward result or gradient holds NaN or Inf.

    The error names the op and, where the op ran inside a module's forward, the module.
    """
    global _anomaly_enabled
    previous = _anomaly_enabled
    _anomaly_enabled = True
    try:
        yield
    finally:
        _anomaly_enabled = previous


@contextlib.contextmanager
def module_scope(module: Any) -> Iterator[None]:
    """Mark ops recorded inside the block as belonging to `module` (used by `Module.__call__`)."""
    global _module_scope
    previous = _module_scope
    _module_scope = (*previous, module)
    try:
        yield
    finally:
        _module_scope = previous


class _SavedOutput:
    """Stands in for the op's own output among the saved values, to avoid a reference cycle."""


_OUTPUT = _SavedOutput()


class Context:
    """A node of the recorded graph: the op, its inputs and what its VJP needs.

    It is the `ctx` passed to `Function.forward` / `Function.backward` and the tensor's
    `grad_fn`. Attributes set on it in `forward` are available in `backward`.
    """

    def __init__(self, op: type[Function], inputs: tuple[Tensor, ...], attrs: dict[str, Any]):
        self.op = op
        self.inputs = inputs
        self.attrs = attrs
        self.needs_input_grad = tuple([t._requires_grad for t in inputs])
        self.scope = _module_scope
        self._saved: tuple[Any, ...] | None = ()
        self._output: np.ndarray | None = None
        self.released = False

    @property
    def name(self) -> str:
        """The op's name, e.g. ``"conv2d"``."""
        return self.op.op_name()

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays for the VJP; inputs and the output come back as graph-connected Tensors."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        """The saved values as Tensors (inputs and output keep their place in the graph)."""
        from tinygrad_cnn.tensor import Tensor

        self.check_not_released()
        saved = []
        for value in self._saved:
            if value is _OUTPUT:
                saved.append(Tensor._from_op(self._output, self))
            elif isinstance(value, Tensor):
                saved.append(value)
            else:
                saved.append(Tensor(value) if isinstance(value, np.ndarray) else value)
        return tuple(saved)

    def check_not_released(self) -> None:
        """Raise if an earlier backward already freed this node."""
        if self.released:
            raise RuntimeError(
                f"backward: the saved values of {self.name} were freed by an earlier backward; "
                "pass retain_graph=True to the first backward to run backward twice"
            )

    def release(self) -> None:
        """Free what was saved; a later backward through this node raises."""
        self._saved = None
        self._output = None
        self.released = True

    def __repr__(self) -> str:
        return f"<{self.name} backward>"


class Function:
    """Base class of every primitive op: `forward` on arrays, `backward` with tensor ops.

    Subclasses define two static methods::

        forward(ctx, *arrays, **attrs) -> np.ndarray
        backward(ctx, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]

    `backward` returns one gradient per input (None where `ctx.needs_input_grad` says it is
    not wanted) and must use only Tensor ops, so that gradients are differentiable again.
    Run the op with ``MyOp.apply(*tensors, **attrs)``.
    """

    name: str | None = None

    @classmethod
    def op_name(cls) -> str:
        """The name shown in errors and graphs: `name` if set, else the class name lowercased."""
        return cls.name or cls.__name__.lower()

    @staticmethod
    def forward(ctx: Context, *inputs: np.ndarray, **attrs: Any) -> np.ndarray:
        """Compute the result on arrays."""
        raise NotImplementedError("Function subclasses define forward")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Any:
        """Return the gradient of each input given the gradient of the output."""
        raise NotImplementedError("Function subclasses define backward")

    @classmethod
    def apply(cls, *inputs: Tensor, **attrs: Any) -> Tensor:
        """Run the op on Tensors and record it in the graph when any input requires grad."""
        from tinygrad_cnn.tensor import Tensor

        ctx = Context(cls, inputs, attrs)
        raw = cls.forward(ctx, *[t.data for t in inputs], **attrs)
        # ufuncs return NumPy scalars for 0-d inputs; a Tensor always holds an ndarray.
        out = raw if isinstance(raw, np.ndarray) else np.asarray(raw)
        if _anomaly_enabled:
            _check_finite(out, ctx, "forward result")
        if not (_grad_enabled and True in ctx.needs_input_grad):
            return Tensor._from_op(out, None)
        ctx._saved = tuple(_mark_saved(value, inputs, raw) for value in ctx._saved)
        ctx._output = out
        return Tensor._from_op(out, ctx)


def _mark_saved(value: Any, inputs: tuple[Tensor, ...], out: np.ndarray) -> Any:
    if value is out:
        return _OUTPUT
    for t in inputs:
        if value is t.data:
            return t
    return value


def _check_finite(array: np.ndarray, ctx: Context, what: str) -> None:
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        where = f" in module {_scope_label(ctx.scope)}" if ctx.scope else ""
        if _running_backward is not None:
            where += f" (in the backward of {_running_backward.name})"
        raise FloatingPointError(
            f"detect_anomaly: {ctx.name}{where} produced NaN or Inf in its {what}"
        )


def scope_path(scope: tuple[Any, ...]) -> str:
    """The dotted name of the innermost module of `scope` under the outermost (`features.0`)."""
    names = []
    for parent, child in itertools.pairwise(scope):
        children = getattr(parent, "_modules", {})
        names.append(next((k for k, m in children.items() if m is child), type(child).__name__))
    return ".".join(names)


def _scope_label(scope: tuple[Any, ...]) -> str:
    path = scope_path(scope)
    kind = type(scope[-1]).__name__
    return f"{path} ({kind})" if path else kind


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
    global _grad_enabled, _running_backward
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
    previous_mode = _grad_enabled
    _grad_enabled = create_graph
    try:
        for node in _topological_order(roots):
            grad = node_grads.pop(id(node), None)
            if id(node) in captured_nodes:
                captured_nodes[id(node)] = grad
            if grad is None:
                continue
            node.check_not_released()
            _running_backward = node
            input_grads = _as_tuple(node.op.backward(node, grad))
            _running_backward = None
            _check_input_grads(node, input_grads)
            if not retain_graph:
                node.release()
            for t, g in zip(node.inputs, input_grads):
                if g is None or not t.requires_grad:
                    continue
                if t.grad_fn is not None:
                    _accumulate(node_grads, id(t.grad_fn), g)
                else:
                    _accumulate(leaf_grads, id(t), g)
                    leaves[id(t)] = t
    finally:
        _grad_enabled = previous_mode
        _running_backward = None
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
    from tinygrad_cnn.tensor import Tensor

    if len(grads) != len(node.inputs):
        raise RuntimeError(
            f"{node.name}: backward returned {len(grads)} gradients for {len(node.inputs)} inputs"
        )
    for i, (t, g) in enumerate(zip(node.inputs, grads)):
        if g is None:
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"{node.name}: backward returned {type(g).__name__} for input {i}; "
                            "return a Tensor or None")
        if g.shape != t.shape:
            raise RuntimeError(
                f"{node.name}: backward returned a gradient of shape {g.shape} for input {i} "
                f"of shape {t.shape}"
            )
        if _anomaly_enabled:
            _check_finite(g.data, node, f"gradient for input {i}")


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

    Example:
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
