"""A module's state as named tensors: collecting it and loading it back, key by key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from tinygrad_cnn.nn.module import Module
    from tinygrad_cnn.tensor import Tensor


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` could not match, as in PyTorch."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def collect(root: Module) -> dict[str, Tensor]:
    """Parameters then persistent buffers of each module, depth first, by dotted name: each a
    detached tensor sharing the parameter's memory, as PyTorch's."""
    return {name: t.detach() for name, t in _tensors(root).items()}


def _tensors(root: Module) -> dict[str, Tensor]:
    """The tensors behind `collect`'s arrays, by the same names."""
    state: dict[str, Tensor] = {}
    for prefix, module in root.named_modules():
        dot = f"{prefix}." if prefix else ""
        for name, param in module._parameters.items():
            if param is not None:
                state[dot + name] = param
        for name, buffer in module._buffers.items():
            if buffer is not None and name not in module._non_persistent:
                state[dot + name] = buffer
    return state


def load(root: Module, state_dict: Mapping[str, Any], strict: bool) -> IncompatibleKeys:
    """Copy `state_dict` into `root`'s arrays in place, once every entry is known to fit.

    Checked first, all at once: keys, shapes and dtypes. So a bad entry raises before any
    array is written, and the model is never left half-loaded.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
    tensors = _tensors(root)
    own = {name: t.data for name, t in tensors.items()}
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    values = {k: _array(v) for k, v in state_dict.items() if k in own}
    misshaped = [
        f"{k} (expected {own[k].shape}, got {v.shape})"
        for k, v in values.items()
        if v.shape != own[k].shape
    ]
    mistyped = [
        f"{k} ({v.dtype} into {own[k].dtype})"
        for k, v in values.items()
        if not _fits(v.dtype, own[k].dtype)
    ]
    problems = []
    if strict and missing:
        problems.append("missing keys: " + ", ".join(missing))
    if strict and unexpected:
        problems.append("unexpected keys: " + ", ".join(unexpected))
    if misshaped:
        problems.append("mis-shaped keys: " + ", ".join(misshaped))
    if mistyped:
        problems.append("mis-typed keys: " + ", ".join(mistyped))
    if problems:
        raise ValueError(f"load_state_dict for {type(root).__name__}: " + "; ".join(problems))
    for key, value in values.items():
        np.copyto(own[key], value, casting="unsafe")  # in place: optimisers keep their references
        tensors[key].mark_modified()
    return IncompatibleKeys(missing, unexpected)


def _array(value: Any) -> np.ndarray:
    """A state dict's value as an array: a tensor's (ours or PyTorch's: `.data`, then NumPy's
    protocol), an ndarray, or a number."""
    return np.asarray(getattr(value, "data", value))


def _fits(value: np.dtype, target: np.dtype) -> bool:
    """Numbers cast into numbers, but never strings or objects, and never complex into real:
    dropping the imaginary part would change the values, not just their precision."""
    if value.kind not in "biufc":
        return False
    return value.kind != "c" or target.kind == "c"
