"""RandomCrop: every crop is a window of the padded image, offsets cover every position."""

import numpy as np
import pytest

from tinygrad_cnn import manual_seed
from tinygrad_cnn.data.transforms import RandomCrop


def _windows(padded, h, w):
    """Every (h, w) window of each padded image, keyed by its bytes -> (top, left)."""
    found = []
    for image in padded:
        options = {}
        for top in range(padded.shape[2] - h + 1):
            for left in range(padded.shape[3] - w + 1):
                options[image[:, top : top + h, left : left + w].tobytes()] = (top, left)
        found.append(options)
    return found


def test_a_crop_is_a_window_of_the_zero_padded_image():
    x = np.random.default_rng(0).random((64, 2, 5, 6)).astype(np.float32) + 1  # never 0
    manual_seed(0)
    out = RandomCrop((5, 6), padding=2)(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    offsets = [windows[crop.tobytes()] for windows, crop in zip(_windows(padded, 5, 6), out)]
    tops, lefts = zip(*offsets)
    assert set(tops) == set(range(5)) and set(lefts) == set(range(5))  # all positions drawn


@pytest.mark.parametrize("mode", ["edge", "reflect", "symmetric"])
def test_padding_modes_pad_as_numpy_does(mode):
    x = np.random.default_rng(1).random((16, 1, 4, 4))
    manual_seed(1)
    out = RandomCrop(3, padding=(1, 2), padding_mode=mode)(x)  # left/right 1, top/bottom 2
    assert out.shape == (16, 1, 3, 3) and out.dtype == np.float64
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (1, 1)), mode=mode)
    for windows, crop in zip(_windows(padded, 3, 3), out):
        assert crop.tobytes() in windows


def test_four_sided_padding_and_fill_per_channel():
    x = np.zeros((8, 2, 3, 3), np.float32)
    manual_seed(2)
    out = RandomCrop((4, 6), padding=(1, 0, 2, 1), fill=(5.0, 7.0))(x)  # left, top, right, bottom
    padded = np.zeros((8, 2, 4, 6), np.float32)
    padded[:, 0], padded[:, 1] = 5, 7
    padded[:, :, 0:3, 1:4] = 0
    np.testing.assert_array_equal(out, padded)  # the crop is the whole padded image


def test_pad_if_needed_pads_by_the_shortfall_on_both_sides():
    x = np.ones((4, 1, 2, 3), np.float32)
    manual_seed(3)
    out = RandomCrop(4, pad_if_needed=True)(x)
    assert out.shape == (4, 1, 4, 4)
    assert out.sum(axis=(1, 2, 3)).tolist() == [6.0] * 4  # every pixel kept, padding is 0
    with pytest.raises(ValueError, match=r"RandomCrop: size \(4, 4\) is larger than the padded "
                                         r"image \(2, 3\); batch \(4, 1, 2, 3\)"):
        RandomCrop(4)(x)


def test_no_padding_same_size_is_the_identity():
    x = np.random.default_rng(4).random((3, 1, 5, 5)).astype(np.float32)
    out = RandomCrop(5)(x)
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"size": 0}, r"RandomCrop: size must be a positive int or a pair \(H, W\), got 0"),
    ({"size": (3, 2, 1)}, r"RandomCrop: size must be"),
    ({"size": 3, "padding": -1}, r"RandomCrop: padding must be a non-negative int"),
    ({"size": 3, "padding": (1, 2, 3)}, r"RandomCrop: padding must be"),
    ({"size": 3, "padding_mode": "wrap"}, r"RandomCrop: padding_mode must be one of constant, "
                                          r"edge, reflect, symmetric, got 'wrap'"),
    ({"size": 3, "fill": "black"}, r"RandomCrop: fill must be a finite number or a sequence"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandomCrop(**kwargs)


def test_fill_per_channel_must_match_the_channels():
    with pytest.raises(ValueError, match=r"RandomCrop: fill has 2 values but the batch has 3 "
                                         r"channels; batch \(1, 3, 4, 4\)"):
        RandomCrop(4, padding=1, fill=(0, 1))(np.zeros((1, 3, 4, 4), np.float32))


def test_padding_wider_than_the_crop_gives_the_same_crops_in_little_memory():
    x = np.random.default_rng(6).random((64, 2, 5, 6)).astype(np.float32) + 1
    manual_seed(5)
    wide = RandomCrop((3, 4), padding=(7, 9, 2, 11), fill=(-1.0, -2.0))(x)
    padded = np.pad(x, ((0, 0), (0, 0), (9, 11), (7, 2)))
    padded[:, 0][padded[:, 0] == 0], padded[:, 1][padded[:, 1] == 0] = -1, -2
    for windows, crop in zip(_windows(padded, 3, 4), wide):
        assert crop.tobytes() in windows
    assert any((crop == np.array([-1, -2])[:, None, None]).all() for crop in wide)  # all fill


def test_a_padding_of_100000_allocates_no_terabytes():
    x = np.ones((4, 1, 28, 28), np.float32)
    out = RandomCrop(28, padding=10**5)(x)  # a raw MemoryError before
    assert out.shape == (4, 1, 28, 28)
    with pytest.raises(ValueError, match=r"^RandomCrop: padding=\(100000, 100000, 100000, "
                                         r"100000\) with padding_mode='reflect' \(the batch "
                                         r"\(4, 1, 28, 28\) padded to \(4, 1, 200028, 200028\)\) "
                                         r"needs 596\.2 GiB, more than this machine's"):
        RandomCrop(28, padding=10**5, padding_mode="reflect")(x)


def test_crops_that_cannot_fit_in_memory_are_refused_naming_size():
    with pytest.raises(ValueError, match=r"^RandomCrop: size=\(100000, 100000\) \(the crops of the "
                                         r"batch \(4, 1, 28, 28\)\) needs 149\.0 GiB"):
        RandomCrop(10**5, pad_if_needed=True)(np.ones((4, 1, 28, 28), np.float32))
