"""default_collate: a list of samples made into one batch, as `torch.utils.data.default_collate`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tinygrad_cnn.tensor import Tensor


def default_collate(batch: Sequence[Any]) -> Any:
    """Samples stacked into a batch along a new first dim, by the structure of the first one.

    Tensors and ndarrays are stacked into a tensor; Python floats give a float64 tensor, ints
    int64 and bools bool (as PyTorch); strings stay as they are; dicts, named tuples, tuples and
    lists are collated field by field (a tuple or list gives a list, as PyTorch's does).

    Args:
        batch: the samples, each of the same structure.

    Returns:
        The batch.

    Raises:
        TypeError: for a sample of another kind.
        ValueError: for sequences of different lengths, or tensors of different shapes.

    Examples:
        >>> from tinygrad_cnn.data import default_collate
        >>> import tinygrad_cnn as tg
        >>> images, labels = default_collate([(tg.zeros(2, 2), 3), (tg.ones(2, 2), 5)])
        >>> images.shape, labels.tolist()
        ((2, 2, 2), [3, 5])
    """
    first = batch[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [np.asarray(x.numpy() if isinstance(x, Tensor) else x) for x in batch]
        if len({a.shape for a in arrays}) != 1:
            raise ValueError(f"default_collate: samples of different shapes "
                             f"{sorted({a.shape for a in arrays})} cannot be stacked")
        return Tensor(np.stack(arrays))
    if isinstance(first, (bool, int, float)):
        return Tensor(np.array(batch, dtype=_NUMBER_DTYPES[type(first)]))
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a named tuple
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if len({len(sample) for sample in batch}) != 1:
            raise ValueError("default_collate: each sample in the batch must have the same "
                             "length")
        return [default_collate(field) for field in zip(*batch)]
    raise TypeError(f"default_collate: a batch must hold tensors, arrays, numbers, strings, "
                    f"dicts or sequences of them; found {type(first).__name__}")


# Python numbers become PyTorch's dtypes for them (bool first: a bool is also an int).
_NUMBER_DTYPES = {bool: np.bool_, int: np.int64, float: np.float64}
