"""Containers: Sequential (a chain, each module feeding the next), ModuleList and ModuleDict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tinygrad_cnn.nn.module import Module


class Sequential(Module):
    """Run child modules in order; children are named ``"0"``, ``"1"``, ... or by a dict.

    Args:
        *modules: the modules in order, or a single dict of name -> module.

    Examples:
        >>> from tinygrad_cnn import eval_shape, nn
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> [name for name, _ in net.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> eval_shape(net, (5, 4))
        (5, 2)
    """

    def __init__(self, *modules: Module | Mapping[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            for name, module in modules[0].items():
                self.add_module(str(name), module)
            return
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {index} must be a Module, got {type(module).__name__}"
                )
            self.add_module(str(index), module)

    def forward(self, input: Any) -> Any:
        """Feed `input` through every child in turn."""
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Module:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(dict(items[index]))
        if not -len(items) <= index < len(items):
            raise IndexError(f"Sequential: index {index} is out of range for {len(items)} modules")
        return items[index][1]

    def append(self, module: Module) -> Sequential:
        """Add `module` at the end (named by its position); returns self."""
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules, registered as children ``"0"``, ``"1"``, ... (PyTorch's names, so
    parameters are ``layers.0.weight``). It has no forward: the owner's forward uses it.

    Args:
        modules: the modules to start with.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
        >>> _ = blocks.append(nn.Linear(4, 2))
        >>> len(blocks), [n for n, _ in blocks.named_parameters()][-1]
        (4, '3.bias')
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _renumber(self, modules: list[Module]) -> None:
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), _module("ModuleList", index, module))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        items = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(items[index])
        return items[_position("ModuleList", index, len(items))]

    def __setitem__(self, index: int, module: Module) -> None:
        position = _position("ModuleList", index, len(self))
        self._modules[str(position)] = _module("ModuleList", position, module)  # in its place

    def __delitem__(self, index: int | slice) -> None:
        items = list(self._modules.values())
        if isinstance(index, slice):
            del items[index]
        else:
            del items[_position("ModuleList", index, len(items))]
        self._renumber(items)

    def append(self, module: Module) -> ModuleList:
        """Add `module` at the end; returns self."""
        self.add_module(str(len(self)), _module("ModuleList", len(self), module))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of `modules` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put `module` before position `index`, renumbering those after it."""
        items = list(self._modules.values())
        items.insert(index, module)
        self._renumber(items)

    def __repr__(self) -> str:
        return super().__repr__() if self._modules else "ModuleList()"


class ModuleDict(Module):
    """A dict of modules, registered as children under their keys (``heads.cls.weight``), in
    insertion order. It has no forward: the owner's forward uses it.

    Args:
        modules: a mapping (or pairs) of name -> module to start with.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> heads = nn.ModuleDict({"cls": nn.Linear(8, 10), "box": nn.Linear(8, 4)})
        >>> list(heads.keys()), heads["box"].out_features
        (['cls', 'box'], 4)
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            names = ", ".join(self._modules) or "none"
            raise KeyError(f"ModuleDict: no module named {key!r}; it has {names}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ModuleDict: keys must be strings, got {type(key).__name__}")
        self.add_module(key, _module("ModuleDict", key, module))

    def __delitem__(self, key: str) -> None:
        self[key]  # raises the KeyError above for a missing key
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> list[str]:
        """The names, in insertion order."""
        return list(self._modules)

    def values(self) -> list[Module]:
        """The modules, in insertion order."""
        return list(self._modules.values())

    def items(self) -> list[tuple[str, Module]]:
        """(name, module) pairs, in insertion order."""
        return list(self._modules.items())

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping or (name, module) pairs."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        """Remove the module named `key` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()


def _module(container: str, where: int | str, value: Any) -> Module:
    if not isinstance(value, Module):
        raise TypeError(f"{container}: entry {where!r} must be a Module, got "
                        f"{type(value).__name__}")
    return value


def _position(container: str, index: int, length: int) -> int:
    if not -length <= index < length:
        raise IndexError(f"{container}: index {index} is out of range for {length} modules")
    return index % length
