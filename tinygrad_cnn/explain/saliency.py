"""Saliency maps: how much each pixel moves the score of a class, plain or smoothed (SmoothGrad)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_cnn import random
from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.autograd import enable_grad, grad, no_grad
from tinygrad_cnn.explain import checks
from tinygrad_cnn.explain.guard import inspecting
from tinygrad_cnn.nn import Module
from tinygrad_cnn.tensor import Tensor


def saliency(model: Module, x: Any, target: Any = None, samples: int | None = None,
             noise: float = 0.15) -> np.ndarray:
    """The saliency map of each image: max over channels of |d score / d pixel| (Simonyan et
    al., 2013).

    The score is the model's output for the target class, before any softmax. Images are
    independent in eval mode, so one backward of the summed scores gives every image's
    gradient at once. With `samples`, SmoothGrad (Smilkov et al., 2017): the map averaged
    over `samples` copies of each image with Gaussian noise added, drawn from the library's
    seeded generator; the target is still the class predicted for the clean image.

    Args:
        model: a classifier mapping images (N, C, H, W) to scores (N, classes).
        x: images (N, C, H, W), float, as an ndarray or Tensor (it is not modified).
        target: the class whose score is explained: None for each image's predicted class,
            an int for all images, or one int per image (N,).
        samples: None for the plain gradient; a positive int for SmoothGrad with that many
            noisy copies (run `PASS_IMAGES` images at a time, so any number fits in memory).
        noise: SmoothGrad's noise standard deviation, as a fraction of each image's range
            (max - min); 0.1 to 0.2 works well.

    Returns:
        float array (N, H, W), non-negative, in the input's dtype.

    Raises:
        ValueError: for images that are not float (N, C, H, W), a model that does not return
            (N, classes), a target out of range, samples < 1 or a negative noise.
        TypeError: when `model` is not a Module or `samples` not an int.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> model = models.lenet5()
        >>> x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
        >>> saliency(model, x, target=3).shape
        (2, 28, 28)
        >>> saliency(model, x, samples=4).shape
        (2, 28, 28)
    """
    op = "saliency"
    images = checks.images(op, x)
    if samples is not None:
        samples = positive_int(op, "samples", samples, " (or None for the plain gradient)")
    _check_noise(noise)
    with inspecting(model, op):
        if samples is None:
            return _max_abs(_input_gradient(model, images, target))
        with no_grad():
            logits = checks.scores(op, model(Tensor(images)), len(images)).data
        chosen = checks.targets(op, target, logits)
        return _smoothgrad(model, images, chosen, samples, noise)


# SmoothGrad runs its noisy copies this many images at a time (at least one copy of every
# image per pass), so memory stays that of one batch however many samples are asked for.
PASS_IMAGES = 256


def _smoothgrad(model: Module, images: np.ndarray, chosen: np.ndarray, samples: int,
                noise: float) -> np.ndarray:
    """The mean of `samples` maps of noisy copies, computed a pass of copies at a time (the
    noise drawn pass by pass is the same stream as drawn at once)."""
    spread = np.ptp(images, axis=(1, 2, 3), keepdims=True) * noise
    per_pass = max(1, PASS_IMAGES // len(images))
    total = np.zeros((len(images), *images.shape[2:]))
    for start in range(0, samples, per_pass):
        count = min(per_pass, samples - start)
        draws = random.generator().standard_normal((count, *images.shape))
        noisy = (images + spread * draws).astype(images.dtype).reshape(-1, *images.shape[1:])
        maps = _max_abs(_input_gradient(model, noisy, np.tile(chosen, count)))
        total += maps.reshape(count, *chosen.shape, *maps.shape[1:]).sum(axis=0)
    return (total / samples).astype(images.dtype)


def _check_noise(noise: float) -> None:
    if not (isinstance(noise, (int, float, np.floating)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"saliency: noise must be a finite number >= 0, got {noise!r}")


def _input_gradient(model: Module, images: np.ndarray, target: Any) -> np.ndarray:
    """d score / d images (N, C, H, W), the score of `target` (None: the predicted class)."""
    leaf = Tensor(images, requires_grad=True)
    with enable_grad():
        logits = checks.scores("saliency", model(leaf), len(images))
        chosen = checks.targets("saliency", target, logits.data)
        (gradient,) = grad(logits[np.arange(len(images)), chosen].sum(), leaf)
    return gradient.data


def _max_abs(gradient: np.ndarray) -> np.ndarray:
    return np.abs(gradient).max(axis=1)
