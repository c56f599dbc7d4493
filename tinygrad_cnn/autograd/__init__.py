"""Autograd's public names: primitive ops, grad mode, the backward walk, anomaly detection.

The pieces live in `grad_mode` (the switches), `function` (Function and its graph node,
Context), `graph` (the walk of the recorded graph), `engine` (the reverse walk's gradients)
and `abstract` (shape-only runs, `eval_shape`); this package's `__init__` gathers the public
ones under one name.
"""

from tinygrad_cnn.autograd.abstract import ShapeDtype
from tinygrad_cnn.autograd.engine import backward, grad
from tinygrad_cnn.autograd.function import Context, Function
from tinygrad_cnn.autograd.grad_mode import (
    current_scope,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    module_scope,
    no_grad,
)
from tinygrad_cnn.autograd.graph import scope_label, scope_path

__all__ = [
    "Context",
    "Function",
    "ShapeDtype",
    "backward",
    "current_scope",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "module_scope",
    "no_grad",
    "scope_label",
    "scope_path",
]
