"""Tests for ImageFolder: classes from sub-folders, PNG/JPEG reading, resizing, errors."""

import os
import struct
import sys
import threading
import zlib

import numpy as np
import pytest
from extras import require

from tinygrad_cnn.data import DataLoader, ImageFolder


@pytest.fixture
def pil():
    """PIL.Image: these tests skip without Pillow, and fail under CI=true."""
    return require("PIL.Image", "images")


def _save(pil, path, pixels, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    pil.fromarray(pixels, mode).save(path)


def _folder(pil, root):
    """cat: two 4x6 RGB PNGs; dog: one gray PNG and one JPEG; junk files everywhere."""
    rng = np.random.default_rng(0)
    cats = [rng.integers(0, 256, (4, 6, 3), dtype=np.uint8) for _ in range(2)]
    _save(pil, root / "cat" / "b.png", cats[1])
    _save(pil, root / "cat" / "a.PNG", cats[0])
    gray = rng.integers(0, 256, (4, 6), dtype=np.uint8)
    _save(pil, root / "dog" / "x.png", gray)
    _save(pil, root / "dog" / "deeper" / "y.jpg", np.full((4, 6, 3), 200, np.uint8))
    (root / "cat" / "notes.txt").write_text("not an image")
    (root / "dog" / ".hidden.png").write_bytes(b"skipped: hidden")
    (root / "README.md").write_text("a file beside the class folders")
    return cats, gray


def test_classes_samples_and_arrays(pil, tmp_path):
    cats, gray = _folder(pil, tmp_path)
    folder = ImageFolder(tmp_path)
    assert folder.classes == ["cat", "dog"] and folder.class_to_idx == {"cat": 0, "dog": 1}
    assert [(p.relative_to(tmp_path).as_posix(), y) for p, y in folder.samples] == [
        ("cat/a.PNG", 0), ("cat/b.png", 0), ("dog/x.png", 1), ("dog/deeper/y.jpg", 1)]
    assert len(folder) == 4
    x, y = folder.arrays()
    assert x.shape == (4, 3, 4, 6) and x.dtype == np.float32 and y.dtype == np.int64
    assert y.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(x[0] * 255, cats[0].transpose(2, 0, 1), atol=1e-4)  # PNG: exact
    np.testing.assert_allclose(x[2] * 255, np.stack([gray] * 3), atol=1e-4)  # gray -> RGB
    assert np.abs(x[3] * 255 - 200).max() < 3  # JPEG: lossy, but nearly flat
    assert x.min() >= 0 and x.max() <= 1


def test_grayscale_and_resize(pil, tmp_path):
    _folder(pil, tmp_path)
    x, _ = ImageFolder(tmp_path, size=(8, 5), grayscale=True).arrays()
    assert x.shape == (4, 1, 8, 5)
    x, _ = ImageFolder(tmp_path, size=7).arrays()
    assert x.shape == (4, 3, 7, 7)
    folder = ImageFolder(tmp_path, size=np.int64(7))  # e.g. read from an array's shape
    assert folder.size == (7, 7) and type(folder.size[0]) is int


def test_an_alpha_channel_is_dropped(pil, tmp_path):
    _save(pil, tmp_path / "a" / "p.png", np.full((3, 3, 4), 9, np.uint8), "RGBA")
    x, _ = ImageFolder(tmp_path).arrays()
    assert x.shape == (1, 3, 3, 3)


def test_different_sizes_need_size(pil, tmp_path):
    _save(pil, tmp_path / "a" / "p.png", np.zeros((3, 3), np.uint8))
    _save(pil, tmp_path / "b" / "q.png", np.zeros((5, 4), np.uint8))
    with pytest.raises(ValueError, match=r"q\.png is 4x5 but .*p\.png is 3x3; pass size="):
        ImageFolder(tmp_path).arrays()
    assert ImageFolder(tmp_path, size=(3, 3)).arrays()[0].shape == (2, 3, 3, 3)


def test_an_unreadable_image_is_named(pil, tmp_path):
    _folder(pil, tmp_path)
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n but then nothing")
    with pytest.raises(ValueError, match=r"broken\.png: cannot read the image"):
        ImageFolder(tmp_path).arrays()


def test_a_truncated_image_is_named(pil, tmp_path):
    noise = np.random.default_rng(1).integers(0, 256, (64, 64), dtype=np.uint8)
    _save(pil, tmp_path / "a" / "p.png", noise)  # noise does not compress: 200 bytes is a cut
    path = tmp_path / "a" / "p.png"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"p\.png: cannot read the image"):
        ImageFolder(tmp_path).arrays()


def test_errors_without_pictures(pil, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"ImageFolder: .*nowhere is not a directory"):
        ImageFolder(tmp_path / "nowhere")
    (tmp_path / "empty_class").mkdir()
    (tmp_path / "empty_class" / "x.txt").write_text("text")
    with pytest.raises(FileNotFoundError, match=r"has no \.png, .jpg or .jpeg file"):
        ImageFolder(tmp_path)


@pytest.mark.parametrize(("size", "error"), [
    (0, ValueError), ((3,), ValueError), ((2, -1), ValueError),
    ("big", TypeError), ((2.5, 3), TypeError), (True, TypeError),
])
def test_bad_size(tmp_path, size, error):
    with pytest.raises(error, match=r"ImageFolder: size must be a positive int or a pair \(H, W\)"):
        ImageFolder(tmp_path, size=size)


def test_without_pillow_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # `import PIL` now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "tinygrad_cnn\[images\]"'):
        ImageFolder(tmp_path)


def _png16(path, values, color_type):
    """A 16-bit PNG written by hand (Pillow writes 16 bits only for grayscale)."""
    height, width = values.shape[:2]
    rows = b"".join(b"\0" + values[i].astype(">u2").tobytes() for i in range(height))

    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("grayscale", [True, False])
def test_a_16_bit_grayscale_png_is_scaled_by_its_own_range(pil, tmp_path, grayscale):
    levels = np.array([[0, 32768, 65535, 1000]] * 4, np.uint16)  # mid-grey read 1.0 before
    _save(pil, tmp_path / "a" / "p.png", levels)
    assert pil.open(tmp_path / "a" / "p.png").mode in ("I;16", "I")
    x, _ = ImageFolder(tmp_path, grayscale=grayscale).arrays()
    assert x.shape == (1, 1 if grayscale else 3, 4, 4) and x.dtype == np.float32
    for channel in x[0]:
        np.testing.assert_allclose(channel, levels / 65535, rtol=1e-6)


def test_a_16_bit_png_keeps_its_levels_when_resized(pil, tmp_path):
    _save(pil, tmp_path / "a" / "p.png", np.full((4, 6), 32769, np.uint16))
    x, _ = ImageFolder(tmp_path, size=(2, 3), grayscale=True).arrays()
    assert x.shape == (1, 1, 2, 3)
    np.testing.assert_allclose(x, 32769 / 65535, rtol=1e-6)  # not rounded to 8 bits


@pytest.mark.parametrize(("color_type", "channels"), [(2, 3), (4, 2), (6, 4)])
def test_16_bit_colour_pngs_read_to_the_same_scale(pil, tmp_path, color_type, channels):
    # Pillow opens 16-bit RGB, gray + alpha and RGBA as 8-bit (their high bytes)
    _png16(tmp_path / "a" / "p.png", np.full((2, 3, channels), 32768, np.uint16), color_type)
    x, _ = ImageFolder(tmp_path).arrays()
    np.testing.assert_allclose(x, 128 / 255, rtol=1e-6)


@pytest.mark.parametrize("mode", ["1", "L", "P", "LA", "RGB", "RGBA"])
def test_every_8_bit_mode_reads_white_as_1(pil, tmp_path, mode):
    pil.new(mode, (3, 2), "white" if mode not in ("P",) else 255).save(tmp_path / "w.png")
    (tmp_path / "a").mkdir()
    (tmp_path / "w.png").rename(tmp_path / "a" / "w.png")
    picture = pil.open(tmp_path / "a" / "w.png")
    expected = np.asarray(picture.convert("L"), np.float32) / 255
    x, _ = ImageFolder(tmp_path, grayscale=True).arrays()
    np.testing.assert_allclose(x[0, 0], expected)


def test_a_cmyk_jpeg_is_read(pil, tmp_path):
    (tmp_path / "a").mkdir()
    pil.new("CMYK", (4, 4), (0, 0, 0, 0)).save(tmp_path / "a" / "c.jpg")
    x, _ = ImageFolder(tmp_path).arrays()
    assert np.abs(x - 1).max() < 0.02  # no ink is white


@pytest.mark.parametrize(("mode", "dtype"), [("F", np.float32), ("I", np.int32)])
def test_a_mode_without_a_known_range_is_refused_naming_the_file(pil, tmp_path, mode, dtype):
    (tmp_path / "a").mkdir()
    pil.fromarray(np.full((3, 3), 7, dtype), mode).save(tmp_path / "a" / "t.png", format="TIFF")
    with pytest.raises(ValueError, match=rf"t\.png: cannot read the image: Pillow mode '{mode}' "
                                         r"\(TIFF\) has no known full scale"):
        ImageFolder(tmp_path).arrays()


def _within(seconds, fn):
    """fn() (its result, or its exception), failing instead of hanging when it does not return
    in time."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        except Exception as error:  # raised again in the test's thread
            result["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"did not return within {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_links_back_up_the_tree_are_not_followed_in_a_loop(pil, tmp_path):
    _save(pil, tmp_path / "cls" / "p.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "cls" / "loop").symlink_to(".")
    folder = ImageFolder(tmp_path)
    assert [p.name for p, _ in folder.samples] == ["p.png"]  # 41 samples before
    (tmp_path / "cls" / "up").symlink_to("..")
    (tmp_path / "cls" / "again").symlink_to(tmp_path / "cls")
    folder = _within(20, lambda: ImageFolder(tmp_path))  # did not return in 40 s before
    assert [p.name for p, _ in folder.samples] == ["p.png"]


def test_a_link_to_another_folder_is_followed_once(pil, tmp_path):
    _save(pil, tmp_path / "elsewhere" / "q.png", np.zeros((2, 2), np.uint8))
    (tmp_path / "root" / "cls").mkdir(parents=True)
    (tmp_path / "root" / "cls" / "more").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "root" / "cls" / "same").symlink_to(tmp_path / "elsewhere")
    folder = ImageFolder(tmp_path / "root")
    assert [p.name for p, _ in folder.samples] == ["q.png"]


def test_a_fifo_or_a_device_is_never_opened(pil, tmp_path):
    _save(pil, tmp_path / "cls" / "p.png", np.zeros((2, 2), np.uint8))
    os.mkfifo(tmp_path / "cls" / "x.png")  # blocked .arrays() forever before
    (tmp_path / "cls" / "zero.png").symlink_to("/dev/zero")
    folder = ImageFolder(tmp_path)
    assert [p.name for p, _ in folder.samples] == ["p.png"]
    assert _within(20, folder.arrays)[0].shape == (1, 3, 2, 2)


def test_a_fifo_that_took_a_pictures_place_after_the_scan_is_refused(pil, tmp_path):
    _save(pil, tmp_path / "cls" / "p.png", np.zeros((2, 2), np.uint8))
    folder = ImageFolder(tmp_path)
    (tmp_path / "cls" / "p.png").unlink()
    os.mkfifo(tmp_path / "cls" / "p.png")
    with pytest.raises(ValueError, match=r"p\.png: cannot read the image: not a regular file"):
        _within(20, folder.arrays)


def test_a_size_whose_images_cannot_fit_in_memory_is_refused_before_reading(pil, tmp_path):
    _save(pil, tmp_path / "a" / "p.png", np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError, match=r"^ImageFolder: size=\(100000, 100000\) \(1 pictures of "
                                         r"3 x 100000 x 100000 float32 values\) needs 111\.8 GiB"):
        ImageFolder(tmp_path, size=10**5).arrays()


def test_an_image_folder_is_a_dataset_a_loader_reads_in_threads(pil, tmp_path):
    _folder(pil, tmp_path)
    folder = ImageFolder(tmp_path, size=(4, 6))
    x, y = folder.arrays()
    image, label = folder[2]
    assert image.shape == (3, 4, 6) and image.dtype == np.float32 and label == 1
    np.testing.assert_array_equal(image.numpy(), x[2])
    for workers in (0, 2):
        batches = list(DataLoader(folder, batch_size=3, num_workers=workers))
        np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
        assert np.concatenate([b[1].numpy() for b in batches]).tolist() == y.tolist()
