"""Dtypes and the one device: PyTorch's type promotion, the float result of integer inputs,
the arguments of `.to()`, and the CPU as the only device.

Rules on dtypes alone (no tensor is made here): `result_type` is what `a + b` gives, with
Python scalars "weak" as in PyTorch (an int64 tensor + 0.5 is float32, not NumPy's float64).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Scalar = bool | int | float | complex

# PyTorch's kinds of dtype, lowest first: between kinds the higher one wins (int64 + float16 is
# float16); within one, NumPy's promotion (uint8 + int8 is int16), as in `torch.promote_types`.
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
# The dtype of a Python scalar: torch's default dtypes (float32, not NumPy's float64).
_SCALAR_DTYPES = {"b": np.dtype(bool), "i": np.dtype(np.int64), "u": np.dtype(np.int64),
                  "f": np.dtype(np.float32), "c": np.dtype(np.complex64)}


def promote_types(a: Any, b: Any) -> np.dtype:
    """PyTorch's `promote_types`: the dtype of the higher kind (bool < int < float < complex),
    or NumPy's promotion of two dtypes of one kind."""
    a, b = np.dtype(a), np.dtype(b)
    rank_a, rank_b = _KIND_RANK[a.kind], _KIND_RANK[b.kind]
    if rank_a != rank_b:
        return a if rank_a > rank_b else b
    return np.promote_types(a, b)


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an op's result, by PyTorch's type promotion.

    Operands are tensors or arrays (anything with `dtype` and `ndim`) or Python scalars. Three
    tiers, each promoted within itself: tensors with dims, 0-d tensors, then scalars (which are
    "weak": float32 for a float). A lower tier changes the result only when it is of a higher
    kind: an int64 tensor + 0.5 is float32, a float16 tensor + 0.5 stays float16, an int32
    tensor + 5 stays int32.
    """
    tiers: list[np.dtype | None] = [None, None, None]
    for x in operands:
        if isinstance(x, (bool, int, float, complex, np.generic)):
            tier, dtype = 2, _SCALAR_DTYPES[np.asarray(x).dtype.kind]
        else:
            tier, dtype = (0 if x.ndim else 1), x.dtype
        known = tiers[tier]
        tiers[tier] = dtype if known is None else promote_types(known, dtype)
    return _combine(tiers[0], _combine(tiers[1], tiers[2]))  # type: ignore[return-value]


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A tier's dtype joined with a lower tier's (c10's `combine_categories`)."""
    if higher is None or lower is None:
        return lower if higher is None else higher
    if higher.kind in "fc":
        return higher
    if higher.kind == "b" or lower.kind in "fc":
        return promote_types(higher, lower)
    return higher


def floating(dtype: np.dtype) -> np.dtype:
    """`dtype` when it is floating point, else float32: the dtype of a true division, exp, log
    or sqrt of integers, as PyTorch's (NumPy would give float64)."""
    return dtype if dtype.kind in "fc" else np.dtype(np.float32)


def check_floating(op: str, dtype: np.dtype) -> None:
    """Raise unless `dtype` is floating point (as PyTorch's mean and var)."""
    if dtype.kind not in "fc":
        raise TypeError(f"{op}: input dtype {dtype} is not floating point; call .float() "
                        "first (as PyTorch)")


def check_device(op: str, device: Any) -> None:
    """Accept no device or the CPU, the one this NumPy library computes on; refuse any other.

    Raises:
        ValueError: for a device other than the CPU (`"cuda"`, `"mps"`, ...), in one line.
    """
    if device is None:
        return
    name = str(getattr(device, "type", device))  # a string or a torch.device
    if name.split(":")[0] != "cpu":
        raise ValueError(f"{op}: device {str(device)!r} is not available: tinygrad_cnn computes "
                         "on the CPU alone (NumPy); use device='cpu' or leave it out")


def to_dtype(op: str, args: Sequence[Any], dtype: Any = None, device: Any = None
             ) -> np.dtype | None:
    """The dtype a `.to(...)` call asks for (None: keep it), checking every device it names.

    PyTorch's forms: `.to(dtype)`, `.to("cpu")`, `.to(device, dtype)`, `.to(other)` (the
    other tensor's dtype), and the `dtype=` / `device=` keywords.
    """
    check_device(op, device)
    for arg in args:
        if isinstance(arg, (np.dtype, type)) or (isinstance(arg, str) and _names_dtype(arg)):
            dtype = arg
        elif hasattr(arg, "dtype") and hasattr(arg, "shape"):
            dtype = arg.dtype
        else:
            check_device(op, arg)
    return None if dtype is None else np.dtype(dtype)


def _names_dtype(text: str) -> bool:
    """True for a string NumPy reads as a dtype ("float32"), False for a device ("cpu")."""
    try:
        np.dtype(text)
    except TypeError:
        return False
    return True
