"""What all transforms share: input checks, the seeded generator, Compose, Normalize, loading."""

import numpy as np
import pytest

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import DataLoader
from tinygrad_cnn.data import transforms as T
from tinygrad_cnn.train import Classifier

ALL = [
    T.RandomCrop(6, padding=1), T.RandomHorizontalFlip(), T.RandomVerticalFlip(),
    T.RandomRotation(15), T.RandomErasing(value="random"), T.Normalize(0.5, 0.2),
    T.Compose([T.RandomCrop(6, padding=2), T.RandomRotation(10)]),
    T.digit_augmentation(6), T.photo_augmentation(6),
]


def _batch(n=32):
    return np.random.default_rng(0).random((n, 1, 6, 6)).astype(np.float32)


@pytest.mark.parametrize("transform", ALL, ids=lambda t: type(t).__name__)
def test_the_same_seed_gives_the_same_batch_bit_for_bit(transform):
    x = _batch()
    before = x.copy()
    manual_seed(7)
    first = transform(x)
    manual_seed(7)
    np.testing.assert_array_equal(transform(x), first)
    np.testing.assert_array_equal(x, before)  # the input is never written to
    assert first.shape == x.shape and first.dtype == x.dtype


@pytest.mark.parametrize("transform", ALL[:6], ids=lambda t: type(t).__name__)
def test_inputs_are_checked(transform):
    name = type(transform).__name__
    with pytest.raises(ValueError, match=rf"{name}: expected a batch of shape \(N, C, H, W\), "
                                         r"got shape \(6, 6\)"):
        transform(np.zeros((6, 6), np.float32))
    with pytest.raises(TypeError, match=rf"{name}: expected float images, got uint8 of shape "
                                        r"\(1, 1, 6, 6\); convert them first"):
        transform(np.zeros((1, 1, 6, 6), np.uint8))
    with pytest.raises(TypeError, match=rf"{name}: expected a NumPy array .* got list"):
        transform([[[[0.0]]]])


def test_an_empty_batch_passes_through():
    for transform in ALL:
        assert transform(np.zeros((0, 1, 6, 6), np.float32)).shape == (0, 1, 6, 6)


def test_compose_applies_in_order_and_checks_entries():
    add_one = lambda x: x + 1  # noqa: E731
    double = lambda x: x * 2  # noqa: E731
    assert T.Compose([add_one, double])(np.zeros((1, 1, 1, 1))).item() == 2.0
    assert "RandomCrop(size=(6, 6)" in repr(T.Compose([T.RandomCrop(6)]))
    with pytest.raises(TypeError, match=r"Compose: transforms\[1\] is not callable, got 3"):
        T.Compose([add_one, 3])


def test_normalize_per_channel():
    x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 3.0)])[None].astype(np.float32)
    out = T.Normalize(mean=(1.0, 1.0), std=(0.5, 2.0))(x)
    assert out.dtype == np.float32 and out[0, :, 0, 0].tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"Normalize: std must be positive, got \(1, 0\)"):
        T.Normalize(0, (1, 0))
    with pytest.raises(ValueError, match=r"Normalize: mean must be a finite number"):
        T.Normalize(float("nan"), 1)
    with pytest.raises(ValueError, match=r"Normalize: mean has 3 values but the batch has 2 "
                                         r"channels; batch \(1, 2, 2, 2\)"):
        T.Normalize((0, 0, 0), 1)(x)


def test_the_loader_transforms_inputs_only_and_each_epoch_afresh():
    x = _batch(10)
    y = np.arange(10)
    loader = DataLoader(x, y, batch_size=4, transform=T.RandomHorizontalFlip(p=1.0))
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.numpy(), x[:4, :, :, ::-1])
    np.testing.assert_array_equal(yb.numpy(), y[:4])
    rotate = DataLoader(x, y, batch_size=10, transform=T.RandomRotation(20))
    first, second = (next(iter(rotate))[0].numpy() for _ in range(2))
    assert not np.array_equal(first, second)
    assert "transform=RandomRotation" in repr(rotate)
    with pytest.raises(TypeError, match=r"DataLoader: transform must be callable, got 'flip'"):
        DataLoader(x, y, batch_size=2, transform="flip")


def test_fit_with_a_transform_is_repeatable():
    x = np.random.default_rng(1).random((64, 1, 28, 28)).astype(np.float32)
    y = np.arange(64) % 10

    def run():
        manual_seed(0)
        net = models.lenet5()
        clf = Classifier(net, optim.Adam(net.parameters(), lr=1e-3), epochs=1, batch_size=32,
                         seed=3, verbose=False)
        return clf.fit(x, y, transform=T.digit_augmentation()).loss, net

    (loss_a, net_a), (loss_b, net_b) = run(), run()
    assert loss_a == loss_b
    for (_, a), (_, b) in zip(net_a.named_parameters(), net_b.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data)
