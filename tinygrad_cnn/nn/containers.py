"""Sequential: a chain of modules, each feeding the next, with indexable named children."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tinygrad_cnn.nn.module import Module


class Sequential(Module):
    """Run child modules in order; children are named ``"0"``, ``"1"``, ... or by a dict.

    Args:
        *modules: the modules in order, or a single dict of name -> module.

    Examples:
        >>> from tinygrad_cnn import nn
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> [name for name, _ in net.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> net.output_shape((5, 4))
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

    def steps(self) -> list[tuple[str, Module]]:
        """The named children, in order."""
        return list(self.named_children())

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
