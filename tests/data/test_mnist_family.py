"""Tests for Fashion-MNIST and KMNIST: loading a directory, downloading, class names, checksums."""

import hashlib

import numpy as np
import pytest

from tinygrad_cnn.data import (
    FASHION_MNIST_CLASSES,
    KMNIST_CLASSES,
    download_fashion_mnist,
    download_kmnist,
    load_fashion_mnist,
    load_kmnist,
    write_idx,
)
from tinygrad_cnn.data import mnist_family as family
from tinygrad_cnn.data.mnist import FILES

GZ_NAMES = [f"{name}.gz" for name in FILES]


def _write_dataset(root, n_train=6, n_test=3):
    rng = np.random.default_rng(2)
    arrays = [rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
              rng.integers(0, 10, n_train, dtype=np.uint8),
              rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
              rng.integers(0, 10, n_test, dtype=np.uint8)]
    root.mkdir(parents=True, exist_ok=True)
    for name, array in zip(GZ_NAMES, arrays, strict=True):
        write_idx(root / name, array)
    return arrays


@pytest.mark.parametrize("load", [load_fashion_mnist, load_kmnist])
def test_load_a_directory(tmp_path, load):
    arrays = _write_dataset(tmp_path)
    (x_train, y_train), (x_test, y_test) = load(tmp_path)
    assert x_train.shape == (6, 1, 28, 28) and x_test.shape == (3, 1, 28, 28)
    assert x_train.dtype == np.float32 and y_test.dtype == np.int64
    np.testing.assert_allclose(x_test[:, 0] * 255, arrays[2], atol=1e-4)
    np.testing.assert_array_equal(y_train, arrays[1])


@pytest.mark.parametrize(("load", "name"), [(load_fashion_mnist, "load_fashion_mnist"),
                                            (load_kmnist, "load_kmnist")])
def test_a_missing_cache_folder_suggests_download(tmp_path, monkeypatch, load, name):
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=rf"{name}: directory .* does not exist; "
                                                r"download=True fetches"):
        load()


def test_class_names():
    assert len(FASHION_MNIST_CLASSES) == 10 and FASHION_MNIST_CLASSES[0] == "T-shirt/top"
    assert FASHION_MNIST_CLASSES[9] == "Ankle boot"
    assert KMNIST_CLASSES == ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")


@pytest.mark.parametrize("module_prefix", ["FASHION_MNIST", "KMNIST"])
def test_official_checksums_and_sizes_cover_the_four_files(module_prefix):
    sums = getattr(family, f"{module_prefix}_SHA256")
    sizes = getattr(family, f"{module_prefix}_SIZES")
    assert sorted(sums) == sorted(GZ_NAMES) == sorted(sizes)
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in sums.values())
    assert sizes["t10k-labels-idx1-ubyte.gz"] < sizes["t10k-images-idx3-ubyte.gz"]


@pytest.mark.parametrize(("download", "load"), [(download_fashion_mnist, load_fashion_mnist),
                                                (download_kmnist, load_kmnist)])
def test_download_from_a_mirror_then_load(tmp_path, serve, download, load):
    _write_dataset(tmp_path / "site" / "mnist")
    sums = {name: hashlib.sha256((tmp_path / "site" / "mnist" / name).read_bytes()).hexdigest()
            for name in GZ_NAMES}
    mirror = serve(tmp_path / "site")
    target = download(tmp_path / "cache", mirrors=[mirror.url], checksums=sums, progress=False)
    assert sorted(p.name for p in target.iterdir()) == sorted(GZ_NAMES)
    (x_train, _), _ = load(target)
    assert x_train.shape == (6, 1, 28, 28)


def test_download_names_the_function_when_every_mirror_fails(tmp_path, serve):
    mirror = serve(tmp_path / "empty")
    with pytest.raises(OSError, match=r"download_kmnist: could not fetch train-images"):
        download_kmnist(tmp_path / "cache", mirrors=[mirror.url],
                        checksums=dict.fromkeys(GZ_NAMES, "0" * 64), progress=False)


@pytest.mark.parametrize("load", [load_fashion_mnist, load_kmnist])
def test_labels_are_checked_against_the_ten_declared_classes(tmp_path, load):
    _write_dataset(tmp_path)
    write_idx(tmp_path / GZ_NAMES[1], np.array([0, 9, 3, 10, 1, 2], np.uint8))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte\.gz: label 10 at position 3 "
                                         r"is too large; labels are class indices from 0 to 9$"):
        load(tmp_path)
