"""Class labels, checked where data is loaded: labels size the model, so a corrupt one must not."""

from __future__ import annotations

import numpy as np

# More classes than any classification set these loaders read (ImageNet-21k has 21,841): a
# label beyond it is a corrupt file, and sizing a model from it would take gigabytes.
MAX_CLASSES = 100_000


def check_labels(labels: np.ndarray, source: str, classes: int = MAX_CLASSES) -> None:
    """Refuse labels that are not class indices in [0, classes), naming the first bad one.

    Args:
        labels: integer labels `(N,)`.
        source: what they come from, the start of the message (a file name).
        classes: the data set's declared number of classes, else the bound on any data set.

    Raises:
        ValueError: for a negative label or one of `classes` or more, naming `source`, the
            label and its position.

    Examples:
        >>> check_labels(np.array([3, -1]), "labels.idx")
        Traceback (most recent call last):
        ...
        ValueError: labels.idx: label -1 at position 1 is negative; labels are class indices ...
    """
    bad = (labels < 0) | (labels >= classes)
    if not bad.any():
        return
    at = int(np.argmax(bad))
    label = int(labels[at])
    problem = "is negative" if label < 0 else "is too large"
    raise ValueError(f"{source}: label {label} at position {at} {problem}; labels are class "
                     f"indices from 0 to {classes - 1:,}")

