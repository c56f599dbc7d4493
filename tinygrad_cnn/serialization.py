"""Saving and loading nested dicts of arrays as `.npz` or `.safetensors` files, without pickle.

A saved file holds one array per leaf, named by its key path joined with ``/`` (so a model's
state dict keeps PyTorch's names: ``np.load(path)["features.0.weight"]``), plus a small JSON
manifest that records the exact structure: nested dicts with str or int keys, lists, tuples,
and plain numbers, strings, bools and None (optimiser options). The manifest, not the joined
names, is what `load` rebuilds from, so no key can be confused with the separator. Files are
written atomically (`files.atomic_write`), so an interrupted save never leaves half a file.

Each format is a pair of functions, writer and reader, registered by file extension:
`.npz` (the default) and `.safetensors` (optional extra `interop`). A safetensors file holds
the same named arrays, so a state dict saved here loads in PyTorch with
`safetensors.torch.load_file` and `load_state_dict`, and one saved by PyTorch loads here; the
manifest travels in the file's text metadata. What a training run saves in such a file is
`checkpoint`'s business.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import zipfile
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np

from tinygrad_cnn import files
from tinygrad_cnn.autograd import dtypes
from tinygrad_cnn.files import atomic_write
from tinygrad_cnn.tensor import Tensor

MANIFEST = "__tinygrad_cnn_manifest__"
SEPARATOR = "/"
_VERSION = 1
# Containers nest at most this deep, in what is saved and in a manifest read: deeper is a
# damaged or hostile file (or a dict that holds itself), refused by name, not a RecursionError.
MAX_DEPTH = 100
PathLike = str | os.PathLike


# ---- the structure: nested containers <-> (manifest tree, named arrays) -------------------------


def _encode(obj: Any, path: list[str], arrays: dict[str, np.ndarray]) -> Any:
    """A JSON-able tree for `obj`, moving every array leaf into `arrays` under its path."""
    where = SEPARATOR.join(path) or "<root>"
    if len(path) > MAX_DEPTH and isinstance(obj, (Mapping, list, tuple)):
        raise ValueError(f"save: {where[:200]}... nests containers more than {MAX_DEPTH} levels "
                         "deep (does a dict or list hold itself?)")
    if isinstance(obj, Mapping):
        items = []
        for key, value in obj.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: key {key!r} at {where} must be a str or an int")
            items.append([key, _encode(value, [*path, str(key)], arrays)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(v, [*path, str(i)], arrays) for i, v in enumerate(obj)]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        array = np.asarray(obj.data if isinstance(obj, Tensor) else obj)
        if array.dtype.hasobject:
            raise TypeError(f"save: {where} is an object array; only numeric arrays are saved")
        name = SEPARATOR.join(path)
        if name in arrays or name == MANIFEST:
            raise ValueError(f"save: two entries share the array name {name!r}; rename a key")
        arrays[name] = array
        return {"array": name}
    raise TypeError(f"save: cannot save {type(obj).__name__} at {where}; use arrays, Tensors, "
                    "numbers, strings, None, and dicts, lists or tuples of them")


def _decode(node: Any, arrays: dict[str, np.ndarray], used: dict[str, bool], depth: int = 0) -> Any:
    """The object the manifest `node` describes, taking arrays from `arrays`."""
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"malformed manifest entry {str(node)[:200]}")
    ((kind, body),) = node.items()
    if kind in ("dict", "list", "tuple") and depth >= MAX_DEPTH:
        raise ValueError(f"the manifest nests containers more than {MAX_DEPTH} levels deep")
    if kind == "dict":
        return {key: _decode(value, arrays, used, depth + 1) for key, value in body}
    if kind in ("list", "tuple"):
        items = [_decode(value, arrays, used, depth + 1) for value in body]
        return items if kind == "list" else tuple(items)
    if kind == "value":
        return body
    if kind == "array":
        if body not in arrays:
            raise ValueError(f"the array {body!r} listed in the manifest is missing")
        used[body] = True
        return arrays[body]
    raise ValueError(f"unknown manifest entry kind {kind!r}")


def _pack(obj: Mapping[str, Any]) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, [], arrays)
    manifest = {"format": "tinygrad_cnn", "version": _VERSION, "tree": tree}
    arrays[MANIFEST] = np.frombuffer(json.dumps(manifest).encode("utf-8"), dtype=np.uint8)
    return arrays


def _unpack(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    if MANIFEST not in arrays:
        return arrays  # a plain archive of named arrays, e.g. from np.savez
    try:
        manifest = json.loads(arrays.pop(MANIFEST).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"unreadable manifest ({error})") from None
    except RecursionError:
        raise ValueError(f"the manifest nests containers more than {MAX_DEPTH} levels "
                         "deep") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "tinygrad_cnn":
        raise ValueError("the manifest is not a tinygrad_cnn manifest")
    if manifest.get("version") != _VERSION:
        raise ValueError(f"unsupported checkpoint version {manifest.get('version')!r}; "
                         f"this library reads version {_VERSION}")
    used: dict[str, bool] = {}
    obj = _decode(manifest.get("tree"), arrays, used)
    extra = [name for name in arrays if name not in used]
    if extra:
        raise ValueError(f"arrays not listed in the manifest: {', '.join(extra)}")
    return obj


# ---- formats -------------------------------------------------------------------------------------


def _write_npz(arrays: dict[str, np.ndarray], file: IO[bytes]) -> None:
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        # What the members declare bounds what reading them allocates (each .npy header is
        # checked against its member's size below), so it is checked against the file's size
        # first: a small deflated archive cannot inflate to gigabytes.
        declared = sum(info.file_size for info in archive.infolist())
        files.check_inflation("the archive", declared, path.stat().st_size)
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise ValueError(f"unexpected member {info.filename!r} (not a .npy array)")
            name = info.filename[: -len(".npy")]
            with archive.open(info) as member:
                _check_npy_header(member, name, info.file_size)
            with archive.open(info) as member:  # reading to the end checks the CRC
                arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
                if member.read(1):
                    raise ValueError(f"{name!r} has bytes after its data")
    return arrays


def _check_npy_header(member: IO[bytes], name: str, size: int) -> None:
    """Refuse a .npy header that asks for pickle or for more bytes than its zip entry's `size`.

    Checked before `read_array`, which allocates the whole declared array first: a header
    claiming terabytes would otherwise end in a MemoryError.
    """
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:  # 3.0 exists for structured dtypes with non-Latin-1 field names; never a checkpoint
        raise ValueError(f"{name!r} has a .npy header of version {version}; this library reads "
                         "1.0 and 2.0")
    if dtype.hasobject:
        raise ValueError(f"{name!r} is an object array; loading it would need pickle")
    declared = math.prod(shape) * dtype.itemsize
    held = size - member.tell()
    if declared > held:
        raise ValueError(f"{name!r} declares a {dtype} array of shape {shape}, {declared:,} "
                         f"bytes, but its entry holds {held:,}")


def _safetensors() -> Any:
    """The safetensors package, or an ImportError saying how to install it."""
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError("the .safetensors format needs the safetensors package: "
                          "pip install 'tinygrad_cnn[interop]'") from None
    return safetensors


def _write_safetensors(arrays: dict[str, np.ndarray], file: IO[bytes]) -> None:
    safetensors = _safetensors()
    tensors = {}
    for name, array in arrays.items():
        if name == MANIFEST:
            continue
        if array.dtype.kind not in "biuf":
            raise TypeError(f"save: {name!r} has dtype {array.dtype}; a .safetensors file holds "
                            "only numeric and bool arrays (use .npz)")
        tensors[name] = np.require(array, requirements="C")  # it reads the raw buffer
    # "format": "pt" tells Hugging Face loaders that names and layouts are PyTorch's
    metadata = {"format": "pt", MANIFEST: arrays[MANIFEST].tobytes().decode("utf-8")}
    file.write(safetensors.numpy.save(tensors, metadata=metadata))


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    safetensors = _safetensors()
    with contextlib.suppress(ImportError):
        import ml_dtypes  # noqa: F401 (teaches NumPy bfloat16, common in PyTorch files)
    arrays: dict[str, np.ndarray] = {}
    try:
        with safetensors.safe_open(str(path), framework="numpy") as file:
            metadata = file.metadata() or {}
            for name in file.keys():  # noqa: SIM118 (a safe_open is not iterable)
                try:
                    array = np.array(file.get_tensor(name))  # a copy the caller owns
                except TypeError as error:  # bfloat16 without ml_dtypes, or another dtype
                    raise ValueError(f"{name!r} cannot be read into NumPy ({error}); install "
                                     "ml_dtypes or save it as float32") from None
                # bfloat16 and float8 (ml_dtypes) become float32, which holds them exactly
                arrays[name] = array if array.dtype.kind in "biuf" else array.astype(np.float32)
    except safetensors.SafetensorError as error:
        raise ValueError(f"not a safetensors file, or truncated ({error})") from None
    if MANIFEST in metadata:
        arrays[MANIFEST] = np.frombuffer(metadata[MANIFEST].encode("utf-8"), dtype=np.uint8)
    return arrays


Writer = Callable[[dict[str, np.ndarray], IO[bytes]], None]
Reader = Callable[[Path], dict[str, np.ndarray]]
FORMATS: dict[str, tuple[Writer, Reader]] = {
    ".npz": (_write_npz, _read_npz),
    ".safetensors": (_write_safetensors, _read_safetensors),
}


# PyTorch's own checkpoints are pickles: loading one can run any code it names.
PICKLE_SUFFIXES = (".pt", ".pth")


def _format(path: Path, op: str) -> tuple[Writer, Reader]:
    suffix = path.suffix.lower() or ".npz"  # no extension: the default format
    if suffix in PICKLE_SUFFIXES:
        raise ValueError(
            f"{op}: {path} is PyTorch's pickle format ({suffix}), which this library never "
            "reads or writes (unpickling can run any code); use .npz or .safetensors, which "
            "PyTorch reads and writes too (safetensors.torch.save_file(model.state_dict(), "
            "'model.safetensors'))")
    if suffix not in FORMATS:
        raise ValueError(f"{op}: unknown checkpoint format {path.suffix!r} for {path}; "
                         f"supported: {', '.join(FORMATS)}")
    return FORMATS[suffix]


# ---- the public functions ------------------------------------------------------------------------


def save(obj: Mapping[str, Any], path: PathLike) -> None:
    """Write a dict of arrays, nested as you like, to a file whose extension picks the format.

    `.safetensors` (optional extra `interop`) takes only numeric and bool arrays; a flat state
    dict saved so loads in PyTorch (`safetensors.torch.load_file`) under the same names.

    The file is written to a temporary file in the same folder and renamed over `path`, so an
    interrupted save leaves any previous file intact and no partial file behind. The folder
    must exist (it is not created) and the file gets the mode the umask gives, as with
    `open()`. Nothing is pickled; `.npz` is the default format.

    Args:
        obj: a dict, possibly nested, of ndarrays, Tensors, numbers, strings, None, and
            lists or tuples of them; e.g. ``{"model": model.state_dict(),
            "optimizer": optimizer.state_dict(), "epoch": 3}``.
        path: where to write, in an existing folder.

    Raises:
        TypeError: for an object that cannot be saved without pickle (named by its key path),
            or, for `.safetensors`, an array that is not numeric.
        ValueError: for an unknown extension.
        ImportError: for `.safetensors` without the safetensors package.
        OSError: when `path` is a folder or its folder does not exist or is not writable
            (`IsADirectoryError`, `FileNotFoundError`, `PermissionError`), naming `path`.

    Examples:
        >>> import tempfile, os
        >>> from tinygrad_cnn import nn, save, load
        >>> model = nn.Linear(2, 1)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> save(model.state_dict(), path)
        >>> sorted(load(path))
        ['bias', 'weight']
    """
    path = Path(path)
    writer, _ = _format(path, "save")
    if not isinstance(obj, Mapping) and hasattr(obj, "state_dict"):
        raise TypeError(f"save: got a whole {type(obj).__name__}, which only pickle could "
                        f"store; save its state_dict() instead: save(model.state_dict(), path)")
    if not isinstance(obj, Mapping):
        raise TypeError(f"save: expected a dict, got {type(obj).__name__}")
    atomic_write(path, partial(writer, _pack(obj)), "save")


def load(path: PathLike, weights_only: bool = True, map_location: Any = None) -> dict[str, Any]:
    """Read a file written by `save`, any `.npz` of numeric arrays, or any
    `.safetensors` file (PyTorch's included) whose dtypes NumPy has.

    Only data is ever read, so PyTorch's `torch.load(path, weights_only=True,
    map_location="cpu")` reads the same here; `model.load_state_dict(load(path))` restores a
    model.

    Args:
        path: the file; its extension picks the format (`.npz`, the default, or
            `.safetensors`).
        weights_only: True, as PyTorch's safe loading; False is refused (it would unpickle).
        map_location: None or the CPU, the one device.

    Returns:
        The saved structure, with arrays as ndarrays (Tensors come back as ndarrays).

    Raises:
        FileNotFoundError: when the file does not exist.
        ValueError: for `.pt`/`.pth` (PyTorch's pickles), an unknown extension, a truncated or
            corrupt file, object arrays, or a manifest that does not match the arrays, each
            naming the file; for `weights_only=False` or a device other than the CPU.
        ImportError: for `.safetensors` without the safetensors package.
    """
    if not weights_only:
        raise ValueError("load: weights_only=False would unpickle, which this library never "
                         "does; its files hold data alone, so leave weights_only=True")
    dtypes.check_device("load", map_location)
    path = Path(path)
    _, reader = _format(path, "load")
    if not path.is_file():
        raise FileNotFoundError(f"load: no checkpoint at {path}")
    try:
        return _unpack(reader(path))
    except ValueError as error:
        raise ValueError(f"load: {path}: {error}") from None
    except (EOFError, OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise ValueError(f"load: {path} is truncated or corrupt ({error})") from None
