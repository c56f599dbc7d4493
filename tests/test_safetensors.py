"""save/load with .safetensors: round trips, refusals, and weights moving to and from PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from extras import require
from torch_parity import torch_module

from tinygrad_cnn import Tensor, load, models, nn, no_grad, optim, save

safetensors_numpy = require("safetensors.numpy", "interop")


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_state_dict_round_trip_keeps_names_order_dtypes_and_values(tmp_path):
    model = models.lenet5()
    path = tmp_path / "lenet.safetensors"
    save(model.state_dict(), path)
    loaded = load(path)
    assert list(loaded) == list(model.state_dict())
    for name, array in model.state_dict().items():
        assert loaded[name].dtype == array.dtype
        np.testing.assert_array_equal(loaded[name], array)
    assert _leftovers(tmp_path) == []


def test_views_scalars_and_big_endian_arrays_round_trip(tmp_path):
    state = {"view": np.arange(6.0).reshape(2, 3).T, "scalar": np.array(7, np.int64),
             "big": np.arange(3, dtype=">f4"), "flags": np.array([True, False])}
    save(state, tmp_path / "odd.safetensors")
    loaded = load(tmp_path / "odd.safetensors")
    for name, array in state.items():
        assert loaded[name].shape == array.shape
        np.testing.assert_array_equal(loaded[name], array)


def test_the_file_is_plain_safetensors_under_pytorch_names(tmp_path):
    model = models.lenet5()
    save(model.state_dict(), tmp_path / "lenet.safetensors")
    tensors = safetensors_numpy.load_file(str(tmp_path / "lenet.safetensors"))
    assert sorted(tensors) == sorted(name for name, _ in model.named_parameters())
    assert tensors["features.0.weight"].shape == (6, 1, 5, 5)  # (O, C, kH, kW), as PyTorch


def test_nested_checkpoint_round_trips_through_the_manifest(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    model(Tensor(np.ones((2, 1, 4, 4), np.float32))).sum().backward()
    optimizer.step()
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3}
    save(state, tmp_path / "run.safetensors")
    loaded = load(tmp_path / "run.safetensors")
    assert loaded["epoch"] == 3
    assert loaded["model"]["1.num_batches_tracked"].dtype == np.int64
    assert loaded["model"]["1.num_batches_tracked"].shape == ()
    np.testing.assert_array_equal(loaded["model"]["0.weight"], model.state_dict()["0.weight"])
    optim.Adam(model.parameters(), lr=0.01).load_state_dict(loaded["optimizer"])


def test_non_numeric_arrays_are_refused_by_name_and_nothing_is_left_behind(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    save({"w": np.ones(3, np.float32)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"meta/model.*use \.npz"):
        save({"meta": {"model": np.array("lenet5")}, "w": np.zeros(3)}, path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("damage", ["truncated", "foreign", "empty"])
def test_truncated_or_foreign_files_are_refused_naming_the_file(tmp_path, damage):
    path = tmp_path / "bad.safetensors"
    save(models.lenet5().state_dict(), path)
    data = path.read_bytes()
    path.write_bytes({"truncated": data[:-100], "foreign": b"PK\x03\x04" + data[100:200],
                      "empty": b""}[damage])
    with pytest.raises(ValueError, match=r"bad\.safetensors"):
        load(path)


def test_shape_and_name_mismatches_are_reported_by_name(tmp_path):
    save(models.lenet5(num_classes=10).state_dict(), tmp_path / "ten.safetensors")
    weights = load(tmp_path / "ten.safetensors")
    with pytest.raises(ValueError, match=r"classifier\.4\.weight \(expected \(5, 84\)"):
        models.lenet5(num_classes=5).load_state_dict(weights)
    renamed = {k.replace("features.0", "stem"): v for k, v in weights.items()}
    with pytest.raises(ValueError, match=r"missing keys: features\.0\.weight.*unexpected keys: "
                                         r"stem\.weight"):
        models.lenet5().load_state_dict(renamed)


def test_missing_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "safetensors", None)
    with pytest.raises(ImportError, match=r"tinygrad_cnn\[interop\]"):
        save({"w": np.ones(2)}, tmp_path / "w.safetensors")


# ---- PyTorch -----------------------------------------------------------------------------------


def _torch_lenet(torch):
    tnn = torch.nn

    class TorchLeNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.features = tnn.Sequential(tnn.Conv2d(1, 6, 5), tnn.ReLU(), tnn.MaxPool2d(2),
                                           tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2))
            self.classifier = tnn.Sequential(tnn.Linear(256, 120), tnn.ReLU(),
                                             tnn.Linear(120, 84), tnn.ReLU(), tnn.Linear(84, 10))

        def forward(self, x):
            return self.classifier(torch.flatten(self.features(x), 1))

    return TorchLeNet().eval()


def _ours(model, x):
    model.eval()
    with no_grad():
        return model(Tensor(x)).numpy()


def test_pytorch_loads_our_weights_and_computes_the_same(tmp_path):
    torch = torch_module()
    safetensors_torch = pytest.importorskip("safetensors.torch")
    model = models.lenet5()
    save(model.state_dict(), tmp_path / "lenet.safetensors")
    theirs = _torch_lenet(torch)
    theirs.load_state_dict(safetensors_torch.load_file(str(tmp_path / "lenet.safetensors")))
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(_ours(model, x), expected, rtol=1e-5, atol=1e-6)


def test_weights_saved_by_pytorch_load_here_buffers_included(tmp_path):
    torch = torch_module()
    safetensors_torch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4),
                                 torch.nn.ReLU())
    theirs(torch.randn(8, 3, 5, 5))  # training mode: moves the running statistics
    theirs.eval()
    safetensors_torch.save_file(theirs.state_dict(), str(tmp_path / "torch.safetensors"))
    ours = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
    ours.load_state_dict(load(tmp_path / "torch.safetensors"))
    assert int(ours.state_dict()["1.num_batches_tracked"]) == 1
    x = np.random.default_rng(1).random((2, 3, 5, 5), dtype=np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(_ours(ours, x), expected, rtol=1e-5, atol=1e-6)


def test_a_bfloat16_file_from_pytorch_loads_as_float32(tmp_path):
    torch = torch_module()
    safetensors_torch = pytest.importorskip("safetensors.torch")
    path = tmp_path / "half.safetensors"
    weight = torch.tensor([[1.5, -2.0], [0.0078125, 3e38]], dtype=torch.bfloat16)
    safetensors_torch.save_file({"fc.weight": weight}, str(path))
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match=r"half\.safetensors.*'fc\.weight'.*ml_dtypes"):
            load(path)
        return
    loaded = load(path)["fc.weight"]
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, weight.float().numpy())
