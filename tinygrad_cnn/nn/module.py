"""Module: the base class that files parameters, buffers and child modules by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from tinygrad_cnn import autograd
from tinygrad_cnn.autograd import dtypes, grad_mode
from tinygrad_cnn.creation import zeros_like
from tinygrad_cnn.nn import hooks, state
from tinygrad_cnn.nn.parameter import Parameter
from tinygrad_cnn.tensor import Tensor


def _located(error: ValueError, module: Module) -> ValueError:
    """`error` with the dotted name and type of the module whose forward raised it in front,
    of the same class when that class takes a message (so `except` clauses still match)."""
    if getattr(error, "_module_located", False):
        return error
    label = autograd.scope_label(autograd.current_scope()) or type(module).__name__
    try:
        located = type(error)(f"{label}: {error}")
    except TypeError:  # a subclass whose constructor wants more than a message
        located = ValueError(f"{label}: {error}")
    located = located.with_traceback(error.__traceback__)
    located._module_located = True  # type: ignore[attr-defined]
    return located


class Module:
    """Base class of layers and models: parameters, buffers and child modules, by name.

    Assigning a `Parameter`, a `Module` or (through `register_buffer`) a buffer to an attribute
    files it in `_parameters`, `_modules` or `_buffers`, insertion-ordered dicts, so names are
    dotted as in PyTorch (`features.0.weight`) and every walk has the same order. Subclasses
    call `super().__init__()` first and define `forward`; call the module, not `forward`, so
    ops are recorded under its name and shape errors name it.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = nn.Linear(4, 2)
        ...     def forward(self, x):
        ...         return self.fc(x).relu()
        >>> [name for name, _ in Net().named_parameters()]
        ['fc.weight', 'fc.bias']
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", [])
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)
        for name in ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks"):
            object.__setattr__(self, name, {})

    # ---- computing ----------------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward` inside this module's scope, with its hooks if it has any.

        Raises:
            ValueError: for a bad input, with the module's dotted name and type in front.
        """
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or grad_mode.per_thread.switches.observer is not None):
            return hooks.call(self, args, kwargs)
        return self.run_forward(args, kwargs)

    def run_forward(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """`forward(*args, **kwargs)` inside this module's scope, errors located (no hooks)."""
        with autograd.module_scope(self):
            try:
                return self.forward(*args, **kwargs)
            except ValueError as error:
                raise _located(error, self) from None

    # ---- hooks --------------------------------------------------------------------------------

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> hooks.RemovableHandle:
        """Call `hook(module, args)` before every forward; a non-None return replaces the
        positional inputs (a single value is wrapped in a tuple), as in PyTorch.

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> hooks.RemovableHandle:
        """Call `hook(module, args, output)` after every forward; a non-None return replaces
        the output, as in PyTorch.

        Returns:
            A handle whose `remove()` unregisters the hook.

        Examples:
            >>> from tinygrad_cnn import nn, zeros
            >>> seen = []
            >>> layer = nn.Linear(3, 2)
            >>> handle = layer.register_forward_hook(lambda m, args, out: seen.append(out.shape))
            >>> _ = layer(zeros(4, 3))
            >>> handle.remove()
            >>> seen
            [(4, 2)]
        """
        return hooks.register(self._forward_hooks, hook)

    def register_full_backward_hook(self, hook: Callable[..., Any]) -> hooks.RemovableHandle:
        """Call `hook(module, grad_input, grad_output)` when the gradients with respect to the
        module's inputs are known; a non-None return (a tuple like grad_input) replaces them.

        grad_input has one entry per positional argument (None for non-tensors and inputs
        that do not require grad), grad_output one per output tensor, as in PyTorch. With
        several tensor inputs, a replacement is taken for the input whose gradient came last.

        Returns:
            A handle whose `remove()` unregisters the hook.
        """
        return hooks.register(self._backward_hooks, hook)

    # ---- registering --------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in params:
            self._check_cleared(name, value, "Parameter")
            params[name] = None
        elif name in buffers:
            buffers[name] = _as_buffer(name, value)
        elif name in modules:
            self._check_cleared(name, value, "Module")
            modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def _check_cleared(self, name: str, value: Any, kind: str) -> None:
        """Raise unless `value` is None, the one value besides a `kind` that its slot takes."""
        if value is not None:
            raise TypeError(
                f"{type(self).__name__}.{name} is a {kind.lower()}: assign a {kind} or None, "
                f"got {type(value).__name__}"
            )

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters, buffers and modules live in dicts.
        for store in ("_parameters", "_buffers", "_modules"):
            items = self.__dict__.get(store, {})
            if name in items:
                return items[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if not self._forget(name):
            object.__delattr__(self, name)

    def _forget(self, name: str) -> bool:
        found = False
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                found = True
        if name in self._non_persistent:
            self._non_persistent.remove(name)
        if name in self.__dict__:
            object.__delattr__(self, name)
            found = True
        return found

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a placeholder such as a missing bias) under `name`."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name} must be a Parameter or None, "
                            f"got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter, such as BatchNorm's running mean.

        Args:
            name: the attribute name.
            tensor: a Tensor, an ndarray or None.
            persistent: whether `state_dict` includes it.
        """
        self._forget(name)
        self._buffers[name] = _as_buffer(name, tensor)
        if not persistent:
            self._non_persistent.append(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under `name` (any string, e.g. ``"0"``)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name} must be a Module, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    # ---- walking ------------------------------------------------------------------------------

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call `fn` on every submodule, children before their parent, then on this module (as
        PyTorch's, e.g. to initialise weights); returns self."""
        stack: list[tuple[Module, bool]] = [(self, False)]
        while stack:  # depth first, each module after its children
            module, children_done = stack.pop()
            if children_done:
                fn(module)
                continue
            stack.append((module, True))
            stack.extend((child, False) for child in reversed(list(module.children())))
        return self

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, each once, with its dotted name."""
        seen: dict[int, bool] = {}
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen[id(module)] = True
            yield name, module
            children = [(f"{name}.{k}" if name else k, m) for k, m in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every descendant, depth first."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct child modules with their names."""
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct child modules."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, store: str, recurse: bool) -> Iterator[tuple[str, Any]]:
        seen: dict[int, bool] = {}
        owners = self.named_modules() if recurse else iter([("", self)])
        for prefix, module in owners:
            for name, value in getattr(module, store).items():
                if value is None or id(value) in seen:
                    continue
                seen[id(value)] = True
                yield (f"{prefix}.{name}" if prefix else name), value

    def named_parameters(self, recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`features.0.weight`), shared ones once."""
        return self._named_members("_parameters", recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, in registration order, shared ones once."""
        for _, param in self.named_parameters(recurse):
            yield param

    def named_buffers(self, recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Every buffer with its dotted name (`features.1.running_mean`)."""
        return self._named_members("_buffers", recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer."""
        for _, buffer in self.named_buffers(recurse):
            yield buffer

    def num_parameters(self, trainable_only: bool = False) -> int:
        """The number of parameter elements (only those that require grad, if asked)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    # ---- modes and gradients ------------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode here and below; same as `train(False)`."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (or fill them with zeros)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = zeros_like(p.grad)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def to(self, *args: Any, dtype: Any = None, device: Any = None,
           non_blocking: bool = False) -> Module:
        """Convert every floating-point parameter and buffer (and gradient) to `dtype`, in
        place, as PyTorch's `model.to(torch.float64)`, `.to("cpu")`, `.to(device, dtype)`.

        The tensors stay the same objects, so an optimiser built before keeps them.

        Returns:
            This module.

        Raises:
            TypeError: for a dtype that is not floating point.
            ValueError: for a device other than the CPU.
        """
        dtype = dtypes.to_dtype(f"{type(self).__name__}.to", args, dtype, device)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: the dtype must be floating point, got "
                            f"{dtype} (as PyTorch)")
        for t in [*self.parameters(), *self.buffers()]:
            if t.dtype.kind == "f" and t.dtype != dtype:
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad = t.grad.detach().to(dtype)
        return self

    def double(self) -> Module:
        """Floating-point parameters and buffers as float64 (see `to`); returns self."""
        return self.to(np.float64)

    def float(self) -> Module:
        """Floating-point parameters and buffers as float32 (see `to`); returns self."""
        return self.to(np.float32)

    def cpu(self) -> Module:
        """This module, on the CPU where it already is."""
        return self

    def cuda(self, device: Any = None) -> Module:
        """Refused: tinygrad_cnn computes on the CPU alone."""
        dtypes.check_device(f"{type(self).__name__}.cuda", "cuda")
        return self

    # ---- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in PyTorch's order: each a
        detached tensor sharing its memory (not a copy), as PyTorch's.

        Later training changes them, and writing into them changes the model; `clone()` them
        to keep a snapshot.
        """
        return state.collect(self)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> state.IncompatibleKeys:
        """Copy arrays into the parameters and buffers with the same dotted names.

        Args:
            state_dict: name -> tensor (ours or PyTorch's), ndarray or number, e.g. from
                `state_dict()`, `load`, or a PyTorch model's `state_dict()`.
            strict: raise when a key is missing or unexpected (mis-shaped keys always raise).

        Returns:
            The missing and unexpected keys (both empty when `strict`).

        Raises:
            ValueError: naming every missing, unexpected, mis-shaped and mis-typed key at once.
        """
        return state.load(self, state_dict, strict)

    # ---- printing -----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The constructor arguments shown in the repr; layers override it."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"\n  {extra}" if extra else "")
        return head + "\n" + "\n".join(lines) + "\n)"


def _as_buffer(name: str, value: Any) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return Tensor(value)
    raise TypeError(
        f"buffer {name} must be a Tensor, an ndarray or None, got {type(value).__name__}"
    )
