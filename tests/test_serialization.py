"""save / load: round trips of nested checkpoints, atomic writes, and every refusal."""

import io
import json
import re
import sys
import zipfile

import numpy as np
import pytest
from allocations import traced

import tinygrad_cnn
from tinygrad_cnn import Tensor, files, load, manual_seed, nn, save
from tinygrad_cnn import serialization as ser


def small_net():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm2d(4), nn.Linear(4, 2))


def test_model_state_round_trip_keeps_names_dtypes_and_values(tmp_path):
    manual_seed(0)
    model = small_net()
    path = tmp_path / "model.npz"
    save(model.state_dict(), path)
    state = load(path)
    assert list(state) == list(model.state_dict())
    for key, value in model.state_dict().items():
        assert state[key].dtype == value.dtype and state[key].shape == value.shape
        np.testing.assert_array_equal(state[key], value)
    assert state["1.num_batches_tracked"].dtype == np.int64
    fresh = small_net()
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[2].weight.data, model[2].weight.data)
    assert np.load(path)["0.weight"].shape == (4, 3)  # plain NumPy reads it with the same names


def test_nested_checkpoint_with_optimizer_state_round_trips(tmp_path):
    checkpoint = {
        "model": {"w": Tensor([1.0, 2.0]), "odd/key.with.dots": np.arange(3)},
        "optimizer": {
            "state": {0: {"momentum_buffer": np.ones((2, 2)), "step": 3}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1],
                              "nesterov": False, "foreach": None, "name": "head"}],
        },
        "epoch": 7,
        "best": float("inf"),
        "scalar": np.float32(0.5),
        "empty": {},
    }
    path = tmp_path / "ckpt.npz"
    save(checkpoint, path)
    back = load(path)
    assert back["epoch"] == 7 and back["best"] == float("inf") and back["empty"] == {}
    assert back["optimizer"]["param_groups"] == checkpoint["optimizer"]["param_groups"]
    assert isinstance(back["optimizer"]["param_groups"][0]["betas"], tuple)
    assert list(back["optimizer"]["state"]) == [0]  # int keys stay ints
    assert back["optimizer"]["state"][0]["step"] == 3
    np.testing.assert_array_equal(back["model"]["w"], [1.0, 2.0])
    np.testing.assert_array_equal(back["model"]["odd/key.with.dots"], [0, 1, 2])
    assert back["scalar"].dtype == np.float32 and back["scalar"] == 0.5


def test_a_plain_npz_loads_as_a_flat_dict(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.arange(3), b=np.eye(2))
    back = load(path)
    assert sorted(back) == ["a", "b"]
    np.testing.assert_array_equal(back["b"], np.eye(2))


def test_no_extension_means_npz_and_unknown_extensions_are_refused(tmp_path):
    save({"a": np.zeros(2)}, tmp_path / "checkpoint")
    assert zipfile.is_zipfile(tmp_path / "checkpoint")
    assert list(load(tmp_path / "checkpoint")) == ["a"]
    with pytest.raises(ValueError, match=r"unknown checkpoint format '\.pkl'.*supported: \.npz"):
        save({"a": np.zeros(2)}, tmp_path / "model.pkl")
    with pytest.raises(ValueError, match=r"supported: \.npz"):
        load(tmp_path / "model.pkl")


@pytest.mark.parametrize("name", ["model.pt", "model.PTH"])
def test_pytorch_pickles_are_refused_saying_what_to_do_instead(tmp_path, name):
    (tmp_path / name).write_bytes(b"a pickle would run code")
    for call, op in ((lambda: save({"a": np.zeros(2)}, tmp_path / name), "save"),
                     (lambda: load(tmp_path / name), "load")):
        with pytest.raises(ValueError, match=rf"^{op}: .*{name} is PyTorch's pickle format .* "
                                             r"never reads or writes .* use \.npz or "
                                             r"\.safetensors") as info:
            call()
        assert "\n" not in str(info.value)


def test_load_takes_pytorch_s_arguments(tmp_path):
    model = tinygrad_cnn.nn.Linear(2, 1)
    save(model.state_dict(), tmp_path / "m.npz")
    model.load_state_dict(load(tmp_path / "m.npz", weights_only=True, map_location="cpu"))
    with pytest.raises(ValueError, match="load: weights_only=False would unpickle"):
        load(tmp_path / "m.npz", weights_only=False)
    with pytest.raises(ValueError, match="load: device 'cuda' is not available"):
        load(tmp_path / "m.npz", map_location="cuda")


def test_saving_refuses_what_would_need_pickle(tmp_path):
    path = tmp_path / "x.npz"
    with pytest.raises(TypeError, match="object array"):
        save({"a": np.array([object()], dtype=object)}, path)
    with pytest.raises(TypeError, match=r"cannot save set at model/bad"):
        save({"model": {"bad": {1, 2}}}, path)
    with pytest.raises(TypeError, match="must be a str or an int"):
        save({(1, 2): np.zeros(1)}, path)
    with pytest.raises(TypeError, match="expected a dict"):
        save([np.zeros(1)], path)
    with pytest.raises(TypeError, match=r"save: got a whole Linear, which only pickle could "
                                        r"store; save its state_dict\(\) instead"):
        save(tinygrad_cnn.nn.Linear(2, 1), path)
    with pytest.raises(ValueError, match="share the array name 'a/b'"):
        save({"a": {"b": np.zeros(1)}, "a/b": np.zeros(1)}, path)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left


def test_loading_refuses_object_arrays(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, ok=np.zeros(2), bad=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match=r"objects\.npz: 'bad' is an object array"):
        load(path)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.1])
def test_loading_refuses_truncated_files(tmp_path, keep):
    path = tmp_path / "cut.npz"
    save({"w": np.arange(1000.0)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match=r"cut\.npz is truncated or corrupt"):
        load(path)


def test_loading_refuses_damaged_bytes(tmp_path):
    path = tmp_path / "flip.npz"
    values = np.arange(1000, dtype=np.float64)
    save({"w": values}, path)
    data = bytearray(path.read_bytes())
    data[data.find(values[500:501].tobytes())] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"flip\.npz is truncated or corrupt.*CRC"):
        load(path)


def test_loading_refuses_files_that_are_not_checkpoints(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("not an archive")
    with pytest.raises(ValueError, match=r"text\.npz is truncated or corrupt"):
        load(path)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load(tmp_path / "missing.npz")


def _npy_claiming(shape, dtype, payload: bytes) -> bytes:
    """A .npy member whose header declares `shape` and `dtype` over `payload`."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape})
    return header.getvalue() + payload


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_member_claiming_more_than_its_entry_holds_is_refused_before_reading(
        tmp_path, compression):
    path = tmp_path / "claim.npz"
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        archive.writestr("ok.npy", _npy_claiming((2,), np.float64, bytes(16)))
        archive.writestr("w.npy", _npy_claiming((1 << 40,), np.float64, bytes(8)))  # 8 TiB
    with pytest.raises(ValueError) as info:
        load(path)
    assert str(info.value) == (
        f"load: {path}: 'w' declares a float64 array of shape (1099511627776,), "
        "8,796,093,022,208 bytes, but its entry holds 8")


def _deflated_zeros(path, megabytes):
    """A deflated .npz holding one float64 array of `megabytes` MiB of zeros."""
    count = (megabytes << 20) // 8
    with (zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
          archive.open("zeros.npy", "w", force_zip64=True) as member):
        np.lib.format.write_array_header_1_0(
            member, {"descr": "<f8", "fortran_order": False, "shape": (count,)})
        for _ in range(megabytes):
            member.write(bytes(1 << 20))


def test_a_small_deflated_archive_that_inflates_to_gigabytes_is_refused_before_reading(
        tmp_path, monkeypatch):
    path = tmp_path / "bomb.npz"
    _deflated_zeros(path, 96)  # 96 MiB of zeros in about 100 KiB
    with traced() as memory, pytest.raises(
            ValueError, match=rf"^load: {re.escape(str(path))}: the archive declares 96\.0 MiB "
                              r"once inflated from 9\d\.\d KiB, more than 100 times its size "
                              r".* raise tinygrad_cnn\.files\.MAX_INFLATION$"):
        load(path)
    assert memory.peak < 4 << 20, f"load allocated {memory.peak >> 20} MiB before refusing"
    monkeypatch.setattr(files, "MAX_INFLATION", 2000)  # the documented way to trust it
    assert load(path)["zeros"].shape == (96 << 17,)


def _nested(levels):
    tree = {"value": 1}
    for _ in range(levels):
        tree = {"dict": [["a", tree]]}
    return {"format": "tinygrad_cnn", "version": 1, "tree": tree}


@pytest.mark.parametrize("levels", [101, 400, 10_000])
def test_a_manifest_nested_too_deeply_is_refused_by_name(tmp_path, levels):
    path = tmp_path / "deep.npz"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)  # json.dumps, to write it
    try:
        text = json.dumps(_nested(levels))
    finally:
        sys.setrecursionlimit(limit)
    with (zipfile.ZipFile(path, "w") as archive,
          archive.open(ser.MANIFEST + ".npy", "w") as member):
        np.lib.format.write_array(member, np.frombuffer(text.encode(), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"^load: .*deep\.npz: the manifest nests containers "
                                         r"more than 100 levels deep$"):
        load(path)


def test_saving_a_structure_nested_too_deeply_or_holding_itself_is_refused(tmp_path):
    deep = leaf = {}
    for _ in range(150):
        leaf["a"] = {}
        leaf = leaf["a"]
    with pytest.raises(ValueError, match=r"^save: a/a/a/.*\.\.\. nests containers more than 100 "
                                         r"levels deep"):
        save(deep, tmp_path / "deep.npz")
    looped = {"x": []}
    looped["x"].append(looped)
    with pytest.raises(ValueError, match=r"does a dict or list hold itself\?"):
        save(looped, tmp_path / "looped.npz")
    assert list(tmp_path.iterdir()) == []
    hundred = leaf = {}
    for _ in range(99):
        leaf["a"] = {}
        leaf = leaf["a"]
    save(hundred, tmp_path / "ok.npz")
    assert load(tmp_path / "ok.npz") == hundred


def _write_manifest(path, manifest, arrays):
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in {**arrays, ser.MANIFEST: np.frombuffer(
                json.dumps(manifest).encode(), dtype=np.uint8)}.items():
            with archive.open(name + ".npy", "w") as member:
                np.lib.format.write_array(member, array)


@pytest.mark.parametrize(
    ("manifest", "arrays", "message"),
    [
        ({"format": "tinygrad_cnn", "version": 1, "tree": {"dict": [["a", {"array": "a"}]]}},
         {}, "array 'a' listed in the manifest is missing"),
        ({"format": "tinygrad_cnn", "version": 1, "tree": {"dict": []}},
         {"stray": np.zeros(1)}, "arrays not listed in the manifest: stray"),
        ({"format": "tinygrad_cnn", "version": 99, "tree": {"dict": []}}, {},
         "unsupported checkpoint version 99"),
        ({"format": "other"}, {}, "not a tinygrad_cnn manifest"),
        ({"format": "tinygrad_cnn", "version": 1, "tree": {"pickle": 1}}, {},
         "unknown manifest entry kind 'pickle'"),
    ],
)
def test_loading_refuses_inconsistent_manifests(tmp_path, manifest, arrays, message):
    path = tmp_path / "m.npz"
    _write_manifest(path, manifest, arrays)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_an_interrupted_save_leaves_the_old_checkpoint_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    save({"w": np.zeros(3)}, path)
    before = path.read_bytes()
    calls = []

    def failing_write_array(file, array, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first array is already in the temporary file
            raise KeyboardInterrupt("power cut")
        return original(file, array, **kwargs)

    original = np.lib.format.write_array
    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(KeyboardInterrupt):
        save({"w": np.ones(3), "v": np.ones(2)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    np.testing.assert_array_equal(load(path)["w"], np.zeros(3))


def test_a_failed_rename_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(ser.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        save({"w": np.zeros(3)}, path)
    assert list(tmp_path.iterdir()) == []


def test_save_and_load_are_exported_at_top_level():
    assert tinygrad_cnn.save is save and tinygrad_cnn.load is load
