"""Datasets as `torch.utils.data`'s: Dataset, TensorDataset, Subset, ConcatDataset and
random_split.

A dataset is indexed by sample (`dataset[i]`) and has a length. Ours also give a whole batch
at once, `get_batch(index)` with a slice or an int array: a TensorDataset slices its arrays,
no Python loop over the samples, so a DataLoader over arrays is as fast as slicing them.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from tinygrad_cnn import random
from tinygrad_cnn.data.collate import default_collate
from tinygrad_cnn.tensor import Tensor

Index = slice | np.ndarray


def positions(index: Index, length: int) -> np.ndarray:
    """A batch's index as an array of sample positions."""
    return np.arange(length)[index] if isinstance(index, slice) else np.asarray(index)


class Dataset:
    """The base of datasets: `dataset[i]` is a sample, `len(dataset)` their number.

    Subclasses define `__getitem__` and `__len__`; `get_batch` collates the samples of a batch
    one by one, which a subclass may do faster (TensorDataset slices). `a + b` is their
    ConcatDataset.
    """

    def __getitem__(self, index: int) -> Any:
        """The sample at `index`; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self) -> int:
        """The number of samples; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")

    def get_batch(self, index: Index) -> Any:
        """The samples at `index` (a slice or int array), collated by `default_collate`."""
        return default_collate([self[int(i)] for i in positions(index, len(self))])

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples that are rows of tensors of one length: sample i is `(t[i] for t in tensors)`.

    Args:
        *tensors: Tensors or arrays, each `(N, ...)`; arrays are shared, not copied.

    Attributes:
        tensors: the tensors, as given (arrays as Tensors over them).

    Raises:
        ValueError: for no tensor, a 0-d one, or tensors of different lengths.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn.data import TensorDataset
        >>> ds = TensorDataset(np.zeros((5, 3)), np.arange(5))
        >>> len(ds), [t.shape for t in ds[2]], [t.shape for t in ds.get_batch(slice(0, 4))]
        (5, [(3,), ()], [(4, 3), (4,)])
    """

    def __init__(self, *tensors: Any):
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t))
                             for t in tensors)
        shapes = [t.shape for t in self.tensors]
        if not shapes or any(not s for s in shapes) or len({s[0] for s in shapes}) != 1:
            raise ValueError(f"TensorDataset: expects tensors with one first dim of the same "
                             f"length, got shapes {shapes}")

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def get_batch(self, index: Index) -> list[Tensor]:
        """The rows at `index` of every tensor: views for a slice, copies for an array."""
        return [Tensor(t.numpy()[index]) for t in self.tensors]

    def __repr__(self) -> str:
        return f"TensorDataset({', '.join(str(t.shape) for t in self.tensors)})"


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order.

    Args:
        dataset: any dataset.
        indices: positions in it (ints).
    """

    def __init__(self, dataset: Any, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)

    def get_batch(self, index: Index) -> Any:
        """The underlying dataset's batch at these indices' positions."""
        return batch_of(self.dataset, self.indices[index])


class ConcatDataset(Dataset):
    """Datasets one after another: sample i of the first, then of the second, ...

    Args:
        datasets: the datasets.

    Attributes:
        cumulative_sizes: where each dataset ends in the concatenation.

    Raises:
        ValueError: for no dataset.
    """

    def __init__(self, datasets: Iterable[Any]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expects at least one dataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} "
                             "samples")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]

    def get_batch(self, index: Index) -> Any:
        """The batch from within one dataset when it lies there; else sample by sample."""
        wanted = positions(index, len(self))
        which = np.searchsorted(self.cumulative_sizes, wanted, side="right")
        if wanted.size and (which == which[0]).all():
            start = self.cumulative_sizes[which[0] - 1] if which[0] else 0
            return batch_of(self.datasets[which[0]], wanted - start)
        return super().get_batch(wanted)


def batch_of(dataset: Any, index: Index) -> Any:
    """`dataset.get_batch(index)`, or for a dataset without it its samples, collated."""
    if hasattr(dataset, "get_batch"):
        return dataset.get_batch(index)
    return default_collate([dataset[int(i)] for i in positions(index, len(dataset))])


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split `dataset` into non-overlapping random Subsets of the given lengths.

    Args:
        dataset: any dataset.
        lengths: the sizes, adding up to its length; or fractions adding up to 1, the
            remainder spread one by one over the first subsets (as PyTorch does).
        generator: draws the permutation (default: the library's seeded generator).

    Returns:
        One Subset per length.

    Raises:
        ValueError: when the lengths do not add up.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn.data import TensorDataset, random_split
        >>> train, val = random_split(TensorDataset(np.zeros((10, 2))), [0.8, 0.2])
        >>> len(train), len(val)
        (8, 2)
    """
    n = len(dataset)
    sizes = list(lengths)
    if sizes and all(0 <= f <= 1 for f in sizes) and math.isclose(sum(sizes), 1) and sum(
            sizes) != n:
        sizes = [math.floor(n * f) for f in sizes]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise ValueError(f"random_split: lengths {list(lengths)} do not add up to the "
                         f"dataset's {n} samples (or, as fractions, to 1)")
    order = (generator or random.generator()).permutation(n)
    ends = list(itertools.accumulate(sizes))
    return [Subset(dataset, order[end - size:end]) for size, end in zip(sizes, ends)]
