"""The text inside graph nodes: op attributes, tensor shapes, dtypes and gradients, compactly."""

from __future__ import annotations

from typing import Any

import graphviz
import numpy as np

from tinygrad_cnn.geometry import Geometry

# Attribute names shortened in op labels, so `conv2d stride=1 pad=0` fits in a box.
_SHORT_NAMES = {"padding": "pad", "kernel_size": "kernel", "dilation": "dil"}
# Window attributes whose equal per-dimension values collapse to one number, as PyTorch writes.
_PER_DIM = ("stride", "padding", "kernel_size", "dilation", "output_padding")
# Attributes left out at their usual value, to keep conv and pool boxes short.
_DEFAULTS = {"dilation": 1, "groups": 1}
_MAX_VALUE = 40  # longer attribute values are cut with "..."
_LINE = 40  # op labels longer than this put their attributes on extra lines


def format_shape(shape: tuple[int, ...]) -> str:
    """`(1, 6, 28, 28)`; a scalar is `()`."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def format_value(value: Any) -> str:
    """An attribute value in a few characters; arrays show their dtype and shape, not data."""
    if isinstance(value, np.ndarray):
        if value.size <= 1 and value.ndim == 0:
            return format_value(value.item())
        return f"{value.dtype}[{','.join(str(n) for n in value.shape)}]"
    if isinstance(value, bool) or value is None or value is Ellipsis:
        return {True: "True", False: "False", None: "None", Ellipsis: "..."}[value]
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    if isinstance(value, slice):
        parts = ["" if p is None else format_value(p) for p in (value.start, value.stop)]
        return ":".join(parts) + ("" if value.step is None else f":{format_value(value.step)}")
    if isinstance(value, (tuple, list)):
        inner = ",".join(format_value(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, str):
        return value
    return getattr(value, "__name__", type(value).__name__)


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def _compact_window(value: Any) -> Any:
    """Per-dim window values as PyTorch writes them: (1, 1) -> 1, ((1, 1), (2, 2)) -> (1, 2).

    Padding stored as (before, after) pairs stays as pairs unless every pair is symmetric.
    """
    if not isinstance(value, tuple) or not value:
        return value
    if all(isinstance(v, tuple) for v in value):
        if not all(len(v) == 2 and v[0] == v[1] for v in value):
            return value
        value = tuple(v[0] for v in value)
    return value[0] if all(v == value[0] for v in value) else value


def format_attrs(attrs: dict[str, Any]) -> list[str]:
    """`["stride=1", "pad=0"]`: None and False are left out, equal per-dim values collapse."""
    items = []
    for key, value in attrs.items():
        if isinstance(value, Geometry):  # a window op's geometry reads as its attributes
            items.extend(format_attrs(value.attributes()))
            continue
        if value is None or value is False:
            continue
        if key in _PER_DIM:
            value = _compact_window(value)
        if key in _DEFAULTS and _DEFAULTS[key] == value:
            continue
        if key == "index":  # written as the subscript it is: `index [0,int64[2]]`
            parts = value if isinstance(value, tuple) else (value,)
            items.append(_cut("[" + ",".join(format_value(p) for p in parts) + "]"))
            continue
        items.append(f"{_SHORT_NAMES.get(key, key)}={_cut(format_value(value))}")
    return items


def op_label(name: str, attrs: dict[str, Any]) -> str:
    """The op's name and attributes on one line, or wrapped when they are long."""
    items = format_attrs(attrs)
    one_line = " ".join([name, *items])
    if len(one_line) <= _LINE:
        return escape(one_line)
    lines, current = [name], ""
    for item in items:
        if current and len(current) + 1 + len(item) > _LINE:
            lines.append(current)
            current = item
        else:
            current = f"{current} {item}" if current else item
    lines.append(current)
    return join_lines(lines)


def tensor_lines(
    tensor: Any, name: str | None, show_shape: bool, show_dtype: bool, show_grad: bool
) -> list[str]:
    """The lines of a tensor node: its name, shape, dtype and gradient, as asked."""
    lines = [] if name is None else [name]
    if show_shape:
        lines.append(format_shape(tensor.shape))
    if show_dtype:
        lines.append(tensor.dtype.name)
    grad = getattr(tensor, "grad", None)
    if show_grad and grad is not None:
        norm = float(np.linalg.norm(np.asarray(grad.data, dtype=np.float64)))
        lines.append(f"grad {format_shape(grad.shape)} norm={norm:.4g}")
    return lines


def constant_label(tensor: Any) -> str:
    """A one-element constant shows its value (`2`), others their shape."""
    if tensor.numel() == 1:
        return escape(format_value(tensor.data.reshape(()).item()))
    return escape(format_shape(tensor.shape))


def escape(text: str) -> str:
    """Text made safe inside a DOT label (backslashes kept literal)."""
    return str(graphviz.escape(text))


def join_lines(lines: list[str]) -> str:
    """Escaped lines joined by DOT's centred line break."""
    return "\\n".join(escape(line) for line in lines)
