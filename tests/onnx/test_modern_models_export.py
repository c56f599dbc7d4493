"""ONNX export of ResNet, ResNet-20, MobileNetV2 and DenseNet-121: exported at batch 2, run by
ONNX Runtime at batch 3, the same outputs, with BatchNorm fused and names kept."""

from __future__ import annotations

import numpy as np
import pytest
from extras import require
from test_export import dims, run_here, run_onnx

from tinygrad_cnn import manual_seed, models, zeros
from tinygrad_cnn.onnx import export

onnx = require("onnx", "onnx")
require("onnxruntime", "onnx")

# ResNet-34 is ResNet-18's code with more blocks; 32x32 is the smallest size they all take
NAMES = ["resnet18", "resnet50", "resnet20", "mobilenet_v2", "densenet121"]


def _with_statistics(model):
    """Running statistics away from 0 and 1, so the exported BatchNormalizations matter."""
    rng = np.random.default_rng(0)
    for name, buffer in model.named_buffers():
        if name.endswith("running_mean"):
            buffer.data[...] = rng.uniform(-0.2, 0.2, buffer.shape)
        elif name.endswith("running_var"):
            buffer.data[...] = rng.uniform(0.5, 2.0, buffer.shape)
    return model


@pytest.mark.parametrize("name", NAMES)
def test_model_exports_and_agrees_with_onnx_runtime_at_another_batch_size(name, tmp_path):
    manual_seed(0)
    model = _with_statistics(models.MODELS[name](num_classes=10))
    path = tmp_path / f"{name}.onnx"
    proto = export(model, zeros(2, 3, 32, 32), path)
    assert dims(proto.graph.input[0]) == ["N", 3, 32, 32]
    ops = [n.op_type for n in proto.graph.node]
    assert "BatchNormalization" in ops and ("Add" in ops or "Concat" in ops)  # fused; residual
    x = np.random.default_rng(0).random((3, 3, 32, 32), dtype=np.float32)
    np.testing.assert_allclose(run_onnx(path, x), run_here(model, x), rtol=1e-4, atol=1e-4)
    initializers = {t.name for t in proto.graph.initializer}
    assert {n for n, _ in model.named_parameters()} <= initializers
