"""Tests for IDX reading and writing: round trips, and a clear error for each kind of damage."""

import gzip
import os
import zlib

import numpy as np
import pytest
from allocations import traced

from tinygrad_cnn import files
from tinygrad_cnn.data import read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def _raw(code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    header = bytes([0, 0, code, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)
    return header + payload


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = tmp_path / f"x-idx3{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)
    back[0, 0, 0] = 1  # the result is writable
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("shape", [(), (7,), (2, 0, 3), (1, 1, 1, 1, 2)])
def test_round_trip_shapes(tmp_path, shape):
    array = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    write_idx(tmp_path / "x.gz", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "x.gz"), array)
    assert read_idx(tmp_path / "x.gz").shape == shape


def test_big_endian_on_disk_and_gzip_by_magic(tmp_path):
    write_idx(tmp_path / "a", np.array([1, 258], dtype=np.int16))
    assert (tmp_path / "a").read_bytes() == bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0, 1, 1, 2])
    # compressed content under a name without .gz is recognised by the gzip magic bytes
    (tmp_path / "b").write_bytes(gzip.compress((tmp_path / "a").read_bytes()))
    np.testing.assert_array_equal(read_idx(tmp_path / "b"), [1, 258])


def test_mnist_style_header(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    assert (tmp_path / "train-images-idx3-ubyte").read_bytes()[:16] == bytes.fromhex(
        "00000803 00000002 0000001c 0000001c"  # magic, N, H, W
    )


def test_write_is_deterministic(tmp_path):
    array = np.arange(100, dtype=np.float32)
    write_idx(tmp_path / "a.gz", array)
    first = (tmp_path / "a.gz").read_bytes()
    write_idx(tmp_path / "a.gz", array)  # overwrite in place
    assert (tmp_path / "a.gz").read_bytes() == first


def test_write_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match=r"write_idx: IDX cannot store dtype int64"):
        write_idx(tmp_path / "x", np.arange(3))
    with pytest.raises(TypeError, match=r"dtype bool"):
        write_idx(tmp_path / "x", np.array([True]))
    assert list(tmp_path.iterdir()) == []


def test_write_failure_leaves_nothing(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_idx(tmp_path / "x.gz", np.zeros(3, np.uint8))
    assert list(tmp_path.iterdir()) == []


# ---- damaged files: each a ValueError naming the file and what is wrong ---------------------


@pytest.mark.parametrize("compress", [False, True])
def test_bad_magic(tmp_path, compress):
    data = b"\x01\x02\x08\x01" + bytes(8)
    path = tmp_path / ("bad.gz" if compress else "bad")
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(ValueError, match=r"bad.*: bad IDX magic number 0x01020801"):
        read_idx(path)


def test_unknown_type_code(tmp_path):
    (tmp_path / "x").write_bytes(_raw(0x0A, (1,), b"\0"))
    with pytest.raises(ValueError, match=r"x: unknown IDX type code 0x0A"):
        read_idx(tmp_path / "x")


@pytest.mark.parametrize("data", [b"", b"\0\0", b"\0\0\x08\x03" + bytes(6)])
def test_truncated_header(tmp_path, data):
    (tmp_path / "x").write_bytes(data)
    with pytest.raises(ValueError, match=r"x: truncated IDX header"):
        read_idx(tmp_path / "x")


def test_truncated_payload(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(_raw(0x08, (60000, 28, 28), bytes(1000))))
    with pytest.raises(ValueError) as info:
        read_idx(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "expected 47040000 bytes of data for a uint8 array of shape (60000, 28, 28)" in message
    assert message.endswith("found 1000")


def test_trailing_bytes(tmp_path):
    (tmp_path / "x").write_bytes(_raw(0x0C, (2,), bytes(8 + 3)))
    with pytest.raises(ValueError, match=r"x: trailing bytes after the 8 bytes of data"):
        read_idx(tmp_path / "x")


def test_wrong_dims(tmp_path):
    # a header claiming (3, 3) float64 over the payload of a (2, 2) array
    (tmp_path / "x").write_bytes(_raw(0x0E, (3, 3), bytes(4 * 8)))
    with pytest.raises(ValueError, match=r"expected 72 bytes .* shape \(3, 3\), found 32"):
        read_idx(tmp_path / "x")


@pytest.mark.parametrize(
    "damage",
    [
        lambda z: z[: len(z) // 2],  # cut short
        lambda z: z[:12] + bytes(len(z) - 12),  # zeroed deflate stream
        lambda z: z[:-8] + bytes(8),  # bad CRC and length
        lambda z: z + b"garbage",  # junk after the member
        lambda z: b"PK" + z[2:],  # named .gz but not gzip
    ],
)
def test_corrupt_gzip(tmp_path, damage):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    write_idx(path, np.arange(200, dtype=np.uint8))
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz: corrupt gzip stream"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


# ---- a decompression bomb: refused without inflating what the header does not declare -------


def _bomb(path, zeros: int) -> None:
    """A gzip file whose header declares one uint8 element, followed by `zeros` zero bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip member
    parts = [packer.compress(_raw(0x08, (1,), b"\x07"))]
    parts += [packer.compress(bytes(1 << 20)) for _ in range(zeros >> 20)]
    path.write_bytes(b"".join([*parts, packer.flush()]))


def test_gzip_bomb_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "bomb-idx1-ubyte.gz"
    _bomb(path, 64 << 20)  # 64 KiB on disk, 64 MiB inflated
    with traced() as memory, pytest.raises(ValueError, match=r"bomb-idx1-ubyte\.gz: trailing "
                                                               r"bytes after the 1 "):
        read_idx(path)
    assert memory.peak < 4 << 20, f"read_idx held {memory.peak >> 20} MiB to read one byte"


def test_a_truncated_file_allocates_only_what_arrived(tmp_path):
    path = tmp_path / "x"  # a header declaring 4 GiB over 10 bytes of payload
    path.write_bytes(_raw(0x08, (1 << 16, 1 << 16), bytes(10)))
    with traced() as memory, pytest.raises(ValueError, match=r"expected 4294967296 bytes .* "
                                                               r"found 10$"):
        read_idx(path)
    assert memory.peak < 4 << 20


def _declaring(path, shape, zeros: int) -> None:
    """A gzip file whose header declares a uint8 array of `shape`, then `zeros` zero bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(_raw(0x08, shape, b""))]
    parts += [packer.compress(bytes(1 << 20)) for _ in range(zeros >> 20)]
    path.write_bytes(b"".join([*parts, packer.flush()]))


def test_a_gzip_header_declaring_more_than_the_file_can_hold_is_refused_before_inflating(
        tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    _declaring(path, (10**6, 28, 28), 80 << 20)  # 80 KiB declaring 748 MiB, inflating 80 MiB
    with traced() as memory, pytest.raises(
            ValueError, match=r"train-images-idx3-ubyte\.gz \(an IDX array of shape \(1000000, "
                              r"28, 28\)\) declares 747\.7 MiB once inflated from 7\d\.\d KiB, "
                              r"more than 100 times its size .* raise "
                              r"tinygrad_cnn\.files\.MAX_INFLATION"):
        read_idx(path)
    assert memory.peak < 4 << 20, f"read_idx inflated {memory.peak >> 20} MiB before refusing"


def test_the_inflation_bound_can_be_raised(tmp_path, monkeypatch):
    path = tmp_path / "x.gz"
    write_idx(path, np.zeros((5000, 28, 28), np.uint8))  # 3.7 MiB of zeros in a few KiB
    monkeypatch.setattr(files, "MIN_INFLATED", 1 << 20)
    with pytest.raises(ValueError, match=r"raise tinygrad_cnn\.files\.MAX_INFLATION"):
        read_idx(path)
    monkeypatch.setattr(files, "MAX_INFLATION", 10_000)
    assert read_idx(path).shape == (5000, 28, 28)
