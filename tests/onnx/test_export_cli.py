"""`tinygrad-cnn export CHECKPOINT -o FILE.onnx|FILE.safetensors`."""

from __future__ import annotations

import numpy as np
import pytest
from extras import require
from test_export import run_here, run_onnx

from tinygrad_cnn import load, models
from tinygrad_cnn.cli import main
from tinygrad_cnn.train.checkpoint import save_checkpoint

require("onnx", "onnx")
require("onnxruntime", "onnx")
require("safetensors", "interop")


@pytest.fixture
def lenet_checkpoint(tmp_path):
    model = models.lenet5()
    path = tmp_path / "lenet.npz"
    save_checkpoint(path, "lenet5", model, epoch=2)
    return model, path


def test_export_onnx_runs_in_onnx_runtime(lenet_checkpoint, tmp_path, capsys):
    model, path = lenet_checkpoint
    out = tmp_path / "lenet.onnx"
    assert main(["export", str(path), "-o", str(out), "--input-shape", "2,1,28,28"]) == 0
    assert "input (N, 1, 28, 28)" in capsys.readouterr().out
    x = np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32)
    np.testing.assert_allclose(run_onnx(out, x), run_here(model, x), rtol=1e-5, atol=1e-5)


def test_export_safetensors_writes_the_weights(lenet_checkpoint, tmp_path):
    model, path = lenet_checkpoint
    out = tmp_path / "lenet.safetensors"
    assert main(["export", str(path), "-o", str(out)]) == 0
    weights = load(out)
    assert list(weights) == list(model.state_dict())
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(weights[name], value)


@pytest.mark.parametrize("argv, message", [
    (["-o", "lenet.pt"], "must end in .onnx"),
    (["-o", "lenet.onnx", "--opset", "5"], "opset must be an int from 13"),
    (["-o", "lenet.onnx", "--input-shape", "1,28,28"], "four positive sizes"),
])
def test_export_errors_are_one_line(lenet_checkpoint, tmp_path, capsys, argv, message):
    _, path = lenet_checkpoint
    argv = [a if not a.startswith("lenet.") else str(tmp_path / a) for a in argv]
    assert main(["export", str(path), *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not list(tmp_path.glob("lenet.pt")) and not list(tmp_path.glob("lenet.onnx"))


def test_export_no_check_passes_check_false(lenet_checkpoint, tmp_path, monkeypatch):
    from tinygrad_cnn.cli import export as export_command

    seen = {}
    monkeypatch.setattr(export_command, "export", lambda *args, **kwargs: seen.update(kwargs))
    _, path = lenet_checkpoint
    assert main(["export", str(path), "-o", str(tmp_path / "a.onnx")]) == 0
    assert seen["check"] is True
    assert main(["export", str(path), "-o", str(tmp_path / "b.onnx"), "--no-check"]) == 0
    assert seen["check"] is False
