"""Each recorded op as ONNX nodes: one converter per primitive, keyed by its Function class.

A converter reads the recorded node (its inputs and attributes) and adds ONNX nodes through
the `GraphBuilder`. Ops with the same meaning and arguments in ONNX share `ONE_TO_ONE`; the
rest have a function here. `convert` raises for an op with no mapping, naming the op and the
module it ran in. Fused patterns (conv + bias, linear, batch norm) call `conv` and
`batch_norm` from `fuse`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from onnx import helper

from tinygrad_cnn.autograd import Context
from tinygrad_cnn.geometry import Geometry
from tinygrad_cnn.kernels import avg_pool as avg_pool_kernels
from tinygrad_cnn.nn.hooks import HookedIdentity
from tinygrad_cnn.nn.layers.norm import BatchNorm1d, BatchNorm2d
from tinygrad_cnn.onnx import resample_nodes
from tinygrad_cnn.onnx.graph import GraphBuilder
from tinygrad_cnn.onnx.trace import module_label
from tinygrad_cnn.ops import avg_pool as avg_pool_ops
from tinygrad_cnn.ops import conv as conv_ops
from tinygrad_cnn.ops import elementwise as ew
from tinygrad_cnn.ops import linalg, movement, reduce, resample, softmax, special
from tinygrad_cnn.ops import max_pool as max_pool_ops
from tinygrad_cnn.ops import norm as norm_ops
from tinygrad_cnn.tensor import Tensor

ONE_TO_ONE: dict[type, str] = {
    ew.Add: "Add", ew.Sub: "Sub", ew.Mul: "Mul", ew.Div: "Div", ew.Pow: "Pow",
    ew.Maximum: "Max", ew.Minimum: "Min", ew.Neg: "Neg", ew.Exp: "Exp", ew.Log: "Log",
    ew.Sqrt: "Sqrt", ew.Abs: "Abs", ew.Relu: "Relu", ew.Sigmoid: "Sigmoid", ew.Tanh: "Tanh",
    linalg.MatMul: "MatMul", special.Erf: "Erf",
    HookedIdentity: "Identity",  # the trace of a backward hook
}


def _ints(values: Sequence[Any]) -> list[int]:
    return [int(v) for v in values]


def unsupported(node: Context, why: str = "has no ONNX mapping") -> NotImplementedError:
    """The error for an op that cannot be exported, naming the op and its module."""
    return NotImplementedError(f"onnx.export: op {node.name!r} in module {module_label(node)} "
                               f"{why}")


def batch_error(node: Context, x: Tensor, what: str) -> ValueError:
    """The error for an op that moves the batch dim when the batch size is symbolic."""
    return ValueError(f"onnx.export: {node.name} in module {module_label(node)} {what} of its "
                      f"input {x.shape}, whose dim 0 is the batch; export with "
                      "dynamic_batch=False to fix the batch size")


def convert(b: GraphBuilder, node: Context) -> None:
    """Add the ONNX nodes for one recorded node.

    Raises:
        NotImplementedError: for an op with no ONNX mapping, naming the op and the module.
    """
    if node.op in ONE_TO_ONE:
        dtype = b.trace.made[id(node)].dtype  # NumPy promotes mixed dtypes; ONNX needs one
        inputs = [b.value_as(t, dtype, node) for t in node.inputs]
        b.node(ONE_TO_ONE[node.op], inputs, node, defines=node)
    elif node.op in CONVERTERS:
        CONVERTERS[node.op](b, node)
    else:
        raise unsupported(node)


# ---- convolution, pooling, normalisation ------------------------------------------------------


def conv(b: GraphBuilder, node: Context, defines: Context | None = None,
         bias: Tensor | None = None) -> None:
    """Conv or ConvTranspose; `bias` and `defines` when a following bias add is fused in."""
    x, w = node.inputs
    g: Geometry = node.attrs["geometry"]
    (top, bottom), (left, right) = g.padding
    inputs = [b.value(x), b.value(w)] + ([b.value(bias)] if bias is not None else [])
    window = {"kernel_shape": _ints(g.kernel), "strides": _ints(g.stride),
              "pads": _ints([top, left, bottom, right]), "dilations": _ints(g.dilation),
              "group": int(g.groups)}
    if node.op is conv_ops.ConvTranspose:
        b.node("ConvTranspose", inputs, node, defines=defines or node,
               output_padding=_ints(g.output_padding), **window)
    else:
        b.node("Conv", inputs, node, defines=defines or node, **window)


def batch_norm(b: GraphBuilder, node: Context, module: BatchNorm1d | BatchNorm2d,
               x: Tensor) -> None:
    """BatchNormalization with the module's running statistics, for the nodes its eval-mode
    forward recorded (`node` is the last of them)."""
    C, dtype = module.num_features, module.running_mean.dtype
    scale = b.value(module.weight) if module.weight is not None else b.constant(
        np.ones(C, dtype), "scale")
    shift = b.value(module.bias) if module.bias is not None else b.constant(
        np.zeros(C, dtype), "shift")
    inputs = [b.value(x), scale, shift, b.value(module.running_mean),
              b.value(module.running_var)]
    b.node("BatchNormalization", inputs, node, defines=node, batched=b.batched(x),
           epsilon=float(module.eps))


def batch_statistics_norm(b: GraphBuilder, node: Context) -> None:
    """Batch norm with the batch's own statistics (a BatchNorm without running estimates):
    the standardisation over every dim but the channels, then the scale and shift."""
    x, w, bias = node.inputs
    axes = [0, *range(2, x.ndim)]
    shape = b.int64s([-1] + [1] * (x.ndim - 2), "channel_shape")  # (C, 1, ...) broadcasts
    scaled = b.node("Mul", [_standardized(b, node, b.value(x), axes),
                            b.node("Reshape", [b.value(w), shape], node)], node)
    b.node("Add", [scaled, b.node("Reshape", [b.value(bias), shape], node)], node,
           defines=node)


def standardize(b: GraphBuilder, node: Context) -> None:
    """The standardisation of layer and group norm, over the node's trailing dims."""
    (x,) = node.inputs
    _standardized(b, node, b.value(x), _ints(node.attrs["dims"]), defines=node)


def _standardized(b: GraphBuilder, node: Context, x: str, axes: list[int],
                  defines: Context | None = None) -> str:
    """(x - mean) / sqrt(var + eps) over `axes`, the biased variance: ReduceMean, Sub, Mul,
    ReduceMean, Add, Sqrt, Div (no count of the batch is baked in)."""
    dtype = b.trace.made[id(node)].dtype
    centred = b.node("Sub", [x, _reduce_mean(b, node, x, axes)], node)
    var = _reduce_mean(b, node, b.node("Mul", [centred, centred], node), axes)
    eps = b.constant(np.asarray(node.attrs["eps"], dtype=dtype), "eps")
    std = b.node("Sqrt", [b.node("Add", [var, eps], node)], node)
    return b.node("Div", [centred, std], node, defines=defines)


def _reduce_mean(b: GraphBuilder, node: Context, x: str, axes: list[int]) -> str:
    """ReduceMean keeping the reduced dims (the axes an input from opset 18, as the others)."""
    if b.opset >= AXES_AS_INPUT["ReduceMean"]:
        return b.node("ReduceMean", [x, b.int64s(axes, "axes")], node, keepdims=1)
    return b.node("ReduceMean", [x], node, axes=axes, keepdims=1)


def _window(b: GraphBuilder, node: Context, overhang_is_padding: bool) -> dict[str, Any]:
    """Pooling attributes. Ceil mode becomes extra padding at the end: ONNX's ceil_mode output
    size lacks PyTorch's rule that the last window starts inside the input, so runtimes and
    shape inference would disagree. The extra padding is exact for max pooling (-inf) and for
    averages without count_include_pad (padding is not counted); else ceil_mode stays."""
    g: Geometry = node.attrs["geometry"]
    size, out = node.inputs[0].shape[2:], b.trace.made[id(node)].shape[2:]
    begins = _ints([before for before, _ in g.padding])
    extra = [max(0, r - (n + 2 * p)) for n, r, p in zip(size, g.reach(out), begins)]
    window = {"kernel_shape": _ints(g.kernel), "strides": _ints(g.stride)}
    if any(extra) and not overhang_is_padding:
        return {**window, "pads": begins + begins, "ceil_mode": 1}
    return {**window, "pads": begins + [p + e for p, e in zip(begins, extra)]}


def max_pool(b: GraphBuilder, node: Context) -> None:
    """MaxPool (padding counts as -inf in both)."""
    b.node("MaxPool", [b.value(node.inputs[0])], node, defines=node,
           dilations=_ints(node.attrs["geometry"].dilation), **_window(b, node, True))


def avg_pool(b: GraphBuilder, node: Context) -> None:
    """AveragePool with count_include_pad; a divisor_override has no ONNX counterpart."""
    if node.attrs["divisor_override"] is not None:
        raise unsupported(node, "has a divisor_override, which ONNX AveragePool lacks")
    include = bool(node.attrs["count_include_pad"])
    b.node("AveragePool", [b.value(node.inputs[0])], node, defines=node,
           count_include_pad=int(include), **_window(b, node, not include))


def adaptive_avg_pool(b: GraphBuilder, node: Context) -> None:
    """GlobalAveragePool or AveragePool where they fit (see `_adaptive_as_pool`), else the exact
    linear map: two MatMuls with the averaging matrices, y = A_H x A_Wᵀ."""
    if _adaptive_as_pool(b, node, "Average"):
        return
    (x,) = node.inputs
    (H, W), (oH, oW) = x.shape[2:], node.attrs["output_size"]
    rows = b.constant(avg_pool_kernels.averaging_matrix(H, oH, x.dtype), "rows")  # (oH, H)
    cols = b.constant(avg_pool_kernels.averaging_matrix(W, oW, x.dtype).T, "cols")  # (W, oW)
    half = b.node("MatMul", [b.value(x), cols], node)  # (N, C, H, oW)
    b.node("MatMul", [rows, half], node, defines=node, batched=b.batched(x))


def adaptive_max_pool(b: GraphBuilder, node: Context) -> None:
    """GlobalMaxPool or MaxPool where they fit (see `_adaptive_as_pool`)."""
    if not _adaptive_as_pool(b, node, "Max"):
        (H, W), (oH, oW) = node.inputs[0].shape[2:], node.attrs["output_size"]
        raise unsupported(node, f"has windows of unequal size ({H}x{W} to {oH}x{oW}), which "
                          "ONNX MaxPool cannot express")


def _adaptive_as_pool(b: GraphBuilder, node: Context, kind: str) -> bool:
    """Global{kind}Pool to 1x1, {kind}Pool when the windows tile the input; False otherwise."""
    (x,) = node.inputs
    (H, W), (oH, oW) = x.shape[2:], node.attrs["output_size"]
    if (oH, oW) == (1, 1):
        b.node(f"Global{kind}Pool", [b.value(x)], node, defines=node)
    elif H % oH == 0 and W % oW == 0:
        kernel = [H // oH, W // oW]
        b.node(f"{kind}Pool", [b.value(x)], node, defines=node, kernel_shape=kernel,
               strides=kernel)
    else:
        return False
    return True


# ---- movement ---------------------------------------------------------------------------------


def reshape(b: GraphBuilder, node: Context) -> None:
    """Reshape; with a symbolic batch, dim 0 is written 0 ("keep the input's")."""
    (x,) = node.inputs
    target = list(node.attrs["shape"])
    if b.batched(x):
        if not target or target[0] != x.shape[0]:
            raise batch_error(node, x, f"reshapes to {tuple(target)}, merging or splitting dim 0")
        target[0] = 0
    b.node("Reshape", [b.value(x), b.int64s(target, "shape")], node, defines=node,
           batched=b.batched(x))


def permute(b: GraphBuilder, node: Context) -> None:
    """Transpose."""
    (x,) = node.inputs
    dims = _ints(node.attrs["dims"])
    if b.batched(x) and dims[0] != 0:
        raise batch_error(node, x, f"permutes with {tuple(dims)}, moving dim 0")
    b.node("Transpose", [b.value(x)], node, defines=node, perm=dims, batched=b.batched(x))


def expand(b: GraphBuilder, node: Context) -> None:
    """Expand; a symbolic batch dim is written 1, which ONNX broadcasting keeps."""
    (x,) = node.inputs
    target = list(node.attrs["shape"])
    if b.batched(x):
        if len(target) != x.ndim or target[0] != x.shape[0]:
            raise batch_error(node, x, f"expands to {tuple(target)}, changing dim 0")
        target[0] = 1
    b.node("Expand", [b.value(x), b.int64s(target, "shape")], node, defines=node,
           batched=b.batched(x))


def pad(b: GraphBuilder, node: Context) -> None:
    """Pad with a constant: NumPy's (before, after) pairs become ONNX's begins then ends."""
    (x,) = node.inputs
    widths = node.attrs["pad_width"]
    pads = b.int64s([w[0] for w in widths] + [w[1] for w in widths], "pads")
    value = b.constant(np.asarray(node.attrs["value"], dtype=x.dtype), "pad_value")
    b.node("Pad", [b.value(x), pads, value], node, defines=node)


def concat(b: GraphBuilder, node: Context) -> None:
    """Concat."""
    b.node("Concat", [b.value(t) for t in node.inputs], node, defines=node,
           axis=int(node.attrs["dim"]))


# ---- reductions and the rest ------------------------------------------------------------------


AXES_AS_INPUT = {"ReduceSum": 13, "ReduceMax": 18, "ReduceMean": 18}  # opset of the change


def reduce_op(b: GraphBuilder, node: Context, op_type: str | None = None,
              defines: Context | None = None) -> None:
    """ReduceSum / ReduceMax (ReduceMean for a fused sum / count): their axes became an input
    in the opset `AXES_AS_INPUT` gives."""
    (x,) = node.inputs
    op_type = op_type or ("ReduceSum" if node.op is reduce.Sum else "ReduceMax")
    dims, keepdim = _ints(node.attrs["dims"]), int(node.attrs["keepdim"])
    batched = b.batched(x) and 0 not in dims
    defines = defines or node
    if not dims:  # an empty axes list would mean "all axes" in ONNX
        b.node("Identity", [b.value(x)], node, defines=defines, batched=batched)
    elif b.opset >= AXES_AS_INPUT[op_type]:
        b.node(op_type, [b.value(x), b.int64s(dims, "axes")], node, defines=defines,
               batched=batched, keepdims=keepdim)
    else:
        b.node(op_type, [b.value(x)], node, defines=defines, batched=batched, axes=dims,
               keepdims=keepdim)


def softmax_op(b: GraphBuilder, node: Context) -> None:
    """Softmax / LogSoftmax along one axis (opset 13 semantics)."""
    op_type = "Softmax" if node.op is softmax.Softmax else "LogSoftmax"
    b.node(op_type, [b.value(node.inputs[0])], node, defines=node, axis=int(node.attrs["dim"]))


def clip(b: GraphBuilder, node: Context) -> None:
    """Clip with optional min and max inputs."""
    (x,) = node.inputs
    bounds = [b.constant(np.asarray(v, dtype=x.dtype), name) if v is not None else ""
              for name, v in (("min", node.attrs["low"]), ("max", node.attrs["high"]))]
    b.node("Clip", [b.value(x), *bounds], node, defines=node)


def cast(b: GraphBuilder, node: Context) -> None:
    """Cast."""
    to = helper.np_dtype_to_tensor_dtype(np.dtype(node.attrs["dtype"]))
    b.node("Cast", [b.value(node.inputs[0])], node, defines=node, to=to)


def where(b: GraphBuilder, node: Context) -> None:
    """Where, with the (traced, constant) condition as a bool initializer."""
    condition = b.constant(np.asarray(node.attrs["condition"], dtype=bool), "condition")
    b.node("Where", [condition, *(b.value(t) for t in node.inputs)], node, defines=node)


CONVERTERS: dict[type, Callable[[GraphBuilder, Context], None]] = {
    conv_ops.Convolution: conv, conv_ops.ConvTranspose: conv,
    max_pool_ops.MaxPool: max_pool, avg_pool_ops.AvgPool: avg_pool,
    avg_pool_ops.AdaptiveAvgPool: adaptive_avg_pool,
    max_pool_ops.AdaptiveMaxPool: adaptive_max_pool,
    movement.Reshape: reshape, movement.Permute: permute, movement.Expand: expand,
    movement.Pad: pad, movement.Concatenate: concat,
    reduce.Sum: reduce_op, reduce.Max: reduce_op,
    norm_ops.BatchNormalize: batch_statistics_norm, norm_ops.Standardize: standardize,
    softmax.Softmax: softmax_op, softmax.LogSoftmax: softmax_op,
    ew.Clip: clip, ew.HardTanh: clip, ew.Cast: cast, ew.Where: where,
    resample.BoundaryPad: resample_nodes.boundary_pad,
    resample.Interpolate: resample_nodes.interpolate,
}
