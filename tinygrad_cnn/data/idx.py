"""Reading and writing IDX files (the MNIST format), raw or gzip-compressed, with strict checks."""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from tinygrad_cnn import files
from tinygrad_cnn.files import atomic_write

# IDX type code -> big-endian element dtype, as in the format's description (yann.lecun.com).
_CODE_TO_DTYPE: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_DTYPE_TO_CODE: dict[np.dtype, int] = {dt.newbyteorder("="): c for c, dt in _CODE_TO_DTYPE.items()}
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_DIM = 2**32 - 1  # each dimension is stored as an unsigned 32-bit integer
_CHUNK = 1 << 20


def _read_upto(stream: BinaryIO, size: int) -> bytearray:
    """At most `size` bytes, fewer only at the end of the stream; memory grows as they arrive."""
    buffer = bytearray()
    while len(buffer) < size:
        chunk = stream.read(min(_CHUNK, size - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer


def _header(path: Path, stream: BinaryIO) -> tuple[np.dtype, tuple[int, ...]]:
    """The element dtype and the shape declared by the header at the start of `stream`."""
    magic = _read_upto(stream, 4)
    if len(magic) < 4:
        raise ValueError(f"{path}: truncated IDX header: {len(magic)} bytes, expected at least 4")
    if magic[0] != 0 or magic[1] != 0:
        raise ValueError(
            f"{path}: bad IDX magic number 0x{magic.hex()}: expected two zero bytes, a type "
            "code and the number of dimensions (e.g. 0x00000803 for MNIST images)"
        )
    code, ndim = magic[2], magic[3]
    if code not in _CODE_TO_DTYPE:
        known = ", ".join(f"0x{c:02X}" for c in _CODE_TO_DTYPE)
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}; expected one of {known}")
    dims = _read_upto(stream, 4 * ndim)
    if len(dims) < 4 * ndim:
        raise ValueError(
            f"{path}: truncated IDX header: {ndim} dimensions need {4 + 4 * ndim} bytes, "
            f"found {4 + len(dims)}"
        )
    shape = tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
    return _CODE_TO_DTYPE[code], shape


def _read_stream(path: Path, stream: BinaryIO, compressed: int | None = None) -> np.ndarray:
    """The array in an uncompressed IDX stream: the header, then exactly the bytes it declares.

    `compressed` is the size of the file the stream inflates, if it does: the declared size is
    checked against it (`files.check_inflation`) before the payload is inflated.
    """
    dtype, shape = _header(path, stream)
    native = dtype.newbyteorder("=")
    expected = math.prod(shape) * dtype.itemsize
    if compressed is not None:
        files.check_inflation(f"{path} (an IDX array of shape {shape})",
                               4 + 4 * len(shape) + expected, compressed)
    payload = _read_upto(stream, expected)
    what = f"data for a {native.name} array of shape {shape}"
    if len(payload) < expected:
        raise ValueError(f"{path}: expected {expected} bytes of {what}, found {len(payload)}")
    # One byte more, not the rest: a gzip bomb's trailing gigabytes are never inflated.
    if stream.read(1):
        raise ValueError(f"{path}: trailing bytes after the {expected} bytes of {what}")
    array = np.frombuffer(payload, dtype=dtype).reshape(shape)  # writable: a bytearray's view
    if dtype != native:
        array = array.byteswap(inplace=True).view(native)
    return array


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file into a NumPy array in native byte order.

    The file is decompressed when its name ends in `.gz` or it starts with the gzip magic
    bytes. The header must be two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64) and the number of dimensions, followed by one
    big-endian uint32 per dimension; the payload must hold exactly the product of the
    dimensions in elements.

    The file is streamed: the header is read first, then exactly the bytes it declares, and
    one byte more to refuse trailing data. A `.gz` file's declared size is checked against
    the file's own size first (`files.check_inflation`: at most `files.MAX_INFLATION` times
    it, or 64 MiB), so a small `.gz` whose header declares gigabytes (a decompression bomb)
    is refused before its body is inflated; and memory grows only with the bytes that
    actually arrive, never beyond the declared size.

    Args:
        path: the file to read.

    Returns:
        A new, writable array with the file's shape and dtype.

    Raises:
        FileNotFoundError: when the file does not exist.
        ValueError: when the gzip stream is corrupt, the magic number or type code is wrong,
            the header or payload is truncated, bytes follow the payload, or a `.gz` file
            declares more than it may inflate to. The message names the file and what is
            wrong.

    Examples:
        >>> import os, tempfile
        >>> import numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "x-idx2-ubyte.gz")
        >>> write_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
        >>> read_idx(path).tolist()
        [[0, 1, 2], [3, 4, 5]]
    """
    path = Path(path)
    with path.open("rb") as file:
        compressed = path.suffix == ".gz" or file.read(2) == _GZIP_MAGIC
        file.seek(0)
        if not compressed:
            return _read_stream(path, file)
        try:
            with gzip.GzipFile(fileobj=file) as stream:
                size = os.fstat(file.fileno()).st_size
                return _read_stream(path, stream, size)  # type: ignore[arg-type]
        except (OSError, EOFError, zlib.error) as err:  # BadGzipFile is an OSError
            raise ValueError(f"{path}: corrupt gzip stream: {err}") from None


def _encode(array: np.ndarray) -> bytes:
    """Header and big-endian payload of `array` as an IDX file."""
    native = array.dtype.newbyteorder("=")
    code = _DTYPE_TO_CODE.get(native)
    if code is None:
        names = ", ".join(dt.name for dt in _DTYPE_TO_CODE)
        raise TypeError(f"write_idx: IDX cannot store dtype {array.dtype}; supported: {names}")
    if array.ndim > 255:
        raise ValueError(f"write_idx: IDX stores at most 255 dimensions, got {array.ndim}")
    if any(d > _MAX_DIM for d in array.shape):
        raise ValueError(f"write_idx: IDX dimensions must be < 2**32, got shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write an array as an IDX file, gzip-compressed when the name ends in `.gz`.

    The file is written atomically: the bytes go to a temporary file in the same directory,
    which replaces `path` only once it is complete, so readers never see half a file. It gets
    the mode the umask gives, as with `open()`.

    Args:
        path: the file to write; its directory must exist.
        array: an array of dtype uint8, int8, int16, int32, float32 or float64, with at most
            255 dimensions, each below 2**32.

    Raises:
        TypeError: when the dtype has no IDX type code.
        ValueError: when the array has too many dimensions or one too large.
        OSError: when the file cannot be written (nothing is left behind), e.g. its folder
            does not exist; the message names `path`.
    """
    path = Path(path)
    payload = _encode(np.asarray(array))

    def write(file: BinaryIO) -> None:
        if path.suffix != ".gz":
            file.write(payload)
            return
        # mtime=0 and the final name in the header: the same array gives the same bytes
        with gzip.GzipFile(filename=path.name, mode="wb", fileobj=file, mtime=0) as gz:
            gz.write(payload)

    atomic_write(path, write, "write_idx")
