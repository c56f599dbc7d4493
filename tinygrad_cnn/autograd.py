"""Autograd's public names: primitive ops, grad mode, the backward walk, anomaly detection.

The pieces live in `grad_mode` (the switches), `function` (Function and its graph node,
Context) and `engine` (the reverse walk); this module gathers them under one name.
"""

from tinygrad_cnn.engine import backward, grad
from tinygrad_cnn.function import Context, Function, ShapeDtype, scope_label, scope_path
from tinygrad_cnn.grad_mode import (
    current_scope,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    module_scope,
    no_grad,
)

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
