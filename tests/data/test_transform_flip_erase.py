"""Flips are flips, about a fraction p of images; erasing overwrites exactly one rectangle."""

import numpy as np
import pytest

from tinygrad_cnn import manual_seed
from tinygrad_cnn.data.transforms import RandomErasing, RandomHorizontalFlip, RandomVerticalFlip

FLIPS = [(RandomHorizontalFlip, 3), (RandomVerticalFlip, 2)]


def _images(n=400, shape=(2, 5, 6), seed=0):
    return np.random.default_rng(seed).random((n, *shape)).astype(np.float32)


@pytest.mark.parametrize(("flip", "axis"), FLIPS)
def test_each_image_is_either_kept_or_flipped_and_about_half_are(flip, axis):
    x = _images()
    manual_seed(0)
    out = flip(p=0.5)(x)
    kept = (out == x).all(axis=(1, 2, 3))
    flipped = (out == np.flip(x, axis=axis)).all(axis=(1, 2, 3))
    assert (kept ^ flipped).all()
    # 400 fair coins: the count of heads lies within 200 +- 4 standard deviations (10 each)
    assert 160 <= flipped.sum() <= 240


@pytest.mark.parametrize(("flip", "axis"), FLIPS)
def test_p_one_flips_all_and_p_zero_none(flip, axis):
    x = _images(8)
    np.testing.assert_array_equal(flip(p=1.0)(x), np.flip(x, axis=axis))
    out = flip(p=0.0)(x)
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize("flip", [RandomHorizontalFlip, RandomVerticalFlip])
@pytest.mark.parametrize("p", [-0.1, 1.5, "half", True])
def test_p_must_be_a_probability(flip, p):
    with pytest.raises(ValueError, match=rf"{flip.__name__}: p must be a probability in \[0, 1\]"):
        flip(p=p)


def _rectangle(changed: np.ndarray) -> tuple[int, int, int, int] | None:
    """The bounding box (top, left, h, w) of the True pixels of a (H, W) mask, if it is full."""
    rows, cols = np.nonzero(changed)
    if len(rows) == 0:
        return None
    top, left = rows.min(), cols.min()
    h, w = rows.max() - top + 1, cols.max() - left + 1
    assert changed[top : top + h, left : left + w].all() and changed.sum() == h * w
    return top, left, h, w


def test_erasing_overwrites_one_rectangle_in_every_channel():
    x = _images(300, (3, 16, 12)) + 1  # positive: erased pixels (value -1) all differ
    manual_seed(1)
    out = RandomErasing(p=0.5, value=-1.0)(x)
    erased = 0
    for before, after in zip(x, out):
        changed = after != before
        assert (changed == changed[0]).all()  # the same rectangle in each channel
        box = _rectangle(changed[0])
        if box is not None:
            erased += 1
            top, left, h, w = box
            assert (after[:, top : top + h, left : left + w] == -1).all()
            assert 0.02 * 192 - 16 <= h * w <= 0.33 * 192 + 16  # scale, after rounding h and w
    assert 110 <= erased <= 190  # about half of 300 (sd 8.7), a few tries fail to fit


def test_erasing_values_per_channel_and_random():
    x = np.zeros((4, 2, 10, 10), np.float32)
    out = RandomErasing(p=1.0, value=(3.0, 4.0))(x)
    assert set(np.unique(out[:, 0])) == {0.0, 3.0} and set(np.unique(out[:, 1])) == {0.0, 4.0}
    noisy = RandomErasing(p=1.0, value="random")(x)
    assert noisy.dtype == np.float32 and (noisy != 0).any(axis=(1, 2, 3)).all()


def test_erasing_nothing_when_no_rectangle_fits():
    x = np.ones((20, 1, 4, 4), np.float32)
    out = RandomErasing(p=1.0, scale=(0.99, 1.0), ratio=(1.0, 1.0))(x)  # 4x4: h < 4 fails
    np.testing.assert_array_equal(out, x)
    tall = RandomErasing(p=1.0, scale=(0.9, 1.0), ratio=(3.0, 3.3))(x)  # h = 7 > 4 every try
    np.testing.assert_array_equal(tall, x)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"p": 2}, r"RandomErasing: p must be a probability"),
    ({"scale": (0.5, 0.1)}, r"RandomErasing: scale must be a pair \(low, high\) of finite "
                           r"numbers with low <= high"),
    ({"scale": (0.1, 1.5)}, r"RandomErasing: scale must lie within \[0, 1\]"),
    ({"ratio": (0.0, 1.0)}, r"RandomErasing: ratio must be positive"),
    ({"value": "noise"}, r"RandomErasing: value must be a finite number, one per channel or "
                         r"'random', got 'noise'"),
])
def test_erasing_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandomErasing(**kwargs)
