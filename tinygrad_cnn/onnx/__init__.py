"""ONNX export: one define-by-run pass of a model, written as an ONNX graph (extra `onnx`).

How it works: the model runs once, in eval mode, on the example input made to require grad,
so every op that depends on the input is recorded (`trace`). The recorded nodes are then
translated in data-flow order (`nodes`) into a `graph.GraphBuilder`, after a few small groups
have been recognised as single ONNX nodes (`fuse`: conv + bias -> Conv, linear -> Gemm,
batch norm -> BatchNormalization). Parameters and buffers become initializers under their
dotted names (`features.0.weight`); arrays made inside `forward` become constant
initializers. Dropout is the identity in eval mode and records nothing, so it leaves no node.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from tinygrad_cnn.arguments import is_int
from tinygrad_cnn.files import atomic_write, check_output
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.onnx.trace import TracerWarning

__all__ = ["TracerWarning", "export"]

if TYPE_CHECKING:
    import onnx

MIN_OPSET = 13  # per-axis Softmax, ReduceSum with axes as an input, Clip with tensor bounds


def _import_onnx() -> Any:
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'tinygrad_cnn[onnx]'"
                          ) from None
    return onnx


def export(
    model: Module,
    example_input: Any,
    path: str | os.PathLike[str],
    opset: int = 17,
    dynamic_batch: bool = True,
    check: bool = True,
) -> onnx.ModelProto:
    """Write `model` as an ONNX file that ONNX Runtime runs to the same outputs.

    The model is traced once on `example_input` in eval mode (Dropout is the identity,
    BatchNorm uses its running statistics) and each module's training flag is restored
    afterwards. The graph has one input named ``input`` and one output named ``output``;
    parameters and buffers keep their dotted names as initializers. The file is written
    atomically (a temporary file, then a rename) after `onnx.checker.check_model` passes and,
    with `check` and onnxruntime installed, after ONNX Runtime has run it on a fresh input
    (values in [0, 1), the batch one larger with `dynamic_batch`) to the model's outputs,
    within rtol 1e-3 and atol 1e-4. A trace records only what depends on the input, so a
    `forward` that reads values (`.data`, `.item()`) or branches on them would otherwise be
    exported frozen at the example's values, silently.

    Args:
        model: the module to export; its `forward` takes one tensor and returns one tensor.
        example_input: an (N, C, H, W) Tensor or ndarray of the dtype and image size the
            exported model will take; its values do not matter.
        path: the file to write, e.g. ``"model.onnx"``.
        opset: the ONNX operator set version, from 13 to the newest the installed onnx
            package knows.
        dynamic_batch: make the batch dim of the input and output symbolic (``N``), so the
            file runs on any batch size; False fixes it to the example's.
        check: run the exported model in ONNX Runtime, when installed, and refuse it when it
            disagrees with the model; False writes it unchecked.

    Returns:
        The exported `onnx.ModelProto` (also written to `path`).

    Raises:
        NotImplementedError: for an op with no ONNX mapping, naming the op and the module it
            ran in (e.g. ``op 'index' in module head (Picker)``).
        ValueError: for an unsupported opset, or, with `dynamic_batch`, an op that merges or
            moves the batch dim (export with ``dynamic_batch=False`` then).
        TypeError: for a non-floating example input or a model that does not return a Tensor.
        RuntimeError: with `check`, when ONNX Runtime cannot run the export or disagrees with
            the model, giving the largest difference; nothing is written then.
        ImportError: without the onnx package (``pip install 'tinygrad_cnn[onnx]'``).
        OSError: when `path` is a folder or its folder does not exist or is not writable,
            raised before the trace.

    Examples:
        >>> import tempfile, os
        >>> from tinygrad_cnn import models, zeros
        >>> from tinygrad_cnn.onnx import export
        >>> path = os.path.join(tempfile.mkdtemp(), "lenet.onnx")
        >>> proto = export(models.lenet5(), zeros(1, 1, 28, 28), path)
        >>> [node.op_type for node in proto.graph.node][:3]
        ['Conv', 'Relu', 'MaxPool']
    """
    onnx = _import_onnx()
    newest = onnx.defs.onnx_opset_version()
    if not (is_int(opset) and MIN_OPSET <= opset <= newest):
        raise ValueError(f"onnx.export: opset must be an int from {MIN_OPSET} to {newest}, "
                         f"got {opset!r}")
    opset = int(opset)
    if not isinstance(model, Module):
        raise TypeError(f"onnx.export: model must be a Module, got {type(model).__name__}")
    check_output(path, "onnx.export")
    # Here, not at the top: these import onnx, and `import tinygrad_cnn.onnx` works without it.
    from tinygrad_cnn.onnx import check as runtime_check
    from tinygrad_cnn.onnx import fuse, nodes, trace
    from tinygrad_cnn.onnx.graph import GraphBuilder

    recorded = trace.run(model, example_input)
    builder = GraphBuilder(recorded, opset, dynamic_batch)
    fused = fuse.plan(recorded)
    for node in recorded.nodes:
        if id(node) in fused.skip:
            continue
        if id(node) in fused.replace:
            fused.replace[id(node)](builder)
        else:
            nodes.convert(builder, node)
    proto = builder.model(doc=f"{type(model).__name__} exported by tinygrad_cnn")
    data = proto.SerializeToString()
    onnx.checker.check_model(data)
    if check:
        runtime_check.verify(model, data, recorded.input.data, dynamic_batch)
    atomic_write(path, lambda file: file.write(data), "onnx.export")
    return proto
