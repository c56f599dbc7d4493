"""The ONNX graph under construction: value names, initializers, nodes and the batch dim."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import helper

from tinygrad_cnn.autograd import Context, scope_path
from tinygrad_cnn.autograd.graph import key
from tinygrad_cnn.onnx.trace import Trace, module_label
from tinygrad_cnn.tensor import Tensor

INPUT, OUTPUT = "input", "output"


class GraphBuilder:
    """Collects ONNX nodes and initializers for the nodes of a trace, in data-flow order.

    Every traced tensor gets one value name: the graph input is ``input``, the model's output
    ``output``, a parameter or buffer its dotted name (`features.0.weight`), any other leaf
    (a constant made in `forward`) ``const``, ``const_1``, ..., and a node's result the name
    of the ONNX node that makes it (``features.0/Conv``). Alongside the name, each value
    records whether its dim 0 is the batch dim, which is what a dynamic batch needs to know.

    Args:
        trace: the recorded graph.
        opset: the ONNX operator set version of the default domain.
        dynamic_batch: make the batch dim of the input and output symbolic (``N``).
    """

    def __init__(self, trace: Trace, opset: int, dynamic_batch: bool):
        self.trace = trace
        self.opset = opset
        self.dynamic_batch = dynamic_batch
        # Built in place: initializers can be hundreds of MB, and copying a protobuf message
        # copies all of them.
        self.proto = onnx.ModelProto()
        self.graph = self.proto.graph
        self._names: dict[int, str] = {key(trace.input): INPUT}
        self._batched: dict[int, bool] = {key(trace.input): dynamic_batch}
        # parameter names are kept exactly, so no node or constant may take one of them
        self._taken: dict[str, bool] = {INPUT: True, OUTPUT: True}
        self._taken.update({name: True for name in trace.names.values()})

    # ---- names and values ---------------------------------------------------------------------

    def unique(self, base: str) -> str:
        """`base`, or `base_1`, `base_2`, ... if taken: value and node names never collide."""
        name, n = base, 0
        while name in self._taken:
            n += 1
            name = f"{base}_{n}"
        self._taken[name] = True
        return name

    def value(self, t: Tensor) -> str:
        """The value name of `t`; a leaf seen for the first time becomes an initializer."""
        k = key(t)
        if k not in self._names:
            if t.grad_fn is not None:
                raise RuntimeError(f"onnx.export: internal error: {t.grad_fn.name} is read "
                                   "before it is exported")
            self._check_constant(t)
            name = self.trace.names.get(id(t))
            self._names[k] = self.constant(t.data, name or "const", exact=name is not None)
            self._batched[k] = False
        return self._names[k]

    def _check_constant(self, t: Tensor) -> None:
        """Refuse a leaf computed from the input (watched) outside the recorded graph: max-pool
        indices, `detach()`, a `no_grad` block. The export cannot follow how it was made, and
        as a constant it would hold the example's values."""
        if t._watched and t is not self.trace.input:
            reader = self.trace.consumers[key(t)][0]
            raise NotImplementedError(
                f"onnx.export: {reader.name} in module {module_label(reader)} reads a tensor "
                f"of shape {t.shape} computed from the input outside the recorded graph (such "
                "as max-pool indices, or the result of detach() or a no_grad block), which "
                "export cannot follow")

    def value_as(self, t: Tensor, dtype: np.dtype, at: Context) -> str:
        """The value name of `t` converted to `dtype`: a converted constant for a leaf, else
        a Cast node (for `at`, the recorded node that reads it)."""
        if t.dtype == dtype:
            return self.value(t)
        if t.grad_fn is None and t is not self.trace.input:
            self._check_constant(t)
            return self.constant(t.data.astype(dtype), "const")
        to = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
        return self.node("Cast", [self.value(t)], at, to=to)

    def constant(self, array: Any, base: str, exact: bool = False) -> str:
        """A new initializer holding `array`; `exact` keeps `base` as its name (parameters)."""
        name = base if exact else self.unique(base)
        data = np.asarray(array)
        tensor = self.graph.initializer.add()
        tensor.name = name
        tensor.data_type = helper.np_dtype_to_tensor_dtype(data.dtype)
        tensor.dims.extend(data.shape)
        # ONNX raw data is little-endian, C order (tobytes copies in C order)
        tensor.raw_data = data.astype(data.dtype.newbyteorder("<"), copy=False).tobytes()
        return name

    def int64s(self, values: Any, base: str) -> str:
        """An int64 vector initializer (shapes, axes, pads)."""
        return self.constant(np.asarray(values, dtype=np.int64).reshape(-1), base)

    def batched(self, t: Tensor) -> bool:
        """True when dim 0 of `t` is the (symbolic) batch dim."""
        return self._batched.get(key(t), False)

    # ---- nodes --------------------------------------------------------------------------------

    def node(
        self, op_type: str, inputs: list[str], at: Context, *, defines: Context | None = None,
        batched: bool | None = None, **attrs: Any,
    ) -> str:
        """Add one ONNX node for the recorded node `at` and return its output's name.

        Args:
            op_type: the ONNX operator, e.g. ``"Conv"``.
            inputs: value names (``""`` for an omitted optional input).
            at: the recorded node this comes from; names the ONNX node by its module.
            defines: the recorded node whose result this is (None for an intermediate value).
            batched: whether dim 0 of the result is the batch dim; by default, when it was
                for an input of `at` of the result's rank and dim-0 size.
            **attrs: ONNX attributes.
        """
        path = scope_path(at.scope)
        name = self.unique(f"{path}/{op_type}" if path else op_type)
        output = name
        if defines is not None:
            output = OUTPUT if self.trace.is_output(defines) else name
            made = self.trace.made[id(defines)]
            self._names[key(made)] = output
            self._batched[key(made)] = self._keeps_batch(at, made) if batched is None else batched
        self.graph.node.append(helper.make_node(op_type, inputs, [output], name=name, **attrs))
        return output

    def _keeps_batch(self, at: Context, made: Tensor) -> bool:
        return any(self.batched(t) and t.ndim == made.ndim and t.shape[0] == made.shape[0]
                   for t in at.inputs)

    # ---- the model ----------------------------------------------------------------------------

    def model(self, doc: str) -> onnx.ModelProto:
        """The finished model: one input, one output, the initializers and nodes added."""
        x, y = self.trace.input, self.trace.output
        if y is x:  # a model that returns its input (an Identity) still needs one node
            self.graph.node.append(helper.make_node("Identity", [INPUT], [OUTPUT],
                                                    name="Identity"))
        self.graph.name = "tinygrad_cnn"
        self.graph.input.append(self._value_info(INPUT, x))
        self.graph.output.append(self._value_info(OUTPUT, y))
        opsets = [helper.make_opsetid("", self.opset)]
        self.proto.opset_import.extend(opsets)
        self.proto.ir_version = helper.find_min_ir_version_for(opsets)  # the widest reach
        self.proto.producer_name = "tinygrad_cnn"
        self.proto.doc_string = doc
        return self.proto

    def _value_info(self, name: str, t: Tensor) -> onnx.ValueInfoProto:
        dims: list[Any] = list(t.shape)
        if self.batched(t) and dims:
            dims[0] = "N"
        return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(t.dtype), dims)
