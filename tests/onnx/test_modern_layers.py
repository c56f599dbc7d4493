"""ONNX export of the layers of modern CNNs: every new layer and function, exported at batch 2
and run by ONNX Runtime at batch 3, agrees with this library."""

from __future__ import annotations

import numpy as np
import pytest
from extras import require
from test_nodes import Lambda, _check

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import manual_seed, nn

require("onnx", "onnx")
require("onnxruntime", "onnx")


def _trained_bn1d():
    layer = nn.BatchNorm1d(4)
    layer.running_mean.data[:] = [0.5, -1.0, 0.0, 2.0]
    layer.running_var.data[:] = [0.25, 4.0, 1.0, 0.5]
    return layer


def _with_weights(layer):
    manual_seed(0)
    for p in layer.parameters():
        p.data[...] = np.random.default_rng(0).uniform(0.5, 1.5, p.shape)
    return layer


# input shape without the batch dim, the module, the ONNX ops it must contain
CASES = {
    "leaky_relu": ((3, 4), nn.LeakyReLU(0.2), None),
    "relu6": ((3, 4), nn.ReLU6(), ["Clip"]),
    "elu": ((3, 4), nn.ELU(0.7), None),
    "gelu": ((3, 4), nn.GELU(), ["Erf"]),
    "gelu_tanh": ((3, 4), nn.GELU("tanh"), ["Tanh"]),
    "silu": ((3, 4), nn.SiLU(), ["Sigmoid"]),
    "hardswish": ((3, 4), nn.Hardswish(), None),
    "hardsigmoid": ((3, 4), nn.Hardsigmoid(), None),
    "batch_norm1d_2d": ((4,), _trained_bn1d(), ["BatchNormalization"]),
    "batch_norm1d_3d": ((4, 5), _trained_bn1d(), ["BatchNormalization"]),
    "group_norm": ((4, 3, 3), _with_weights(nn.GroupNorm(2, 4)), None),
    "layer_norm": ((4, 3, 3), _with_weights(nn.LayerNorm((3, 3))), None),
    "dropout2d": ((4, 3, 3), nn.Dropout2d(0.3), ["Identity"]),
    "adaptive_max_pool": ((2, 6, 4), nn.AdaptiveMaxPool2d((3, 2)), ["MaxPool"]),
    "reflect_pad": ((2, 4, 5), Lambda(lambda x: F.pad(x, (1, 2, 3, 0), mode="reflect")),
                    ["Pad"]),
    "replicate_pad": ((2, 5), Lambda(lambda x: F.pad(x, (2, 3), mode="replicate")), ["Pad"]),
    "circular_pad": ((2, 4, 5), Lambda(lambda x: F.pad(x, (1, 2, 3, 0), mode="circular")),
                     None),
    "upsample_nearest": ((2, 3, 5), nn.Upsample(scale_factor=2), ["Resize"]),
    "upsample_nearest_size": ((2, 3, 5), nn.Upsample(size=(4, 9)), ["Resize"]),
    "upsample_nearest_odd_scale": ((2, 5, 7), nn.Upsample(scale_factor=(1.5, 0.6)), ["Resize"]),
    "upsample_bilinear": ((2, 3, 5), nn.Upsample(scale_factor=2.5, mode="bilinear"),
                          ["Resize"]),
    "upsample_bilinear_size": ((2, 4, 5), nn.Upsample(size=(7, 3), mode="bilinear"),
                               ["Resize"]),
    "upsample_bilinear_corners": ((2, 4, 5), nn.Upsample(size=(7, 9), mode="bilinear",
                                                         align_corners=True), ["Resize"]),
    "upsample_unchanged_axis": ((2, 5, 4), nn.Upsample(scale_factor=(1.1, 2), mode="bilinear"),
                                ["Resize"]),
    "upsample_linear_1d": ((2, 6), nn.Upsample(scale_factor=1.5, mode="linear"), ["Resize"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_new_layers_export_and_agree_at_another_batch_size(name, tmp_path):
    shape, module, expected_ops = CASES[name]
    ops = _check(module, tmp_path, shape)
    for op in expected_ops or []:
        assert op in ops, ops


@pytest.mark.parametrize("opset", [13, 19])
def test_circular_padding_exports_before_and_after_pad_wrap(opset, tmp_path):
    module = Lambda(lambda x: F.pad(x, (2, 1, 0, 3), mode="circular"))
    ops = _check(module, tmp_path, (2, 4, 5), opset=opset)
    assert ops == (["Pad"] if opset >= 19 else ["Gather", "Gather"])
