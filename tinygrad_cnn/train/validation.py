"""The validation data of `fit`: given as arrays, or split from the training data, seeded."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_cnn import random

Arrays = tuple[np.ndarray, np.ndarray]


def split_validation(
    X: np.ndarray, y: np.ndarray, validation_data: tuple[Any, Any] | None, fraction: float,
    seed: int | None,
) -> tuple[Arrays, tuple[Any, Any] | None]:
    """The training arrays and the validation data of `Classifier.fit`.

    With `fraction` > 0, a random `fraction` of the samples (rounded down, at least one; the
    same for the same seed) is held out for validation, in the order of the data, and the
    rest is trained on. Keras holds out the last samples instead; a random draw keeps a data
    set sorted by class (as many are) from validating on a class it never trained on.

    Args:
        X: the inputs (N, ...).
        y: the targets (N, ...).
        validation_data: `(X_val, y_val)`, or None.
        fraction: the share of the samples to hold out, from 0 (none) to below 1.
        seed: draws the held-out samples; None draws from the library generator.

    Returns:
        `((X_train, y_train), validation_data)`.

    Raises:
        TypeError: when `fraction` is not a number.
        ValueError: when `fraction` is outside [0, 1), when both `validation_data` and a
            fraction are given, or when the split would leave no sample to train on.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.floating)):
        raise TypeError(f"Classifier.fit: validation_split must be a number, got {fraction!r}")
    if not (math.isfinite(fraction) and 0.0 <= fraction < 1.0):
        raise ValueError(f"Classifier.fit: validation_split must be in [0, 1), got {fraction}")
    if fraction == 0.0:
        return (X, y), validation_data
    if validation_data is not None:
        raise ValueError("Classifier.fit: give validation_data or validation_split, not both")
    held = max(int(len(X) * fraction), 1)
    if held >= len(X):
        raise ValueError(f"Classifier.fit: validation_split={fraction} holds out all "
                         f"{len(X)} samples; none would be left to train on")
    rng = np.random.default_rng(seed) if seed is not None else random.generator()
    order = rng.permutation(len(X))
    val, train = np.sort(order[:held]), np.sort(order[held:])
    return (X[train], y[train]), (X[val], y[val])
