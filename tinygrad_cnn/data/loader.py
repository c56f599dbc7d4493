"""DataLoader: mini-batches of (inputs, targets) Tensors over arrays, shuffled and augmented."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from tinygrad_cnn import random
from tinygrad_cnn.arguments import positive_int
from tinygrad_cnn.tensor import Tensor


def _as_array(data: Any) -> np.ndarray:
    return data.data if isinstance(data, Tensor) else np.asarray(data)


class DataLoader:
    """Iterate over `(x, y)` in mini-batches of Tensors, one pass per epoch.

    Batches are taken by slicing (views of `x` and `y`, no copy) or, with `shuffle=True`, by
    indexing with a slice of a permutation drawn afresh at the start of every epoch. The
    last batch is smaller when `batch_size` does not divide the length, unless `drop_last`.
    A `transform` (e.g. from `tinygrad_cnn.data.transforms`) is applied to each batch of
    inputs, never to the targets, so every epoch sees freshly augmented images.

    Args:
        x: inputs, an array or Tensor `(N, ...)`; batches keep its dtype.
        y: targets, an array or Tensor `(N, ...)`.
        batch_size: samples per batch, at least 1.
        shuffle: draw a new order of the samples at each epoch.
        seed: seed of the loader's own generator, so that the same seed gives the same
            sequence of epochs; None uses the library generator (`tinygrad_cnn.manual_seed`).
        drop_last: skip the last batch when it would be smaller than `batch_size`.
        transform: a function from a batch of inputs (an array `(B, ...)`) to a new array,
            applied before the batch becomes a Tensor. It must not write into its argument,
            which may be a view of `x`. Random transforms draw from the library generator
            (`tinygrad_cnn.manual_seed`), not from the loader's `seed`.

    Raises:
        TypeError: when `batch_size` is not an int or `transform` is not callable.
        ValueError: when `batch_size` < 1, `x` or `y` is a scalar, or their lengths differ.

    Examples:
        >>> import numpy as np
        >>> loader = DataLoader(np.zeros((10, 3)), np.arange(10), batch_size=4)
        >>> len(loader), [tuple(xb.shape) for xb, _ in loader]
        (3, [(4, 3), (4, 3), (2, 3)])
    """

    def __init__(
        self,
        x: np.ndarray | Tensor,
        y: np.ndarray | Tensor,
        batch_size: int,
        shuffle: bool = False,
        seed: int | None = None,
        drop_last: bool = False,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
    ):
        x, y = _as_array(x), _as_array(y)
        shapes = f"x {x.shape}, y {y.shape}"
        batch_size = positive_int("DataLoader", "batch_size", batch_size, f"; {shapes}")
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(f"DataLoader: x and y must have a batch dimension, got {shapes}")
        if len(x) != len(y):
            raise ValueError(
                f"DataLoader: x and y must have the same length, got {len(x)} and {len(y)}; "
                f"{shapes}"
            )
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {transform!r}")
        self.x, self.y = x, y
        self.transform = transform
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        # Created once, so each epoch continues the stream: epoch k is the same for a given seed.
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n, b = len(self.x), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        """Yield the epoch's `(x_batch, y_batch)` Tensors, `(B, ...)` each."""
        n, b = len(self.x), self.batch_size
        stop = len(self) * b
        if not self.shuffle:
            for start in range(0, stop, b):
                yield self._inputs(self.x[start : start + b]), Tensor(self.y[start : start + b])
            return
        # Looked up per epoch, so a manual_seed() after building the loader takes effect.
        rng = self._rng if self._rng is not None else random.generator()
        order = rng.permutation(n)
        for start in range(0, stop, b):
            idx = order[start : start + b]
            yield self._inputs(self.x[idx]), Tensor(self.y[idx])

    def _inputs(self, xb: np.ndarray) -> Tensor:
        return Tensor(xb if self.transform is None else self.transform(xb))

    def __repr__(self) -> str:
        transform = "" if self.transform is None else f", transform={self.transform!r}"
        return (
            f"DataLoader(samples={len(self.x)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}{transform})"
        )
