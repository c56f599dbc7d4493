"""Tests for the shared download helper: sizes checked before hashes, the cache folder."""

import hashlib
import http.server
import os
import threading
import time
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
    with pytest.raises(OSError, match=r"f\.bin: size mismatch: the server announces 10 bytes, "
                                      r"expected 100"):
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


# ---- bounds: the expected size, an overall deadline; and the umask's mode -----------------


class _Drip:
    """An HTTP server on 127.0.0.1 that answers every GET with `body` bytes, sent `step` bytes
    at a time every `pause` seconds, announcing `length` (None: no Content-Length)."""

    def __init__(self, body: int, step: int, pause: float, length: int | None):
        self.sent = 0
        drip = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                try:
                    for _ in range(0, body, step):
                        self.wfile.write(bytes(step))
                        drip.sent += step
                        time.sleep(pause)
                except OSError:  # the client hung up, as it should
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def drip(serve):  # `serve` clears the proxy settings for 127.0.0.1
    servers = []

    def start(body, step, pause=0.0, length=None):
        servers.append(_Drip(body, step, pause, length))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_the_official_mnist_files_are_bounded_by_their_sizes(tmp_path, serve):
    from tinygrad_cnn.data import download_mnist
    from tinygrad_cnn.data.mnist import MNIST_SIZES

    expected = MNIST_SIZES["train-images-idx3-ubyte.gz"]
    _publish(tmp_path / "big", "train-images-idx3-ubyte.gz", bytes(expected + 1))
    mirror = serve(tmp_path / "big")
    with pytest.raises(OSError, match=rf"size mismatch: the server announces {expected + 1} "
                                      rf"bytes, expected {expected}"):
        download_mnist(tmp_path / "cache", mirrors=[mirror.url], progress=False)
    assert list((tmp_path / "cache").iterdir()) == []


def test_an_endless_answer_stops_at_the_expected_size(tmp_path, drip):
    server = drip(body=256 << 20, step=1 << 16)  # 256 MiB of zeros, no Content-Length
    with pytest.raises(OSError, match=r"f\.bin: size mismatch: more than the 1000 bytes expected"):
        download_files(["f.bin"], tmp_path, mirrors=[server.url], checksums={"f.bin": "0" * 64},
                       sizes={"f.bin": 1000}, progress=False)
    assert list(tmp_path.iterdir()) == []
    assert server.sent < 64 << 20  # it hung up long before the end


def test_a_short_answer_without_length_reports_its_size(tmp_path, drip):
    server = drip(body=10, step=10)
    with pytest.raises(OSError, match=r"f\.bin: size mismatch: got 10 bytes, expected 100"):
        download_files(["f.bin"], tmp_path, mirrors=[server.url], checksums={"f.bin": "0" * 64},
                       sizes={"f.bin": 100}, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_mirror_slower_than_the_deadline_is_abandoned(tmp_path, drip, serve):
    slow = drip(body=100, step=1, pause=0.1, length=100)  # 10 s, a byte every 0.1 s
    good = _publish(tmp_path / "good", "f.bin", bytes(100))
    fine = serve(tmp_path / "good")
    with pytest.raises(OSError) as info:
        download_files(["f.bin"], tmp_path / "cache", mirrors=[slow.url, fine.url],
                       checksums={"f.bin": good}, timeout=5.0, deadline=1.0, progress=False)
    message = str(info.value)
    assert f"{slow.url}f.bin: the download took longer than its deadline of 1 s" in message
    assert f"{fine.url}f.bin: not tried, the deadline had passed" in message
    assert fine.requests == [] and list((tmp_path / "cache").iterdir()) == []


def test_downloaded_files_get_the_umask_mode(tmp_path, serve):
    good = _publish(tmp_path / "good", "f.bin", b"z" * 10)
    mirror = serve(tmp_path / "good")
    old = os.umask(0o027)
    try:
        download_files(["f.bin"], tmp_path / "cache", mirrors=[mirror.url],
                       checksums={"f.bin": good}, progress=False)
    finally:
        os.umask(old)
    assert (tmp_path / "cache" / "f.bin").stat().st_mode & 0o777 == 0o640
