"""WindowLayer: the base of the convolution and pooling layers, whose `Geometry` is built once."""

from __future__ import annotations

from typing import Any

from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.nn.module import Module


class WindowLayer(Module):
    """A layer whose window `Geometry` is built from its arguments at construction, checked
    then, and passed ready to `nn.functional` by every forward.

    Assigning one of the arguments named in `geometry_args` builds the geometry again, so a
    layer changed after construction (``conv.stride = 1`` in model surgery) runs as changed,
    as in PyTorch, and a bad value is refused at the assignment, leaving the layer as it
    was. Subclasses build the geometry from their attributes in `build_geometry`; assigning
    `self.geometry` in `__init__` turns the rebuilding on.
    """

    geometry_args: tuple[str, ...] = ()

    def build_geometry(self) -> Geometry:
        """The checked geometry of the layer's current arguments."""
        raise NotImplementedError(f"{type(self).__name__} does not define build_geometry")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.geometry_args or "geometry" not in self.__dict__:
            super().__setattr__(name, value)
            return
        previous = getattr(self, name)
        super().__setattr__(name, value)
        try:
            geometry = self.build_geometry()
        except (TypeError, ValueError):
            super().__setattr__(name, previous)  # refused: the layer stays as it was
            raise
        super().__setattr__("geometry", geometry)
