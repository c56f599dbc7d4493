"""Neural-network building blocks: `functional` ops, modules and layers."""

from tinygrad_cnn.nn import functional

__all__ = ["functional"]
