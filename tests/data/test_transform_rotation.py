"""RandomRotation: exact at multiples of 90 degrees, counter-clockwise, fill outside, seeded."""

import numpy as np
import pytest
from allocations import traced

from tinygrad_cnn import manual_seed
from tinygrad_cnn.data.transforms import RandomRotation


def _images(shape=(4, 2, 7, 7), seed=0):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize(("degrees", "turns"), [(90, 1), (180, 2), (270, 3), (-90, 3), (0, 0)])
def test_quarter_turns_equal_rot90_exactly(interpolation, degrees, turns):
    x = _images()
    out = RandomRotation((degrees, degrees), interpolation=interpolation)(x)
    np.testing.assert_array_equal(out, np.rot90(x, turns, axes=(2, 3)))


def test_half_turn_of_a_rectangle_and_float64():
    x = _images((3, 1, 4, 6)).astype(np.float64)
    out = RandomRotation((180, 180))(x)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, x[:, :, ::-1, ::-1])


def test_positive_angles_turn_counter_clockwise():
    x = np.zeros((1, 1, 5, 5), np.float32)
    x[0, 0, 2, 4] = 1  # a dot right of the centre
    out = RandomRotation((90, 90))(x)
    assert np.argwhere(out[0, 0]).tolist() == [[0, 2]]  # now above it, as on screen


def test_pixels_from_outside_take_the_fill_per_channel():
    x = np.ones((2, 2, 9, 9), np.float32)
    out = RandomRotation((45, 45), fill=(-1.0, -2.0), interpolation="nearest")(x)
    assert out[:, 0, 0, 0].tolist() == [-1.0, -1.0] and out[:, 1, 0, 0].tolist() == [-2.0] * 2
    assert out[:, :, 4, 4].tolist() == [[1.0, 1.0]] * 2  # the centre never moves
    bilinear = RandomRotation((45, 45))(x)
    assert bilinear[0, 0, 0, 0] == 0.0 and bilinear[0, 0, 4, 4] == 1.0
    assert bilinear.min() >= 0 and bilinear.max() <= 1  # a blend of image and fill


def test_a_small_angle_keeps_values_in_range_and_moves_pixels():
    x = _images((8, 1, 12, 12))
    out = RandomRotation((10, 20))(x)
    assert out.min() >= 0 and out.max() <= 1 and not np.allclose(out, x)


def test_each_image_gets_its_own_angle_and_seed_repeats():
    x = np.repeat(_images((1, 1, 9, 9)), 16, axis=0)  # 16 copies of one image
    manual_seed(5)
    out = RandomRotation(30)(x)
    assert len({image.tobytes() for image in out}) == 16
    manual_seed(5)
    np.testing.assert_array_equal(RandomRotation(30)(x), out)


def test_center_follows_torchvision_pixel_corners():
    x = _images((2, 1, 6, 6))
    default = RandomRotation((90, 90))(x)
    explicit = RandomRotation((90, 90), center=(3.0, 3.0))(x)  # the middle of a 6x6 image
    np.testing.assert_array_equal(default, explicit)
    corner = RandomRotation((180, 180), center=(0.5, 0.5), fill=-1, interpolation="nearest")(x)
    assert corner[:, 0, 0, 0].tolist() == x[:, 0, 0, 0].tolist()  # turned about pixel (0, 0)
    assert (corner[:, 0, 1:, :] == -1).all()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"degrees": -5}, r"RandomRotation: degrees must be a finite number >= 0 when one number, "
                      r"got -5"),
    ({"degrees": (10, -10)}, r"RandomRotation: degrees must be a pair \(low, high\) of finite "
                             r"numbers with low <= high, got \(10, -10\)"),
    ({"degrees": 5, "interpolation": "bicubic"}, r"RandomRotation: interpolation must be one "
                                                 r"of bilinear, nearest, got 'bicubic'"),
    ({"degrees": 5, "center": (1,)}, r"RandomRotation: center must be None or a pair"),
    ({"degrees": 5, "fill": None}, r"RandomRotation: fill must be a finite number"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RandomRotation(**kwargs)


def test_a_big_batch_is_turned_in_chunks_with_the_same_bits(monkeypatch):
    import importlib

    module = importlib.import_module("tinygrad_cnn.data.transforms.rotation")
    x = np.random.default_rng(5).random((10, 2, 7, 9)).astype(np.float32)
    for interpolation in ("bilinear", "nearest"):
        manual_seed(3)
        whole = RandomRotation(40, interpolation=interpolation)(x)
        monkeypatch.setattr(module, "CHUNK_VALUES", 3 * 2 * 7 * 9)  # three images a chunk
        manual_seed(3)
        np.testing.assert_array_equal(RandomRotation(40, interpolation=interpolation)(x), whole)
        monkeypatch.undo()


def test_a_batch_is_turned_in_bounded_memory(monkeypatch):
    import importlib

    module = importlib.import_module("tinygrad_cnn.data.transforms.rotation")
    x = np.zeros((200, 3, 64, 64), np.float32)  # 9.4 MiB; in one piece it took 10 times that
    monkeypatch.setattr(module, "CHUNK_VALUES", 10 * 3 * 64 * 64)  # ten images a chunk
    chunk = x[:10].nbytes
    with traced() as memory:
        RandomRotation(30)(x)
    assert memory.peak < x.nbytes + 20 * chunk, f"{memory.peak / x.nbytes:.1f} times the batch"
