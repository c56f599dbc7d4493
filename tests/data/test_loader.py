"""DataLoader over datasets, as torch.utils.data's: batching, length, drop_last, shuffling
determinism, collate_fn, background workers in the same order, validation."""

import threading

import numpy as np
import pytest
from torch_parity import torch_module

import tinygrad_cnn
from tinygrad_cnn import Tensor
from tinygrad_cnn.data import DataLoader, Dataset, Subset, TensorDataset
from tinygrad_cnn.data import transforms as T


def _data(n=10):
    x = np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3)
    y = np.arange(n, dtype=np.int64)
    return x, y


def _dataset(n=10):
    return TensorDataset(*_data(n))


def _epoch(loader):
    return [yb.numpy().tolist() for _, yb in loader]


class Squares(Dataset):
    """A dataset of per-sample Python values, batched sample by sample."""

    def __init__(self, n):
        self.n = n
        self.readers: list[str] = []

    def __getitem__(self, i):
        self.readers.append(threading.current_thread().name)
        return {"x": np.full(2, i, np.float32), "y": i * i}

    def __len__(self):
        return self.n


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
    loader = DataLoader(_dataset(n), batch_size, drop_last=drop_last)
    assert len(loader) == len(sizes)
    assert [len(xb) for xb, _ in loader] == sizes
    for shuffle in (False, True):
        for workers in (0, 2):
            assert len(list(DataLoader(_dataset(n), batch_size, shuffle, drop_last,
                                       num_workers=workers))) == len(sizes)


def test_in_order_without_shuffle_and_views_of_the_arrays():
    x, y = _data(10)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=4))
    assert all(isinstance(xb, Tensor) and isinstance(yb, Tensor) for xb, yb in batches)
    np.testing.assert_array_equal(np.concatenate([xb.numpy() for xb, _ in batches]), x)
    np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in batches]), y)
    xb, yb = batches[0]
    assert xb.shape == (4, 2, 3) and xb.dtype == np.float32 and yb.dtype == np.int64
    assert not xb.requires_grad and np.shares_memory(xb.numpy(), x)  # sliced, not copied


def test_shuffle_is_a_permutation_and_keeps_pairs():
    x, y = _data(10)
    seen = []
    for xb, yb in DataLoader(TensorDataset(x, y), batch_size=3, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb.numpy(), x[yb.numpy()])  # x and y stay paired
        seen.extend(yb.numpy().tolist())
    assert sorted(seen) == list(range(10)) and seen != list(range(10))


def test_shuffle_seed_gives_same_epochs_and_epochs_differ():
    a = DataLoader(_dataset(20), batch_size=6, shuffle=True, seed=7)
    b = DataLoader(_dataset(20), batch_size=6, shuffle=True, seed=7)
    epochs_a = [_epoch(a) for _ in range(3)]
    assert epochs_a == [_epoch(b) for _ in range(3)]
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]
    assert _epoch(DataLoader(_dataset(20), batch_size=6, shuffle=True, seed=8)) != epochs_a[0]


def test_shuffle_without_seed_follows_manual_seed():
    tinygrad_cnn.manual_seed(3)
    first = [_epoch(DataLoader(_dataset(20), batch_size=6, shuffle=True)) for _ in range(2)]
    loader = DataLoader(_dataset(20), batch_size=6, shuffle=True)
    tinygrad_cnn.manual_seed(3)  # seeding after building the loader still applies
    assert [_epoch(loader) for _ in range(2)] == first


@pytest.mark.parametrize("shuffle", [False, True])
def test_workers_give_the_same_batches_in_the_same_order(shuffle):
    plain = DataLoader(_dataset(50), batch_size=7, shuffle=shuffle, seed=1)
    threaded = DataLoader(_dataset(50), batch_size=7, shuffle=shuffle, seed=1, num_workers=3,
                          prefetch_factor=1)
    for _ in range(2):
        for (xa, ya), (xb, yb) in zip(plain, threaded, strict=True):
            np.testing.assert_array_equal(xa.numpy(), xb.numpy())
            np.testing.assert_array_equal(ya.numpy(), yb.numpy())


def test_workers_read_samples_in_background_threads():
    data = Squares(12)
    batches = list(DataLoader(data, batch_size=4, num_workers=2))
    assert [b["y"].tolist() for b in batches] == [[0, 1, 4, 9], [16, 25, 36, 49],
                                                  [64, 81, 100, 121]]
    assert all(name.startswith("DataLoader") for name in data.readers)


def test_random_transforms_in_workers_repeat_under_a_seed():
    x = np.random.default_rng(0).random((16, 1, 6, 6)).astype(np.float32)

    def epoch():
        tinygrad_cnn.manual_seed(0)
        loader = DataLoader(TensorDataset(x, np.arange(16)), batch_size=4, num_workers=4,
                            transform=T.RandomRotation(30))
        return [xb.numpy() for xb, _ in loader]

    for a, b in zip(epoch(), epoch(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_error_in_a_worker_reaches_the_caller():
    class Broken(Squares):
        def __getitem__(self, i):
            if i == 5:
                raise ValueError("sample 5 is broken")
            return super().__getitem__(i)

    with pytest.raises(ValueError, match="sample 5 is broken"):
        list(DataLoader(Broken(12), batch_size=2, num_workers=2))


def test_collate_fn_gets_the_samples_of_a_batch():
    loader = DataLoader(_dataset(5), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2, 1]
    assert [b["y"].tolist() for b in DataLoader(Squares(3), batch_size=2)] == [[0, 1], [4]]


def test_any_indexable_with_a_length_is_a_dataset():
    samples = [(np.ones(2, np.float32) * i, i) for i in range(5)]
    xb, yb = next(iter(DataLoader(samples, batch_size=3)))
    assert xb.shape == (3, 2) and yb.tolist() == [0, 1, 2]
    assert [yb.tolist() for _, yb in DataLoader(Subset(_dataset(10), [9, 0, 4]), 2)] == [[9, 0],
                                                                                           [4]]


def test_validation_errors():
    x, y = _data(10)
    with pytest.raises(TypeError, match=r"DataLoader: batch_size must be a positive int, got an "
                                        r"array; to batch arrays x and y, pass "
                                        r"TensorDataset\(x, y\)"):
        DataLoader(x, y, 64)
    with pytest.raises(ValueError, match=r"DataLoader: batch_size must be a positive int, got 0"):
        DataLoader(_dataset(), batch_size=0)
    with pytest.raises(TypeError, match=r"DataLoader: batch_size must be a positive int, got 2\.0"):
        DataLoader(_dataset(), batch_size=2.0)
    with pytest.raises(TypeError, match=r"batch_size must be a positive int, got True"):
        DataLoader(_dataset(), batch_size=True)
    with pytest.raises(ValueError, match=r"DataLoader: num_workers must be a non-negative int, "
                                         r"got -1"):
        DataLoader(_dataset(), num_workers=-1)
    with pytest.raises(TypeError, match=r"DataLoader: the dataset must have __getitem__ and "
                                        r"__len__, got int"):
        DataLoader(3)
    with pytest.raises(TypeError, match=r"DataLoader: collate_fn must be callable"):
        DataLoader(_dataset(), collate_fn="stack")
    with pytest.raises(ValueError, match=r"TensorDataset: expects tensors with one first dim "
                                         r"of the same length, got shapes \[\(10, 2, 3\), "
                                         r"\(9,\)\]"):
        TensorDataset(x, y[:9])


def test_len_and_repr():
    loader = DataLoader(_dataset(10), batch_size=np.int64(3), shuffle=True, seed=0)
    assert len(loader) == 4 and loader.batch_size == 3 and len(loader.dataset) == 10
    assert repr(loader) == ("DataLoader(TensorDataset, samples=10, batch_size=3, shuffle=True, "
                            "drop_last=False)")


@pytest.mark.parametrize(("batch_size", "drop_last", "shuffle"), [
    (1, False, False), (4, False, False), (4, True, True), (32, False, True), (3, True, False),
])
def test_batches_match_pytorch_s(batch_size, drop_last, shuffle):
    torch = torch_module()
    x, y = _data(10)
    ours = DataLoader(TensorDataset(x, y), batch_size, shuffle, drop_last)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.tensor(x), torch.tensor(y)), batch_size, shuffle, drop_last=drop_last)
    assert len(ours) == len(theirs)
    for (xa, ya), (xb, yb) in zip(ours, theirs, strict=True):
        assert xa.shape == tuple(xb.shape) and str(ya.dtype) == str(yb.dtype)[6:]
        if not shuffle:
            np.testing.assert_array_equal(xa.numpy(), xb.numpy())
