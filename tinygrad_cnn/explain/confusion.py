"""The confusion matrix: how often each true class is predicted as each class."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.arguments import check_memory, positive_int
from tinygrad_cnn.explain import checks


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Args:
        y_true: the true class of each sample (N,), integers.
        y_pred: the predicted class of each sample (N,), integers.
        num_classes: the number of classes K; labels run from 0 to K - 1.

    Returns:
        int64 array (K, K): entry [i, j] counts the samples of class i predicted as j, so
        rows are true classes, the diagonal holds the right answers and each row sums to the
        number of samples of its class.

    Raises:
        ValueError: when the two are not 1-D integer arrays of one length, or a label is
            outside [0, num_classes), or num_classes < 1 or so large that the matrix would
            not fit in memory.
        TypeError: for a num_classes that is not an int.

    Examples:
        >>> confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], 3)
        array([[1, 1, 0],
               [0, 1, 0],
               [0, 0, 1]])
    """
    op = "confusion_matrix"
    num_classes = positive_int(op, "num_classes", num_classes)
    # the counts, then the matrix: two int64 arrays of num_classes² entries
    check_memory(op, f"num_classes={num_classes} (a {num_classes} x {num_classes} matrix)",
                 2 * 8 * num_classes**2)
    n = len(np.atleast_1d(np.asarray(y_true)))
    true = checks.classes(op, y_true, n, num_classes, "y_true")
    predicted = checks.classes(op, y_pred, n, num_classes, "y_pred")
    counts = np.bincount(true * num_classes + predicted, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)
