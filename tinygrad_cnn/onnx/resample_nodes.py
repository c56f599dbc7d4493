"""ONNX converters of the resampling ops: boundary padding as Pad, interpolation as Resize.

Both keep a symbolic batch: Pad's pads and Resize's scales never mention the batch size, and
a Resize by output size builds its `sizes` input from the input's own shape.
"""

from __future__ import annotations

import numpy as np

from tinygrad_cnn.autograd import Context
from tinygrad_cnn.kernels.resample import pad_map
from tinygrad_cnn.onnx.graph import GraphBuilder

PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
WRAP_OPSET = 19  # Pad's "wrap" mode arrived in opset 19


def boundary_pad(b: GraphBuilder, node: Context) -> None:
    """Pad in reflect / edge / wrap mode; before opset 19, wrap-around as one Gather per
    padded axis (its constant indices are the positions the padded axis reads)."""
    (x,) = node.inputs
    widths, mode = node.attrs["pad_width"], node.attrs["mode"]
    if mode == "circular" and b.opset < WRAP_OPSET:
        value = b.value(x)
        padded = [(axis, pair) for axis, pair in enumerate(widths) if any(pair)]
        for k, (axis, (before, after)) in enumerate(padded):
            index = pad_map(x.shape[axis], before, after, mode).index[0]
            last = k == len(padded) - 1
            value = b.node("Gather", [value, b.int64s(index, "wrap_index")], node,
                           defines=node if last else None, axis=axis)
        return
    pads = b.int64s([w[0] for w in widths] + [w[1] for w in widths], "pads")
    b.node("Pad", [b.value(x), pads], node, defines=node, mode=PAD_MODES[mode])


def _onnx_scale(size: int, out: int, scale: float, nearest: bool) -> float:
    """The scale ONNX needs to read the pixels PyTorch reads: an axis that keeps its size is
    copied (1), and nearest's exact doubling is a scale of 2, as in PyTorch's kernels."""
    if out == size:
        return 1.0
    if nearest and out == 2 * size:
        return 2.0
    return scale


def interpolate(b: GraphBuilder, node: Context) -> None:
    """Resize: nearest as 'asymmetric' + 'floor', linear as 'pytorch_half_pixel' or
    'align_corners'; by `scales` when PyTorch stepped by 1 / scale_factor, else by `sizes`."""
    (x,) = node.inputs
    a = node.attrs
    nearest = a["mode"] == "nearest"
    if nearest:
        options = {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                   "nearest_mode": "floor"}
    else:
        corners = "align_corners" if a["align_corners"] else "pytorch_half_pixel"
        options = {"mode": "linear", "coordinate_transformation_mode": corners}
    if all(s is not None for s in a["scales"]):
        spatial = [_onnx_scale(n, o, s, nearest)
                   for n, o, s in zip(x.shape[2:], a["size"], a["scales"])]
        scales = b.constant(np.asarray([1.0, 1.0, *spatial], np.float32), "scales")
        inputs = [b.value(x), "", scales]
    else:
        shape = b.node("Shape", [b.value(x)], node)
        batch_channels = b.node("Slice", [shape, b.int64s([0], "starts"),
                                          b.int64s([2], "ends")], node)
        sizes = b.node("Concat", [batch_channels, b.int64s(a["size"], "spatial_size")], node,
                       axis=0)
        inputs = [b.value(x), "", "", sizes]
    b.node("Resize", inputs, node, defines=node, batched=b.batched(x), **options)
