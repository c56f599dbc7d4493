"""Neural-network building blocks: modules, layers, initialisers and `functional` ops."""

from tinygrad_cnn.nn import functional, init, layers, utils
from tinygrad_cnn.nn.containers import ModuleDict, ModuleList, Sequential

# The layers, each named once, in nn/layers/__init__.py (as torch.nn takes its modules).
from tinygrad_cnn.nn.layers import *  # noqa: F403
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.nn.parameter import Parameter

__all__ = [*layers.__all__, "Module", "ModuleDict", "ModuleList", "Parameter", "Sequential",
           "functional", "init", "utils"]
