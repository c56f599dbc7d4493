"""Tests for ImageFolder: classes from sub-folders, PNG/JPEG reading, resizing, errors."""

import sys

import numpy as np
import pytest
from extras import require

from tinygrad_cnn.data import ImageFolder


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
