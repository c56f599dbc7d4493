"""Tests for DataLoader: batching, length, drop_last, shuffling determinism and validation."""

import numpy as np
import pytest

import tinygrad_cnn
from tinygrad_cnn import Tensor
from tinygrad_cnn.data import DataLoader


def _data(n=10):
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3)
    y = np.arange(n, dtype=np.int64)
    return x, y


def _epoch(loader):
    return [yb.numpy().tolist() for _, yb in loader]


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "sizes"),
    [
        (10, 4, False, [4, 4, 2]),
        (10, 4, True, [4, 4]),
        (8, 4, False, [4, 4]),
        (8, 4, True, [4, 4]),
        (3, 5, False, [3]),
        (3, 5, True, []),
        (0, 2, False, []),
        (5, 1, False, [1, 1, 1, 1, 1]),
    ],
)
def test_batches_and_len(n, batch_size, drop_last, sizes):
    x, y = _data(n)
    loader = DataLoader(x, y, batch_size, drop_last=drop_last)
    assert len(loader) == len(sizes)
    batches = list(loader)
    assert [len(xb) for xb, _ in batches] == sizes
    for shuffle in (False, True):
        assert len(list(DataLoader(x, y, batch_size, shuffle, 0, drop_last))) == len(sizes)


def test_in_order_without_shuffle():
    x, y = _data(10)
    batches = list(DataLoader(x, y, batch_size=4))
    assert all(isinstance(xb, Tensor) and isinstance(yb, Tensor) for xb, yb in batches)
    np.testing.assert_array_equal(np.concatenate([xb.numpy() for xb, _ in batches]), x)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in batches]), y)
    xb, yb = batches[0]
    assert xb.shape == (4, 2, 3) and xb.dtype == np.float32 and yb.dtype == np.int64
    assert not xb.requires_grad


def test_shuffle_is_a_permutation_and_keeps_pairs():
    x, y = _data(10)
    seen = []
    for xb, yb in DataLoader(x, y, batch_size=3, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb.numpy(), x[yb.numpy()])  # x and y stay paired
        seen.extend(yb.numpy().tolist())
    assert sorted(seen) == list(range(10)) and seen != list(range(10))


def test_shuffle_seed_gives_same_epochs_and_epochs_differ():
    x, y = _data(20)
    a = DataLoader(x, y, batch_size=6, shuffle=True, seed=7)
    b = DataLoader(x, y, batch_size=6, shuffle=True, seed=7)
    epochs_a = [_epoch(a) for _ in range(3)]
    epochs_b = [_epoch(b) for _ in range(3)]
    assert epochs_a == epochs_b
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]
    assert _epoch(DataLoader(x, y, batch_size=6, shuffle=True, seed=8)) != epochs_a[0]


def test_shuffle_without_seed_follows_manual_seed():
    x, y = _data(20)
    tinygrad_cnn.manual_seed(3)
    first = [_epoch(DataLoader(x, y, batch_size=6, shuffle=True)) for _ in range(2)]
    loader = DataLoader(x, y, batch_size=6, shuffle=True)
    tinygrad_cnn.manual_seed(3)  # seeding after building the loader still applies
    assert [_epoch(loader) for _ in range(2)] == first


def test_accepts_tensors():
    x, y = _data(6)
    loader = DataLoader(Tensor(x), Tensor(y), batch_size=4)
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.numpy(), x[:4])
    assert yb.dtype == np.int64


def test_validation_errors():
    x, y = _data(10)
    with pytest.raises(
        ValueError,
        match=r"DataLoader: x and y must have the same length, got "
        r"10 and 9; x \(10, 2, 3\), y \(9,\)",
    ):
        DataLoader(x, y[:9], batch_size=2)
    with pytest.raises(
        ValueError,
        match=r"DataLoader: batch_size must be a positive int, got 0; "
        r"x \(10, 2, 3\), y \(10,\)",
    ):
        DataLoader(x, y, batch_size=0)
    with pytest.raises(ValueError, match=r"batch_size must be a positive int, got -3"):
        DataLoader(x, y, batch_size=-3)
    with pytest.raises(TypeError, match=r"DataLoader: batch_size must be a positive int, got 2\.0"):
        DataLoader(x, y, batch_size=2.0)
    with pytest.raises(TypeError, match=r"batch_size must be a positive int, got True"):
        DataLoader(x, y, batch_size=True)
    with pytest.raises(ValueError, match=r"DataLoader: x and y must have a batch dimension"):
        DataLoader(np.float32(1.0), y, batch_size=1)


def test_len_and_repr():
    x, y = _data(10)
    loader = DataLoader(x, y, batch_size=np.int64(3), shuffle=True, seed=0)
    assert len(loader) == 4 and loader.batch_size == 3
    assert repr(loader) == "DataLoader(samples=10, batch_size=3, shuffle=True, drop_last=False)"
