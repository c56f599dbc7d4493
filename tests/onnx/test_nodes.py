"""ONNX export op by op: every mapped primitive and fused group against ONNX Runtime, and the
errors for what cannot be exported."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from extras import require
from test_export import run_here, run_onnx

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, cat, manual_seed, models, nn
from tinygrad_cnn.onnx import export

onnx = require("onnx", "onnx")
require("onnxruntime", "onnx")


class Sink(nn.Module):
    """Most layers at once, with awkward arguments."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=(1, 2), dilation=(1, 2))
        self.bn = nn.BatchNorm2d(8)
        self.grouped = nn.Conv2d(8, 8, 3, padding=1, groups=4, bias=False)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.avg = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.max = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(16, 6, bias=False)

    def forward(self, x):
        x = (x - 0.5) * 2.0
        x = self.bn(self.conv(x)).relu()
        x = self.grouped(x).sigmoid()
        x = F.conv2d(x, self.grouped.weight, padding=(0, 1, 2, 0), groups=4)  # asymmetric
        x = self.max(self.avg(self.up(x).tanh()))
        x = self.drop(self.pool(x).flatten(1))
        x = self.fc(x).clip(-0.5, None)
        return x.softmax(-1) + x.log_softmax(1)


def _sink() -> Sink:
    manual_seed(0)
    model = Sink()
    model.bn.running_mean.data[:] = np.linspace(-1, 1, 8)
    model.bn.running_var.data[:] = np.linspace(0.5, 2, 8)
    model.bn.weight.data[:] = 1.5
    return model


def _check(model, tmp_path, shape, batch=3, **options):
    """Export at batch 2, then compare ONNX Runtime with this library at `batch`."""
    path = tmp_path / "m.onnx"
    proto = export(model, np.zeros((2, *shape), np.float32), path, **options)
    onnx.checker.check_model(proto, full_check=True)
    x = np.random.default_rng(0).random((batch, *shape), dtype=np.float32)
    expected = run_here(model, x)
    got = run_onnx(path, x)
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    return [n.op_type for n in proto.graph.node]


def test_layers_with_awkward_arguments_match(tmp_path):
    ops = _check(_sink(), tmp_path, (3, 17, 19))
    assert ops == ["Sub", "Mul", "Conv", "BatchNormalization", "Relu", "Conv", "Sigmoid", "Conv",
                   "ConvTranspose", "Tanh", "AveragePool", "MaxPool", "MatMul", "MatMul",
                   "Reshape", "Gemm", "Clip", "Softmax", "LogSoftmax", "Add"]


def test_frozen_parameters_export_the_same_and_stay_frozen(tmp_path):
    model = models.lenet5().requires_grad_(False)
    proto = export(model, np.zeros((1, 1, 28, 28), np.float32), tmp_path / "frozen.onnx")
    assert "Gemm" in {n.op_type for n in proto.graph.node}
    assert {n for n, _ in model.named_parameters()} <= {t.name for t in proto.graph.initializer}
    assert not any(p.requires_grad for p in model.parameters())


class Lambda(nn.Module):
    """A module whose forward is `fn`."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class Twice(nn.Module):
    """One layer called twice: its BatchNorm nodes cannot fuse, so they export op by op."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        return self.layer(self.layer(x))


def _bn_twice() -> nn.Module:
    layer = nn.BatchNorm2d(2)
    layer.running_mean.data[:] = [0.5, -1.0]
    layer.running_var.data[:] = [0.25, 4.0]
    return Twice(layer)


# input shape without the batch dim, the module, the ONNX ops it becomes
CASES = {
    "conv1d": ((2, 9), nn.Conv1d(2, 3, 3, stride=2, padding=2),
               ["Reshape", "Reshape", "Conv", "Reshape", "Reshape", "Add"]),
    "global_avg": ((2, 5, 5), nn.AdaptiveAvgPool2d(1), ["GlobalAveragePool"]),
    "tiled_avg": ((2, 4, 6), nn.AdaptiveAvgPool2d((2, 3)), ["AveragePool"]),
    "uneven_avg": ((2, 5, 7), nn.AdaptiveAvgPool2d((3, 4)), ["MatMul", "MatMul"]),
    "global_max": ((2, 5, 5), Lambda(lambda x: F.adaptive_max_pool2d(x, 1)), ["GlobalMaxPool"]),
    "tiled_max": ((2, 4, 4), Lambda(lambda x: F.adaptive_max_pool2d(x, 2)), ["MaxPool"]),
    "ceil_avg_with_pad": ((2, 5, 5), nn.AvgPool2d(2, 2, 1, ceil_mode=True), ["AveragePool"]),
    "dilated_max": ((2, 7, 7), nn.MaxPool2d(2, 2, 1, dilation=2, ceil_mode=True), ["MaxPool"]),
    "avg_pool1d": ((2, 7), nn.AvgPool1d(3, 2, 1), ["Reshape", "AveragePool", "Reshape"]),
    "max_pool1d": ((2, 7), nn.MaxPool1d(3, 2, 1), ["Reshape", "MaxPool", "Reshape"]),
    "batch_norm_twice": ((2, 3, 3), _bn_twice(), ["BatchNormalization"] * 2),
    "batch_norm_batch_stats": ((2, 3, 3), nn.BatchNorm2d(2, track_running_stats=False),
                               ["ReduceMean", "Sub", "Mul", "ReduceMean", "Add", "Sqrt",
                                "Div", "Reshape", "Mul", "Reshape", "Add"]),
    "math": ((4,), Lambda(lambda x: ((x + 1).log().exp() / (x.sqrt() + 2)) ** 2 - (-x).abs()),
             ["Add", "Log", "Exp", "Sqrt", "Add", "Div", "Pow", "Neg", "Abs", "Sub"]),
    "max_min": ((4,), Lambda(lambda x: x.maximum(0.3).minimum(x * 0.5 + 0.4)),
                ["Max", "Mul", "Add", "Min"]),
    "where": ((4,), Lambda(lambda x: x.where(np.array([True, False, True, False]), -x)),
              ["Neg", "Where"]),
    "reduce": ((3, 4), Lambda(lambda x: x.sum(2, keepdim=True) + x.amax(1).reshape(-1, 1, 4)),
               ["ReduceSum", "ReduceMax", "Reshape", "Add"]),
    "mean": ((3, 4), Lambda(lambda x: x.mean((1, 2)) + x.mean() * x.sum()),
             ["ReduceMean", "ReduceMean", "ReduceSum", "Mul", "Add"]),
    "permute": ((2, 3, 4), Lambda(lambda x: x.permute(0, 3, 1, 2).transpose(2, 3)),
                ["Transpose", "Transpose"]),
    "pad_cat": ((2, 3), Lambda(lambda x: cat([x.pad((1, 0, 0, 2), value=0.5),
                                              x.pad((0, 1, 2, 0))], dim=2)),
                ["Pad", "Pad", "Concat"]),
    "expand_float64": ((1, 3), Lambda(lambda x: x.expand(-1, 2, 3) * Tensor(np.ones((2, 1)))),
                       ["Expand", "Cast", "Mul"]),
    "cast": ((3,), Lambda(lambda x: x.double() * 2), ["Cast", "Mul"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_mapping_matches(name, tmp_path):
    shape, module, ops = CASES[name]
    assert _check(module, tmp_path, shape) == ops


@pytest.mark.parametrize("opset", [13, 17, 18, 21])
def test_opsets_where_reductions_changed(opset, tmp_path):
    model = Lambda(lambda x: x.sum(1).amax(-1, keepdim=True).softmax(0).clip(0.1, 0.9))
    _check(model, tmp_path, (3, 4), opset=opset)


@pytest.mark.parametrize("opset", [12, 10_000, True, "17"])
def test_unsupported_opsets_are_refused(opset, tmp_path):
    with pytest.raises(ValueError, match="opset must be an int from 13"):
        export(models.lenet5(), np.zeros((1, 1, 28, 28), np.float32), tmp_path / "m.onnx",
               opset=opset)


def test_a_reshape_across_the_batch_needs_a_fixed_batch(tmp_path):
    model = nn.Sequential(nn.Linear(3, 2), Lambda(lambda x: x.reshape(-1)))
    with pytest.raises(ValueError, match=r"reshape in module 1 \(Lambda\).*dynamic_batch=False"):
        export(model, np.zeros((2, 3), np.float32), tmp_path / "m.onnx")
    _check(model, tmp_path, (3,), batch=2, dynamic_batch=False)


def test_a_permute_that_moves_the_batch_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"permutes with .*moving dim 0"):
        export(Lambda(lambda x: x.T), np.zeros((2, 3), np.float32), tmp_path / "m.onnx")


def test_divisor_override_is_refused_naming_the_module(tmp_path):
    model = nn.Sequential(nn.AvgPool2d(2, divisor_override=3))
    with pytest.raises(NotImplementedError, match=r"'avg_pool2d' in module 0 \(AvgPool2d\)"):
        export(model, np.zeros((1, 1, 4, 4), np.float32), tmp_path / "m.onnx")


def test_a_model_returning_its_input_exports_an_identity(tmp_path):
    ops = _check(nn.Identity(), tmp_path, (3,))
    assert ops == ["Identity"]


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="floating point"):
        export(models.lenet5(), np.zeros((1, 1, 28, 28), np.int64), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="must be a Module"):
        export(lambda x: x, np.zeros((1, 3), np.float32), tmp_path / "m.onnx")
    with pytest.raises(TypeError, match="return one Tensor"):
        export(Lambda(lambda x: (x, x)), np.zeros((1, 3), np.float32), tmp_path / "m.onnx")


def test_missing_onnx_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"tinygrad_cnn\[onnx\]"):
        export(models.lenet5(), np.zeros((1, 1, 28, 28), np.float32), tmp_path / "m.onnx")
