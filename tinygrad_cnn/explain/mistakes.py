"""The most confident mistakes of a model on a data set."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.autograd import no_grad
from tinygrad_cnn.explain import checks
from tinygrad_cnn.explain.guard import inspecting
from tinygrad_cnn.nn import Module
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.tensor import Tensor


class TopErrors(NamedTuple):
    """Misclassified samples, the most confident first; four arrays of one length.

    Attributes:
        index: each sample's position in the data set.
        true: its true class.
        predicted: the class the model gave it.
        confidence: the model's probability (softmax) for the predicted class.
    """

    index: np.ndarray
    true: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray


def top_errors(model: Module, x: Any, y: Any, k: int = 16, batch_size: int = 256
               ) -> TopErrors:
    """The `k` samples the model gets wrong with the highest confidence.

    The model runs in eval mode without recording, `batch_size` images at a time.

    Args:
        model: a classifier mapping images (N, C, H, W) to scores (N, classes).
        x: images (N, C, H, W), float.
        y: their true classes (N,), integers.
        k: how many mistakes to return at most (fewer when the model makes fewer).
        batch_size: images per forward pass.

    Returns:
        A `TopErrors` of at most `k` samples, by decreasing confidence (ties in data-set
        order).

    Raises:
        ValueError: for images that are not float (N, C, H, W), labels that are not one
            class per image, a model that does not return (N, classes), or k or batch_size
            below 1.
        TypeError: for a k or batch_size that is not an int.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn import models
        >>> x = np.random.default_rng(0).random((20, 1, 28, 28), dtype=np.float32)
        >>> errors = top_errors(models.lenet5(), x, np.zeros(20, dtype=np.int64), k=3)
        >>> len(errors.index) <= 3 and bool(np.all(errors.predicted != errors.true))
        True
    """
    op = "top_errors"
    images = checks.images(op, x)
    k, batch_size = positive_int(op, "k", k), positive_int(op, "batch_size", batch_size)
    probabilities = _probabilities(op, model, images, batch_size)
    true = checks.classes(op, y, len(images), probabilities.shape[1], "y")
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != true)
    confidence = probabilities[wrong, predicted[wrong]]
    order = np.argsort(-confidence, kind="stable")[:k]
    index = wrong[order]
    return TopErrors(index, true[index], predicted[index], confidence[order])


def _probabilities(op: str, model: Module, images: np.ndarray, batch_size: int) -> np.ndarray:
    """softmax(model(images)) (N, classes), batch by batch."""
    chunks = []
    with inspecting(model, op), no_grad():
        for start in range(0, len(images), batch_size):
            batch = images[start : start + batch_size]
            logits = checks.scores(op, model(Tensor(batch)), len(batch))
            chunks.append(F.softmax(logits, dim=1).data)
    return np.concatenate(chunks)
