"""Module hooks with PyTorch's signatures and return rules, and the call that runs them.

`Module.__call__` takes the plain path (scope, forward) when a module has no hooks and no
shape-only run is listening; otherwise `call` below runs, in PyTorch's order: forward pre-hooks
(a non-None return replaces the inputs), the forward, forward hooks (a non-None return replaces
the output), and, for full backward hooks, identity ops around the inputs and outputs whose
VJPs see the gradients and call the hooks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tinygrad_cnn.autograd import Context, Function, ShapeDtype, grad_mode
from tinygrad_cnn.tensor import Tensor

if TYPE_CHECKING:
    import numpy as np

    from tinygrad_cnn.nn.module import Module

_ids = itertools.count()


class RemovableHandle:
    """What registering a hook returns: `remove()` unregisters it (also on leaving a `with`)."""

    def __init__(self, hooks: dict[int, Callable[..., Any]]):
        self._hooks = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        """Unregister the hook; removing twice is harmless."""
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register(hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]) -> RemovableHandle:
    """Add `hook` to `hooks` (run in registration order) and return its handle."""
    if not callable(hook):
        raise TypeError(f"register hook: {hook!r} is not callable")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def call(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run `module.forward` with its hooks, telling a listening shape-only run of the call.

    A shape-only run (`eval_shape`, `summary`) calls no hooks: they are there to see or change
    values, and it has none.
    """
    switches = grad_mode.per_thread.switches
    hooked = not switches.shapes_only
    for hook in list(module._forward_pre_hooks.values()) if hooked else ():
        replaced = hook(module, args)
        if replaced is not None:
            args = replaced if isinstance(replaced, tuple) else (replaced,)
    if switches.observer is not None:
        switches.observer.enter(module, args)
    watch = _BackwardHooks(module, args) if _records_backward(module, args) else None
    if watch is not None:
        args = watch.wrap_inputs(args)
    output = module.run_forward(args, kwargs)
    for hook in list(module._forward_hooks.values()) if hooked else ():
        replaced = hook(module, args, output)
        if replaced is not None:
            output = replaced
    if watch is not None:
        output = watch.wrap_outputs(output)
    if switches.observer is not None:
        switches.observer.exit(module, output)
    return output


def _records_backward(module: Module, args: tuple[Any, ...]) -> bool:
    switches = grad_mode.per_thread.switches
    return bool(module._backward_hooks) and switches.enabled and not switches.shapes_only


class _BackwardHooks:
    """One call's full backward hooks: gathers grad_output, then grad_input, then calls them.

    `grad_input` holds the gradient of each positional Tensor argument (None for the others
    and for those without one), `grad_output` that of each Tensor output. The hooks run once
    the gradients of every input that requires grad have arrived (at once when none does). A
    hook's non-None return replaces `grad_input`; with several tensor inputs the earlier
    ones have already been passed on by then, so a replacement is taken for one input only.
    After the hooks ran, the gathering starts afresh, so a second backward through a retained
    graph runs them again, as PyTorch does.
    """

    def __init__(self, module: Module, args: tuple[Any, ...]):
        self.module = module
        self.arguments = len(args)
        self.inputs = [i for i, a in enumerate(args) if _needs_grad(a)]  # their slots
        self.outputs, self.needing = 0, 0  # Tensor outputs, and those that require grad
        self._start()

    def _start(self) -> None:
        """Ready for one backward pass: no gradient has arrived yet."""
        self.grad_input: list[Tensor | None] = [None] * self.arguments
        self.grad_output: list[Tensor | None] = [None] * self.outputs
        self.waiting = list(self.inputs)
        self.outputs_left = self.needing

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(HookedIdentity.apply(a, hooks=self, side="input", slot=i)
                     if i in self.inputs else a for i, a in enumerate(args))

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, Tensor)
        if not single and not (isinstance(output, tuple)
                               and all(isinstance(o, Tensor) for o in output)):
            raise TypeError(f"{type(self.module).__name__}: full backward hooks need a forward "
                            f"that returns a Tensor or a tuple of Tensors, got "
                            f"{type(output).__name__}")
        outputs = (output,) if single else output
        self.outputs = len(outputs)
        self.needing = sum(o.requires_grad for o in outputs)
        self._start()
        wrapped = tuple(HookedIdentity.apply(o, hooks=self, side="output", slot=i)
                        if o.requires_grad else o for i, o in enumerate(outputs))
        return wrapped[0] if single else wrapped

    def arrived(self, side: str, slot: int, grad: Tensor) -> Tensor:
        """Keep a gradient as it passes; run the hooks when the last expected one is in."""
        if side == "output":
            self.grad_output[slot] = grad
            self.outputs_left -= 1
            if self.outputs_left == 0 and not self.waiting:
                self._run_hooks()
            return grad
        self.grad_input[slot] = grad
        self.waiting.remove(slot)
        if self.waiting:
            return grad
        replaced = self._run_hooks()
        return grad if replaced is None else replaced[slot]

    def _run_hooks(self) -> tuple[Tensor | None, ...] | None:
        grad_input, replaced = tuple(self.grad_input), None
        grad_output = tuple(self.grad_output)
        self._start()  # the next backward pass gathers its own gradients
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, grad_output)
            if result is not None:
                replaced = grad_input = _checked(self.module, result, grad_input)
        return replaced


def _needs_grad(value: Any) -> bool:
    return isinstance(value, Tensor) and value.requires_grad


def _checked(module: Module, result: Any, grad_input: tuple[Any, ...]) -> tuple[Any, ...]:
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != len(grad_input):
        raise RuntimeError(f"{type(module).__name__}: a backward hook returned {len(result)} "
                           f"gradients for {len(grad_input)} inputs")
    return result


class HookedIdentity(Function):
    """y = x; its VJP hands the gradient to a call's backward hooks (which may replace it)."""

    name = "backward_hook"

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, hooks: _BackwardHooks, side: str,
                slot: int) -> np.ndarray:
        return x

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Tensor:
        a = ctx.attrs
        return a["hooks"].arrived(a["side"], a["slot"], grad)

    @staticmethod
    def abstract_eval(x: ShapeDtype, **attrs: Any) -> ShapeDtype:
        return x
