"""one_hot: class indices as rows of zeros with a one at each index, as PyTorch's."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_cnn.autograd import abstract
from tinygrad_cnn.tensor import Tensor


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """`tensor`'s class indices as one-hot rows: shape `(*tensor.shape, num_classes)`, int64.

    Args:
        tensor: integer class indices, a tensor or an array, any shape.
        num_classes: the row length; -1 means one more than the largest index (which a
            shape-only run cannot know, so it needs the number there).

    Raises:
        TypeError: when the indices are not integers.
        ValueError: when an index is negative or not below `num_classes`.

    Examples:
        >>> import tinygrad_cnn as tg
        >>> import tinygrad_cnn.nn.functional as F
        >>> F.one_hot(tg.tensor([2, 0]), 3).tolist()
        [[0, 0, 1], [1, 0, 0]]
    """
    labels = tensor if isinstance(tensor, Tensor) else Tensor(np.asarray(tensor))
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects integer class indices, got dtype {labels.dtype}")
    if num_classes == -1 and abstract.has_no_values(labels):
        raise ValueError("one_hot: a shape-only run needs num_classes, not -1: the row length "
                         "would depend on the values")

    def encode(values: np.ndarray) -> np.ndarray:
        count = int(values.max()) + 1 if num_classes == -1 and values.size else num_classes
        if values.size and (values.min() < 0 or values.max() >= count):
            raise ValueError(f"one_hot: class indices must be in [0, {count}), got "
                             f"{values.min()}..{values.max()}")
        return (values[..., None] == np.arange(max(count, 0))).astype(np.int64)

    shape = (*labels.shape, num_classes)
    return abstract.outside_graph(encode, (labels,), shape, np.int64, "one_hot")
