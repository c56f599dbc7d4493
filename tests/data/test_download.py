"""Tests for the shared download helper: sizes checked before hashes, the cache folder."""

import hashlib
from pathlib import Path

import pytest

from tinygrad_cnn.data import cache_dir
from tinygrad_cnn.data.download import download_files


def _publish(root: Path, name: str, payload: bytes) -> str:
    (root / "mnist").mkdir(parents=True, exist_ok=True)
    (root / "mnist" / name).write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()


def test_a_file_of_the_wrong_size_is_refused_before_its_hash(tmp_path, serve):
    good = _publish(tmp_path / "good", "f.bin", b"x" * 100)
    _publish(tmp_path / "long", "f.bin", b"x" * 5000)
    long, fine = serve(tmp_path / "long"), serve(tmp_path / "good")
    target = tmp_path / "cache"
    download_files(["f.bin"], target, mirrors=[long.url, fine.url], checksums={"f.bin": good},
                   sizes={"f.bin": 100}, progress=False)
    assert (target / "f.bin").read_bytes() == b"x" * 100
    assert sorted(p.name for p in target.iterdir()) == ["f.bin"]  # no temporary file left


def test_a_short_file_reports_its_size(tmp_path, serve):
    good = _publish(tmp_path / "short", "f.bin", b"x" * 10)
    mirror = serve(tmp_path / "short")
    with pytest.raises(OSError, match=r"f\.bin: size mismatch: got 10 bytes, expected 100"):
        download_files(["f.bin"], tmp_path / "cache", mirrors=[mirror.url],
                       checksums={"f.bin": good}, sizes={"f.bin": 100}, progress=False,
                       caller="download_thing")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_present_file_of_the_wrong_size_is_fetched_again(tmp_path, serve):
    good = _publish(tmp_path / "good", "f.bin", b"y" * 100)
    mirror = serve(tmp_path / "good")
    target = tmp_path / "cache"
    target.mkdir()
    (target / "f.bin").write_bytes(b"stale")
    download_files(["f.bin"], target, mirrors=[mirror.url], checksums={"f.bin": good},
                   sizes={"f.bin": 100}, progress=False)
    assert mirror.requests == ["/mnist/f.bin"]
    download_files(["f.bin"], target, mirrors=[mirror.url], checksums={"f.bin": good},
                   sizes={"f.bin": 100}, progress=False)
    assert len(mirror.requests) == 1


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TINYGRAD_CNN_CACHE", str(tmp_path))
    assert cache_dir("cifar-10") == tmp_path / "cifar-10"
    monkeypatch.delenv("TINYGRAD_CNN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir("kmnist") == tmp_path / "xdg" / "tinygrad_cnn" / "kmnist"
