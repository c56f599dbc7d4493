"""What all transforms share: input checks, the seeded generator, Compose, Normalize, loading."""

import numpy as np
import pytest

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import DataLoader, TensorDataset
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
    loader = DataLoader(TensorDataset(x, y), batch_size=4, transform=T.RandomHorizontalFlip(p=1.0))
    xb, yb = next(iter(loader))
    np.testing.assert_array_equal(xb.numpy(), x[:4, :, :, ::-1])
    np.testing.assert_array_equal(yb.numpy(), y[:4])
    rotate = DataLoader(TensorDataset(x, y), batch_size=10, transform=T.RandomRotation(20))
    first, second = (next(iter(rotate))[0].numpy() for _ in range(2))
    assert not np.array_equal(first, second)
    assert "transform=RandomRotation" in repr(rotate)
    with pytest.raises(TypeError, match=r"DataLoader: transform must be callable, got 'flip'"):
        DataLoader(TensorDataset(x, y), batch_size=2, transform="flip")


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


NAN, INF = float("nan"), float("inf")
# Every number argument of every transform, with NaN, infinity or a value too big to use: each
# is refused by name when the transform is made (NaN centres gave all-NaN images, infinite
# angles a raw OverflowError at the call)
NONSENSE = {
    "RandomRotation degrees": lambda v: T.RandomRotation(v),
    "RandomRotation degrees range": lambda v: T.RandomRotation((-v, 10.0)),
    "RandomRotation center x": lambda v: T.RandomRotation(10, center=(v, 0.0)),
    "RandomRotation center y": lambda v: T.RandomRotation(10, center=(0.0, v)),
    "RandomRotation fill": lambda v: T.RandomRotation(10, fill=v),
    "RandomErasing p": lambda v: T.RandomErasing(p=v),
    "RandomErasing scale": lambda v: T.RandomErasing(scale=(0.1, v)),
    "RandomErasing ratio": lambda v: T.RandomErasing(ratio=(0.5, v)),
    "RandomErasing value": lambda v: T.RandomErasing(value=v),
    "RandomErasing values": lambda v: T.RandomErasing(value=(0.0, v)),
    "RandomCrop fill": lambda v: T.RandomCrop(6, padding=1, fill=v),
    "RandomHorizontalFlip p": lambda v: T.RandomHorizontalFlip(v),
    "RandomVerticalFlip p": lambda v: T.RandomVerticalFlip(v),
    "Normalize mean": lambda v: T.Normalize(v, 1.0),
    "Normalize std": lambda v: T.Normalize(0.0, v),
}


@pytest.mark.parametrize("value", [NAN, INF, -INF], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("argument", NONSENSE)
def test_nan_and_infinity_are_refused_for_every_argument(argument, value):
    name = argument.split()[0]
    with pytest.raises(ValueError, match=rf"^{name}: "):
        NONSENSE[argument](value)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: T.RandomRotation((-1e308, 1e308)), r"RandomRotation: degrees must be a pair"),
    (lambda: T.RandomRotation(10, center=(1e39, 0.0)), r"RandomRotation: center must be"),
])
def test_numbers_too_big_to_compute_with_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_an_extreme_erasing_ratio_erases_nothing_rather_than_garbage():
    x = _batch(8)
    manual_seed(0)
    out = T.RandomErasing(p=1.0, ratio=(1e200, 1e300))(x)  # every rectangle infinitely tall
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize(("mean", "std", "message"), [
    (0.0, 1e-50, r"Normalize: std \(1e-50,\) is too small for the batch's float32: dividing by "
                 r"it gives infinity"),
    (0.0, 1e-40, r"Normalize: std \(1e-40,\) is too small"),  # not 0 in float32, but 1/std is inf
    (1e300, 1.0, r"Normalize: mean \(1e\+300,\) does not fit in the batch's float32"),
])
def test_normalize_refuses_values_its_batch_dtype_cannot_use(mean, std, message):
    # torchvision refuses a std that is 0 in float32; ours gave inf
    with pytest.raises(ValueError, match=message):
        T.Normalize(mean, std)(_batch())
    assert np.isfinite(T.Normalize(mean, std)(_batch().astype(np.float64))).all()
