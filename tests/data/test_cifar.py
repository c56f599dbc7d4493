"""Tests for CIFAR-10: records from .bin files, the extracted folder or the tarball; errors."""

import hashlib
import io
import tarfile

import numpy as np
import pytest

from tinygrad_cnn.data import CIFAR10_CLASSES, cifar, download_cifar10, load_cifar10

NAMES = [*cifar.TRAIN_FILES, cifar.TEST_FILE]


def _batch(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, bytes]:
    """`n` random records: uint8 images (n, 3, 32, 32), labels, and the file's bytes."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    raw = np.concatenate([labels[:, None], images.reshape(n, -1)], axis=1).tobytes()
    return images, labels, raw


def _write_batches(folder, sizes=(2, 3, 1, 2, 2, 4)):
    folder.mkdir(parents=True, exist_ok=True)
    batches = [_batch(n, seed) for seed, n in enumerate(sizes)]
    for name, (_, _, raw) in zip(NAMES, batches, strict=True):
        (folder / name).write_bytes(raw)
    return batches


def _write_tarball(path, folder):
    with tarfile.open(path, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-bin")


def _check(splits, batches):
    (x_train, y_train), (x_test, y_test) = splits
    assert x_train.shape == (10, 3, 32, 32) and x_test.shape == (4, 3, 32, 32)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    np.testing.assert_allclose(x_train * 255, np.concatenate([b[0] for b in batches[:5]]),
                               atol=1e-4)
    np.testing.assert_array_equal(y_train, np.concatenate([b[1] for b in batches[:5]]))
    np.testing.assert_allclose(x_test * 255, batches[5][0], atol=1e-4)
    np.testing.assert_array_equal(y_test, batches[5][1])


def test_the_batch_files_in_a_folder(tmp_path):
    batches = _write_batches(tmp_path)
    _check(load_cifar10(tmp_path), batches)


def test_the_extracted_folder(tmp_path):
    batches = _write_batches(tmp_path / "cifar-10-batches-bin")
    _check(load_cifar10(tmp_path), batches)


def test_the_tarball_read_without_extracting(tmp_path):
    batches = _write_batches(tmp_path / "src" / "cifar-10-batches-bin")
    (tmp_path / "src" / "cifar-10-batches-bin" / "batches.meta.txt").write_text("airplane\n")
    root = tmp_path / "root"
    root.mkdir()
    _write_tarball(root / cifar.ARCHIVE, tmp_path / "src" / "cifar-10-batches-bin")
    _check(load_cifar10(root), batches)
    _check(load_cifar10(root / cifar.ARCHIVE), batches)  # the archive's own path works too
    assert [p.name for p in root.iterdir()] == [cifar.ARCHIVE]  # nothing extracted


def test_a_record_is_label_then_red_green_blue_planes_row_by_row(tmp_path):
    pixels = (np.arange(3072) % 251).astype(np.uint8)  # 251 is prime: no two planes alike
    for name in NAMES:
        (tmp_path / name).write_bytes(bytes([7]) + pixels.tobytes())
    (x_train, y_train), (x_test, _) = load_cifar10(tmp_path)
    assert y_train.tolist() == [7] * 5 and x_test.shape == (1, 3, 32, 32)
    image = np.rint(x_train[0] * 255)
    assert image[0, 0, :3].tolist() == [0, 1, 2]  # red, first row, from the left
    assert image[0, 1, 0] == 32  # red, second row
    assert image[1, 0, 0] == 1024 % 251  # green starts after the 1,024 red bytes
    assert image[2, 31, 31] == 3071 % 251  # blue, last pixel


def test_class_names():
    assert CIFAR10_CLASSES == ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                               "horse", "ship", "truck")


def test_an_odd_sized_file_is_named(tmp_path):
    _write_batches(tmp_path)
    path = tmp_path / "data_batch_3.bin"
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(ValueError, match=r"data_batch_3\.bin: 3068 bytes is not a whole number "
                                         r"of 3073-byte CIFAR-10 records"):
        load_cifar10(tmp_path)


def test_an_empty_file_is_named(tmp_path):
    _write_batches(tmp_path)
    (tmp_path / "test_batch.bin").write_bytes(b"")
    with pytest.raises(ValueError, match=r"test_batch\.bin: 0 bytes"):
        load_cifar10(tmp_path)


def test_a_label_above_nine_is_named(tmp_path):
    _write_batches(tmp_path)
    path = tmp_path / "data_batch_1.bin"
    raw = bytearray(path.read_bytes())
    raw[3073] = 12  # the second record's label
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"data_batch_1\.bin: record 1 has label 12"):
        load_cifar10(tmp_path)


def test_a_truncated_tarball_is_named(tmp_path):
    _write_batches(tmp_path / "src")
    _write_tarball(tmp_path / cifar.ARCHIVE, tmp_path / "src")
    path = tmp_path / cifar.ARCHIVE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"cifar-10-binary\.tar\.gz: corrupt or truncated"):
        load_cifar10(tmp_path)


def test_a_tarball_without_the_test_batch(tmp_path):
    _write_batches(tmp_path / "src")
    (tmp_path / "src" / "test_batch.bin").unlink()
    _write_tarball(tmp_path / cifar.ARCHIVE, tmp_path / "src")
    with pytest.raises(ValueError, match=r"the archive has no test_batch\.bin"):
        load_cifar10(tmp_path)


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load_cifar10: .* holds neither data_batch_1"):
        load_cifar10(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"load_cifar10: .*nowhere does not exist"):
        load_cifar10(tmp_path / "nowhere")


def test_official_checksum_and_size():
    assert list(cifar.CIFAR10_SHA256) == [cifar.ARCHIVE] == list(cifar.CIFAR10_SIZES)
    assert len(cifar.CIFAR10_SHA256[cifar.ARCHIVE]) == 64
    assert cifar.CIFAR10_SIZES[cifar.ARCHIVE] == 170_052_171


def test_download_then_load(tmp_path, serve):
    batches = _write_batches(tmp_path / "src")
    (tmp_path / "site" / "mnist").mkdir(parents=True)
    _write_tarball(tmp_path / "site" / "mnist" / cifar.ARCHIVE, tmp_path / "src")
    digest = hashlib.sha256((tmp_path / "site" / "mnist" / cifar.ARCHIVE).read_bytes())
    broken, mirror = serve(tmp_path / "nothing"), serve(tmp_path / "site")
    target = download_cifar10(tmp_path / "cache", mirrors=[broken.url, mirror.url],
                              checksums={cifar.ARCHIVE: digest.hexdigest()}, progress=False)
    assert [p.name for p in target.iterdir()] == [cifar.ARCHIVE]
    _check(load_cifar10(target), batches)


def test_load_with_download_uses_the_cache(tmp_path, serve, monkeypatch):
    batches = _write_batches(tmp_path / "src")
    cache = tmp_path / "cache" / "cifar-10"
    cache.mkdir(parents=True)
    _write_tarball(cache / cifar.ARCHIVE, tmp_path / "src")
    digest = hashlib.sha256((cache / cifar.ARCHIVE).read_bytes()).hexdigest()
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cifar, "CIFAR10_SHA256", {cifar.ARCHIVE: digest})
    size = (cache / cifar.ARCHIVE).stat().st_size
    monkeypatch.setattr(cifar, "CIFAR10_SIZES", {cifar.ARCHIVE: size})
    _check(load_cifar10(download=True), batches)  # verified on disk: nothing fetched


def test_members_are_matched_by_name_and_never_written(tmp_path):
    batches = _write_batches(tmp_path / "src", sizes=(1, 1, 1, 1, 1, 1))
    root = tmp_path / "deep" / "root"
    root.mkdir(parents=True)
    with tarfile.open(root / cifar.ARCHIVE, "w:gz") as tar:
        for name, (_, _, raw) in zip(NAMES, batches, strict=True):
            info = tarfile.TarInfo(f"../../{name}")  # would escape root if it were extracted
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    (x_train, _), (x_test, _) = load_cifar10(root)
    assert x_train.shape == (5, 3, 32, 32) and x_test.shape == (1, 3, 32, 32)
    assert sorted(p.name for p in tmp_path.rglob("*.bin")) == sorted(NAMES)  # only src's


def test_a_batch_of_more_than_10000_records_is_refused_naming_it(tmp_path):
    _write_batches(tmp_path)
    (tmp_path / "data_batch_2.bin").write_bytes(bytes(10_001 * cifar.RECORD))  # accepted before
    with pytest.raises(ValueError, match=r"data_batch_2\.bin: 30,733,073 bytes is more than the "
                                         r"10,000 records of 3,073 bytes a CIFAR-10 batch file "
                                         r"holds"):
        load_cifar10(tmp_path)
    with open(tmp_path / "data_batch_2.bin", "wb") as file:
        file.truncate(3 * 10**9)  # a sparse 3 GB file: refused by its size, never read
    with pytest.raises(ValueError, match=r"data_batch_2\.bin: 3,000,000,000 bytes is more than"):
        load_cifar10(tmp_path)


class _Zeros(io.RawIOBase):
    """`size` zero bytes, made as they are read."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def _tarball_with(path, members):
    """A tarball of (name, size) members of zeros, the batch files first."""
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, size in members:
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BufferedReader(_Zeros(size)))


def test_a_tarball_batch_of_more_than_10000_records_is_refused_before_reading(tmp_path):
    members = [(name, cifar.RECORD) for name in NAMES]
    members[0] = (NAMES[0], 10_001 * cifar.RECORD)  # 30 MB of zeros in a small tarball
    _tarball_with(tmp_path / cifar.ARCHIVE, members)
    with pytest.raises(ValueError, match=r"cifar-10-binary\.tar\.gz:data_batch_1\.bin: "
                                         r"30,733,073 bytes is more than the 10,000 records"):
        load_cifar10(tmp_path)


def test_a_tarball_that_inflates_far_beyond_its_size_is_refused(tmp_path):
    members = [("padding.bin", 80 << 20)] + [(name, cifar.RECORD) for name in NAMES]
    _tarball_with(tmp_path / cifar.ARCHIVE, members)  # 80 MiB of zeros in about 80 KiB
    with pytest.raises(ValueError, match=r"cifar-10-binary\.tar\.gz \(to the end of "
                                         r"padding\.bin\) declares 80\.0 MiB once inflated"):
        load_cifar10(tmp_path)
