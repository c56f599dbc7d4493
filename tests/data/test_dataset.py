"""Dataset, TensorDataset, Subset, ConcatDataset, random_split and default_collate, against
torch.utils.data's where PyTorch is installed."""

import collections

import numpy as np
import pytest
from torch_parity import dtype_name, torch_module

import tinygrad_cnn as tg
from tinygrad_cnn.data import (
    MNIST,
    ConcatDataset,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

X = np.arange(24, dtype=np.float32).reshape(6, 2, 2)
Y = np.arange(6)


def test_tensor_dataset_samples_and_batches_match_pytorch():
    torch = torch_module()
    ours, theirs = TensorDataset(X, Y), torch.utils.data.TensorDataset(torch.tensor(X),
                                                                        torch.tensor(Y))
    assert len(ours) == len(theirs)
    for i in (0, 3, -1):
        for a, b in zip(ours[i], theirs[i], strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    index = np.array([4, 0, 2])
    for a, b in zip(ours.get_batch(index), theirs[index], strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert ours.tensors[0].shape == (6, 2, 2) and isinstance(ours[0], tuple)


def test_subset_and_concat_match_pytorch():
    torch = torch_module()
    t = torch.utils.data
    base, tbase = TensorDataset(X, Y), t.TensorDataset(torch.tensor(X), torch.tensor(Y))
    pairs = [(Subset(base, [5, 1, 3]), t.Subset(tbase, [5, 1, 3])),
             (ConcatDataset([base, Subset(base, [0])]), t.ConcatDataset([tbase,
                                                                          t.Subset(tbase, [0])])),
             (base + base, tbase + tbase)]
    for ours, theirs in pairs:
        assert len(ours) == len(theirs)
        for i in range(-len(ours), len(ours)):
            np.testing.assert_array_equal(ours[i][1].numpy(), theirs[i][1].numpy())
    assert pairs[1][0].cumulative_sizes == pairs[1][1].cumulative_sizes


def test_batches_across_concatenated_datasets():
    both = ConcatDataset([TensorDataset(X, Y), TensorDataset(X * 0, Y + 100)])
    x, y = both.get_batch(np.array([7, 1, 11, 0]))
    assert y.tolist() == [101, 1, 105, 0] and x.shape == (4, 2, 2)
    assert both.get_batch(slice(6, 9))[1].tolist() == [100, 101, 102]
    with pytest.raises(IndexError, match="ConcatDataset: index 12 is out of range"):
        both[12]


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.5], [0.7, 0.3], [0.34, 0.33, 0.33], [6]])
def test_random_split_lengths_match_pytorch(lengths):
    torch = torch_module()
    ours = random_split(TensorDataset(X, Y), lengths)
    theirs = torch.utils.data.random_split(range(6), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    seen = sorted(int(s[i][1].item()) for s in ours for i in range(len(s)))
    assert seen == list(range(6))


def test_random_split_follows_the_seed_and_refuses_bad_lengths():
    tg.manual_seed(1)
    first = [s.indices.tolist() for s in random_split(TensorDataset(X), [4, 2])]
    tg.manual_seed(1)
    assert [s.indices.tolist() for s in random_split(TensorDataset(X), [4, 2])] == first
    rng = np.random.default_rng(0)
    assert random_split(TensorDataset(X), [4, 2], generator=rng)[0].indices.shape == (4,)
    with pytest.raises(ValueError, match=r"random_split: lengths \[4, 4\] do not add up to "
                                         r"the dataset's 6 samples"):
        random_split(TensorDataset(X), [4, 4])


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("batch", [
    [(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 2)],
    [{"a": 1.5, "b": True}, {"a": 2.0, "b": False}],
    [Point(1, 2.0), Point(3, 4.0)],
    [[np.int32(1), "x"], [np.int32(2), "y"]],
])
def test_default_collate_matches_pytorch(batch):
    torch = torch_module()

    def flat(value):
        if isinstance(value, dict):
            return [v for key in sorted(value) for v in flat(value[key])]
        if isinstance(value, (list, tuple)) and not isinstance(value[0], str):
            return [v for part in value for v in flat(part)]
        return [value]

    ours, theirs = default_collate(batch), torch.utils.data.default_collate(batch)
    assert type(ours) is type(theirs) or isinstance(theirs, list)
    for a, b in zip(flat(ours), flat(theirs), strict=True):
        if isinstance(b, torch.Tensor):
            assert dtype_name(a.dtype) == dtype_name(b.dtype)
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        else:
            assert a == b


def test_default_collate_refuses_what_it_cannot_stack():
    with pytest.raises(ValueError, match="default_collate: samples of different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="default_collate: a batch must hold tensors"):
        default_collate([object(), object()])


def test_a_dataset_subclass_needs_getitem_and_len():
    with pytest.raises(NotImplementedError, match="Dataset does not define __getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match="Dataset does not define __len__"):
        len(Dataset())


def test_the_loaders_give_datasets_as_torchvision():
    train, test = MNIST(), MNIST(train=False)
    assert (len(train), len(test)) == (4000, 1000)
    image, label = test[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label.dtype == np.int64
    assert test.classes == [str(i) for i in range(10)] and "test" in repr(test)
    x, y = next(iter(tg.data.DataLoader(test, batch_size=8)))
    assert x.shape == (8, 1, 28, 28) and y.shape == (8,)
