"""The checks at the boundary of `explain`: images, layer names, class scores and labels."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.nn import Conv2d, Module
from tinygrad_cnn.tensor import Tensor


def images(op: str, x: Any) -> np.ndarray:
    """`x` (an ndarray or Tensor) as a float array of images (N, C, H, W), at least one.

    Raises:
        ValueError: for another rank, an empty batch or a non-float dtype.
    """
    data = np.asarray(x.data if isinstance(x, Tensor) else x)
    if data.ndim != 4:
        hint = "; for one image pass x[None]" if data.ndim == 3 else ""
        raise ValueError(f"{op}: x must be a batch of images (N, C, H, W), got shape "
                         f"{data.shape}{hint}")
    if data.dtype.kind != "f":
        raise ValueError(f"{op}: x must hold floating-point pixels, got dtype {data.dtype}; "
                         "convert it first, e.g. x.astype(np.float32) / 255")
    if len(data) == 0:
        raise ValueError(f"{op}: x holds no images; shape {data.shape}")
    return data


def layer(op: str, model: Module, name: Any) -> Module:
    """The module called `name` in `model.named_modules()`.

    Raises:
        TypeError: when `name` is not a string.
        ValueError: when no module has that name; the message lists the names there are.
    """
    if not isinstance(name, str):
        raise TypeError(f"{op}: a layer is named by a string, got {type(name).__name__}")
    modules = dict(model.named_modules())
    if name not in modules:
        names = ", ".join(n for n in modules if n)
        raise ValueError(f"{op}: the model has no layer {name!r}; its layers are: {names}")
    return modules[name]


def conv_layers(op: str, model: Module) -> list[str]:
    """The dotted names of the model's Conv2d layers, in `named_modules()` order.

    Raises:
        ValueError: when there is none (then a layer must be named).
    """
    names = [name for name, module in model.named_modules() if isinstance(module, Conv2d)]
    if not names:
        raise ValueError(f"{op}: the model has no Conv2d layer; name one with layer=")
    return names


def scores(op: str, output: Any, n: int) -> Tensor:
    """The model's output, checked to be class scores (n, classes).

    Raises:
        ValueError: for any other output, or scores that are NaN or infinite.
    """
    if not isinstance(output, Tensor) or output.ndim != 2 or output.shape[0] != n:
        shape = output.shape if isinstance(output, Tensor) else type(output).__name__
        raise ValueError(f"{op}: the model must return class scores ({n}, classes) for {n} "
                         f"images, got {shape}")
    broken = ~np.isfinite(output.data).all(axis=1)
    if broken.any():  # an argmax of NaN scores is a class, and every answer would be wrong
        raise ValueError(f"{op}: the model's scores are NaN or infinite for {broken.sum()} of "
                         f"{n} images (the first: image {np.argmax(broken)}); a model whose "
                         "outputs are not finite has nothing to explain")
    return output


def classes(op: str, labels: Any, n: int, num_classes: int, what: str = "target") -> np.ndarray:
    """Class indices, one per image: `labels` an int (for all) or n ints in [0, num_classes).

    Raises:
        ValueError: for non-integers, another count, or a class out of range.
    """
    array = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{op}: {what} must hold integer class indices, got dtype "
                         f"{array.dtype}")
    if array.ndim == 0 and what == "target":
        array = np.full(n, array)
    if array.shape != (n,):
        raise ValueError(f"{op}: {what} must be one class index per image, ({n},), got shape "
                         f"{array.shape}")
    outside = array[(array < 0) | (array >= num_classes)]
    if outside.size:
        raise ValueError(f"{op}: {what} {outside[0]} is not a class: there are {num_classes} "
                         f"(0 to {num_classes - 1})")
    return array.astype(np.int64)


def targets(op: str, target: Any, logits: np.ndarray) -> np.ndarray:
    """The class scored for each image: `target`, or the predicted class where it is None."""
    if target is None:
        return logits.argmax(axis=1)
    return classes(op, target, *logits.shape)
