"""DataLoader: a dataset in mini-batches, shuffled, augmented, prepared in background threads,
as `torch.utils.data.DataLoader`."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from tinygrad_cnn import random
from tinygrad_cnn.arguments import is_int, non_negative_int, positive_int
from tinygrad_cnn.data.dataset import Index, batch_of, positions
from tinygrad_cnn.tensor import Tensor


class DataLoader:
    """Iterate over a dataset in mini-batches, one pass per epoch.

    Each batch is `dataset.get_batch(index)` (a TensorDataset slices its tensors: views in
    order, a gather when shuffled, no Python loop over the samples), or with `collate_fn` the
    samples `dataset[i]` collated by it. With `shuffle`, a new order of the samples is drawn
    at the start of every epoch. The last batch is smaller when `batch_size` does not divide
    the length, unless `drop_last`. A `transform` (e.g. from `tinygrad_cnn.data.transforms`)
    is applied to the inputs of each batch (its first element), so every epoch sees freshly
    augmented images.

    With `num_workers > 0`, that many background threads prepare the next batches while the
    caller trains on this one (NumPy and Pillow release the GIL), and the batches come in the
    same order as without them. Each batch's random draws (a transform's) then come from a
    generator made for that batch in turn from the library's, so a seeded run repeats
    exactly, though with other numbers than without workers (as PyTorch's workers too).

    Args:
        dataset: a Dataset (e.g. `TensorDataset(x, y)`), or anything with `__getitem__` and
            `__len__`.
        batch_size: samples per batch, at least 1.
        shuffle: draw a new order of the samples at each epoch.
        drop_last: skip the last batch when it would be smaller than `batch_size`.
        collate_fn: makes a batch from a list of samples (default: the dataset's own batches,
            or `default_collate`).
        num_workers: background threads preparing batches (0: in the caller's thread).
        seed: seed of the loader's own generator for the order, so that the same seed gives
            the same sequence of epochs; None uses the library generator
            (`tinygrad_cnn.manual_seed`).
        transform: a function from a batch of inputs (an array `(B, ...)`) to a new array. It
            must not write into its argument, which may be a view of the data. Random
            transforms draw from the library generator, not from the loader's `seed`.
        pin_memory: accepted for PyTorch's code; a CPU library has no device to copy to.
        prefetch_factor: batches each worker prepares ahead.

    Raises:
        TypeError: for a dataset without `__getitem__` and `__len__`, a `batch_size` or
            `num_workers` that is not an int (e.g. the arrays of the old `DataLoader(x, y,
            64)`: wrap them in a TensorDataset), or a `transform` or `collate_fn` that is not
            callable.
        ValueError: when `batch_size` < 1 or `num_workers` < 0.

    Examples:
        >>> import numpy as np
        >>> from tinygrad_cnn.data import DataLoader, TensorDataset
        >>> loader = DataLoader(TensorDataset(np.zeros((10, 3)), np.arange(10)), batch_size=4)
        >>> len(loader), [tuple(xb.shape) for xb, _ in loader]
        (3, [(4, 3), (4, 3), (2, 3)])
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        num_workers: int = 0,
        seed: int | None = None,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        pin_memory: bool = False,
        prefetch_factor: int = 2,
    ):
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: the dataset must have __getitem__ and __len__, got "
                            f"{type(dataset).__name__}")
        if hasattr(batch_size, "shape") and not is_int(batch_size):  # DataLoader(x, y, 64)
            raise TypeError("DataLoader: batch_size must be a positive int, got an array; to "
                            "batch arrays x and y, pass TensorDataset(x, y) as the dataset")
        self.batch_size = positive_int("DataLoader", "batch_size", batch_size)
        self.num_workers = non_negative_int("DataLoader", "num_workers", num_workers)
        self.prefetch_factor = positive_int("DataLoader", "prefetch_factor", prefetch_factor)
        for name, fn in (("transform", transform), ("collate_fn", collate_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} must be callable, got {fn!r}")
        self.dataset = dataset
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self.transform = transform
        self.pin_memory = pin_memory
        # Created once, so each epoch continues the stream: epoch k is the same for a given seed.
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def _indices(self) -> list[Index]:
        """Each batch's index into the dataset for one epoch: slices in order, or parts of a
        permutation drawn now."""
        n, b, stop = len(self.dataset), self.batch_size, len(self) * self.batch_size
        if not self.shuffle:
            return [slice(start, min(start + b, n)) for start in range(0, stop, b)]
        # Looked up per epoch, so a manual_seed() after building the loader takes effect.
        rng = self._rng if self._rng is not None else random.generator()
        order = rng.permutation(n)
        return [order[start : start + b] for start in range(0, stop, b)]

    def __iter__(self) -> Iterator[Any]:
        """Yield the epoch's batches, e.g. `[inputs, targets]` of a TensorDataset."""
        indices = self._indices()
        if self.num_workers == 0:
            for index in indices:
                yield self._batch(index)
            return
        yield from self._in_threads(indices)

    def _in_threads(self, indices: list[Index]) -> Iterator[Any]:
        """The batches prepared by `num_workers` threads, a few ahead, yielded in order."""
        ahead: collections.deque[Future[Any]] = collections.deque()
        with ThreadPoolExecutor(self.num_workers, thread_name_prefix="DataLoader") as pool:
            try:
                for index in indices:
                    # made here, in turn: the same numbers whichever thread draws first
                    rng = np.random.default_rng(random.generator().integers(2**63))
                    ahead.append(pool.submit(self._batch_drawing_from, index, rng))
                    if len(ahead) >= self.num_workers * self.prefetch_factor:
                        yield ahead.popleft().result()
                while ahead:
                    yield ahead.popleft().result()
            finally:
                for future in ahead:
                    future.cancel()

    def _batch_drawing_from(self, index: Index, rng: np.random.Generator) -> Any:
        with random.drawing_from(rng):
            return self._batch(index)

    def _batch(self, index: Index) -> Any:
        """One batch: the dataset's own, or its samples collated; inputs transformed."""
        if self.collate_fn is None:
            batch = batch_of(self.dataset, index)
        else:
            samples = positions(index, len(self.dataset))
            batch = self.collate_fn([self.dataset[int(i)] for i in samples])
        if self.transform is not None:
            inputs = batch[0].numpy() if isinstance(batch[0], Tensor) else np.asarray(batch[0])
            batch = [Tensor(self.transform(inputs)), *batch[1:]]
        return batch

    def __repr__(self) -> str:
        transform = "" if self.transform is None else f", transform={self.transform!r}"
        workers = f", num_workers={self.num_workers}" if self.num_workers else ""
        return (f"DataLoader({type(self.dataset).__name__}, samples={len(self.dataset)}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}{workers}{transform})")

