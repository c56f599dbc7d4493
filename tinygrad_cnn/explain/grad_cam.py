"""Grad-CAM: where a conv layer's evidence for a class lies, as a heat map over the input."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.autograd import enable_grad, grad, no_grad
from tinygrad_cnn.explain import checks
from tinygrad_cnn.explain.capture import capturing
from tinygrad_cnn.explain.guard import inspecting
from tinygrad_cnn.nn import Module
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.tensor import Tensor


def grad_cam(model: Module, x: Any, target: Any = None, layer: str | None = None) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017) of each image, at the input's size, in [0, 1].

    With A the layer's activations (N, K, h, w) and y the target class's score (before any
    softmax), each channel is weighted by its spatially averaged gradient,
    α_k = mean_ij ∂y/∂A_kij, and the map is ReLU(Σ_k α_k A_k). It is resized to the input's
    (H, W) with `F.interpolate(mode="bilinear", align_corners=False)` and divided by its
    maximum, so each map peaks at 1; a map with no positive evidence stays all zero.

    Only the layer's output and what follows it are recorded: the forward up to the layer
    runs without a graph, and the backward stops at the layer.

    Args:
        model: a classifier mapping images (N, C, H, W) to scores (N, classes).
        x: images (N, C, H, W), float, as an ndarray or Tensor.
        target: the class explained: None for each image's predicted class, an int for all
            images, or one int per image (N,).
        layer: the dotted name (from `model.named_modules()`) of a module that runs once and
            returns (N, K, h, w); default the last Conv2d.

    Returns:
        float array (N, H, W) in [0, 1].

    Raises:
        ValueError: for images that are not float (N, C, H, W), a layer name the model does
            not have (the message lists those it has), a layer that does not run exactly once,
            does not return (N, K, h, w) or does not affect the scores, a model that does not
            return (N, classes), or a target out of range.
        TypeError: when `model` is not a Module or `layer` not a string.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> model = models.lenet5()
        >>> x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
        >>> cam = grad_cam(model, x, layer="features.3")  # the default: the last Conv2d
        >>> cam.shape, bool(cam.min() >= 0 and cam.max() <= 1)
        ((2, 28, 28), True)
    """
    op = "grad_cam"
    images = checks.images(op, x)
    name = checks.conv_layers(op, model)[-1] if layer is None else layer
    module = checks.layer(op, model, name)
    with inspecting(model, op), capturing(op, {name: module}, as_leaf=True) as seen, \
            enable_grad():
        logits = checks.scores(op, model(Tensor(images)), len(images))
        activations = _feature_map(op, name, seen.one(name), len(images))
        if not logits.requires_grad:
            raise ValueError(f"{op}: the scores do not depend on layer {name!r}")
        chosen = checks.targets(op, target, logits.data)
        (gradient,) = grad(logits[np.arange(len(images)), chosen].sum(), activations)
    weights = gradient.data.mean(axis=(2, 3), keepdims=True)  # α: (N, K, 1, 1)
    cam = np.maximum((weights * activations.data).sum(axis=1), 0)  # (N, h, w)
    return _normalised(_resized(cam, images.shape[2:]))


def _feature_map(op: str, name: str, output: Tensor, n: int) -> Tensor:
    if output.ndim != 4 or output.shape[0] != n:
        raise ValueError(f"{op}: layer {name!r} returns {output.shape}; Grad-CAM needs feature "
                         f"maps ({n}, K, h, w), from a conv layer or a block of them")
    return output


def _resized(cam: np.ndarray, size: tuple[int, ...]) -> np.ndarray:
    with no_grad():
        resized = F.interpolate(Tensor(cam[:, None]), size=tuple(size), mode="bilinear",
                                align_corners=False)
    return resized.data[:, 0]


def _normalised(cam: np.ndarray) -> np.ndarray:
    peaks = cam.max(axis=(1, 2), keepdims=True)
    return np.divide(cam, peaks, out=np.zeros_like(cam), where=peaks > 0)
