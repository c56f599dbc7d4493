"""Lazy layers: LazyConv2d, LazyLinear and LazyBatchNorm2d read their input size from the
first input they see, then become the plain layer, as PyTorch's do.

A shape-only run is an input too, so `summary(model, input_shape)` or `eval_shape` resolves
every lazy layer before any data is seen. Until then the parameters are empty placeholders;
resolving gives them their shape and PyTorch's initial values in place (the same tensor
objects, so an optimiser built before keeps them) and changes the layer's class to the
plain one (PyTorch's `cls_to_become`): `repr`, `summary` and checkpoints see a Conv2d.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.nn.layers.conv import Conv2d
from tinygrad_cnn.nn.layers.linear import Linear
from tinygrad_cnn.nn.layers.norm import BatchNorm2d
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class _Lazy(Module):
    """A layer whose size along its input's dim `in_dim` (the argument `in_name`) is read
    from its first input; it then becomes a `becomes`."""

    becomes: type[Module]
    in_name: str
    in_dim: int

    def __init__(self, arguments: dict[str, Any], smallest: int = 1):
        Module.__init__(self)
        self._arguments = arguments
        with skip_init():  # a template of the `smallest` size checks the arguments
            template = self._template(smallest)
        self._adopt(template, values=False)
        object.__setattr__(self, self.in_name, 0)

    def _template(self, size: int) -> Module:
        """The plain layer for inputs of `size` along `in_dim`, in the placeholders' dtype."""
        dtype = next((t.dtype for t in [*self.parameters(), *self.buffers()]
                      if t.dtype.kind == "f"), self._arguments.get("dtype"))
        return self.becomes(**{self.in_name: size}, **{**self._arguments, "dtype": dtype})

    def _adopt(self, template: Module, values: bool) -> None:
        """Take the template's settings, and its parameters' and buffers' values (or empty
        placeholders of their dtypes) into this layer's own tensors."""
        for key, value in vars(template).items():
            if not key.startswith("_") and key != "training":
                object.__setattr__(self, key, value)
        for store in ("_parameters", "_buffers"):
            own = getattr(self, store)
            for name, t in getattr(template, store).items():
                keep = t is None or values or t.ndim == 0  # num_batches_tracked is a count
                if name not in own:
                    own[name] = t if keep else type(t)(np.empty(0, t.dtype))
                elif t is not None:
                    own[name].data = t.data if keep else np.empty(0, t.dtype)

    def forward(self, input: Tensor) -> Tensor:
        """Read the input size, become the plain layer, and run it."""
        if input.ndim == 0 or input.ndim <= self.in_dim:
            raise ValueError(f"{type(self).__name__}: cannot read {self.in_name} from an input "
                             f"of shape {input.shape}")
        self._adopt(self._template(input.shape[self.in_dim]), values=True)
        del self._arguments
        self.__class__ = self.becomes  # type: ignore[assignment]  # PyTorch's cls_to_become
        return self.forward(input)


class LazyLinear(_Lazy, Linear):
    """A Linear whose `in_features` is the last dim of its first input; it takes Linear's
    other arguments.

    Examples:
        >>> from tinygrad_cnn import nn, eval_shape
        >>> layer = nn.LazyLinear(10)
        >>> layer
        LazyLinear(in_features=0, out_features=10, bias=True)
        >>> eval_shape(layer, (4, 84))
        (4, 10)
        >>> layer
        Linear(in_features=84, out_features=10, bias=True)
    """

    becomes = Linear
    in_name, in_dim = "in_features", -1

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None):
        _Lazy.__init__(self, {"out_features": out_features, "bias": bias, "device": device,
                              "dtype": dtype})


class LazyConv2d(_Lazy, Conv2d):
    """A Conv2d whose `in_channels` is dim 1 of its first input (N, C, H, W); it takes
    Conv2d's other arguments.

    Examples:
        >>> from tinygrad_cnn import nn, eval_shape
        >>> conv = nn.LazyConv2d(6, 5)
        >>> eval_shape(conv, (1, 3, 32, 32)), conv.weight.shape
        ((1, 6, 28, 28), (6, 3, 5, 5))
    """

    becomes = Conv2d
    in_name, in_dim = "in_channels", 1

    def __init__(self, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: Any = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None):
        arguments = {"out_channels": out_channels, "kernel_size": kernel_size, "stride": stride,
                     "padding": padding, "dilation": dilation, "groups": groups, "bias": bias,
                     "padding_mode": padding_mode, "device": device, "dtype": dtype}
        _Lazy.__init__(self, arguments, smallest=groups)  # a size that groups divide


class LazyBatchNorm2d(_Lazy, BatchNorm2d):
    """A BatchNorm2d whose `num_features` is dim 1 of its first input (N, C, H, W); it takes
    BatchNorm2d's other arguments."""

    becomes = BatchNorm2d
    in_name, in_dim = "num_features", 1

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True):
        _Lazy.__init__(self, {"eps": eps, "momentum": momentum, "affine": affine,
                              "track_running_stats": track_running_stats, "device": device,
                              "dtype": dtype, "bias": bias})
