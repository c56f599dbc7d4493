"""Small groups of recorded nodes that export as one ONNX node each.

The primitives keep bias out of the convolution and write a linear layer as a matmul with a
transposed weight, and batch norm in eval mode is a handful of elementwise ops. Each maps
one-to-one to ONNX, which would run correctly, but ONNX has a single node for each group,
which runtimes optimise and Netron shows as the layer it is:

    conv2d(x, w) + reshape(b, (O, 1, 1))        ->  Conv(x, w, b)       (ConvTranspose too)
    matmul(x, permute(w, (1, 0))) [+ b]         ->  Gemm(x, w[, b], transB=1)
    the nodes of an eval-mode BatchNorm call    ->  BatchNormalization(x, γ, β, mean, var)
    sum(x, dims) / count                        ->  ReduceMean(x, dims)

The last is more than tidier: `Tensor.mean` divides by a count taken from the traced shape,
which would be wrong at another batch size when the batch dim is among those reduced.

A group is fused only when its inner results are read by nothing else; otherwise its nodes
are exported one by one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from tinygrad_cnn.autograd import Context
from tinygrad_cnn.nn.layers.norm import BatchNorm1d, BatchNorm2d
from tinygrad_cnn.onnx import nodes
from tinygrad_cnn.onnx.graph import GraphBuilder
from tinygrad_cnn.onnx.trace import Trace
from tinygrad_cnn.ops import conv as conv_ops
from tinygrad_cnn.ops import elementwise as ew
from tinygrad_cnn.ops import linalg, movement, reduce
from tinygrad_cnn.tensor import Tensor


@dataclass
class Plan:
    """Which recorded nodes are folded into a fused node, and where each fused node goes.

    Attributes:
        skip: ids of nodes exported as part of a fused node.
        replace: id of the last node of a group -> the function that exports the group there
            (every input of the group is exported by then).
    """

    skip: dict[int, bool] = field(default_factory=dict)
    replace: dict[int, Callable[[GraphBuilder], None]] = field(default_factory=dict)


def plan(trace: Trace) -> Plan:
    """Find the fusable groups of `trace`."""
    p = Plan()
    _batch_norms(trace, p)
    for node in trace.nodes:
        if id(node) in p.skip:
            continue
        if node.op in (conv_ops.Convolution, conv_ops.ConvTranspose):
            _conv_bias(trace, node, p)
        elif node.op is linalg.MatMul:
            _gemm(trace, node, p)
        elif node.op is reduce.Sum:
            _mean(trace, node, p)
    return p


def _sole_reader(trace: Trace, node: Context) -> Context | None:
    """The one node that reads `node`'s result, if there is exactly one and it is not the
    model's output."""
    readers = trace.consumers_of(node)
    return readers[0] if len(readers) == 1 and not trace.is_output(node) else None


def _bias_add(trace: Trace, node: Context) -> tuple[Context, Tensor] | None:
    """The Add that is the sole reader of `node`'s result, and its other operand."""
    add = _sole_reader(trace, node)
    if add is None or add.op is not ew.Add:
        return None
    others = [t for t in add.inputs if t.grad_fn is not node]
    return (add, others[0]) if len(others) == 1 else None


def _conv_bias(trace: Trace, node: Context, p: Plan) -> None:
    found = _bias_add(trace, node)
    if found is None:
        return
    add, other = found
    channels = trace.made[id(node)].shape[1]
    source = other.grad_fn
    if (source is not None and source.op is movement.Reshape
            and source.attrs["shape"] == (channels, 1, 1)
            and source.inputs[0].shape == (channels,) and _sole_reader(trace, source) is add):
        bias = source.inputs[0]  # the usual case: the bias parameter, reshaped to broadcast
        p.skip[id(source)] = True
    elif source is None and other.shape == (channels, 1, 1):
        bias = Tensor(other.data.reshape(channels))  # a frozen bias: its reshape was not recorded
    else:
        return
    p.skip[id(node)] = True
    p.replace[id(add)] = partial(nodes.conv, node=node, defines=add, bias=bias)


def _gemm(trace: Trace, node: Context, p: Plan) -> None:
    x, wt = node.inputs
    transpose = wt.grad_fn
    if (x.ndim != 2 or transpose is None or transpose.op is not movement.Permute
            or transpose.attrs["dims"] != (1, 0) or _sole_reader(trace, transpose) is not node):
        return
    w = transpose.inputs[0]
    inputs = [x, w]
    last = node
    found = _bias_add(trace, node)
    if found is not None and found[1].shape == (w.shape[0],):
        last, bias = found
        inputs.append(bias)
        p.skip[id(node)] = True
    p.skip[id(transpose)] = True
    p.replace[id(last)] = partial(_emit_gemm, node=node, defines=last, inputs=inputs)


def _emit_gemm(b: GraphBuilder, node: Context, defines: Context, inputs: list[Tensor]) -> None:
    b.node("Gemm", [b.value(t) for t in inputs], node, defines=defines, transB=1)


def _mean(trace: Trace, node: Context, p: Plan) -> None:
    div = _sole_reader(trace, node)
    if div is None or div.op is not ew.Div or div.inputs[0].grad_fn is not node:
        return
    count, x = div.inputs[1], node.inputs[0]
    reduced = math.prod(x.shape[d] for d in node.attrs["dims"])
    if count.grad_fn is None and count.numel() == 1 and float(count.data) == reduced:
        p.skip[id(node)] = True
        p.replace[id(div)] = partial(nodes.reduce_op, node=node, op_type="ReduceMean",
                                     defines=div)


def _batch_norms(trace: Trace, p: Plan) -> None:
    """Group the nodes recorded by each call of a BatchNorm1d or BatchNorm2d (exactly those
    classes, so their forward is known) that normalises with running statistics; a group
    with one input and one result becomes one BatchNormalization."""
    groups: dict[int, list[Context]] = {}
    for node in trace.nodes:
        bn = node.scope[-1] if node.scope else None
        if (type(bn) in (BatchNorm1d, BatchNorm2d) and bn.running_mean is not None
                and bn.running_var is not None):
            # each call makes a new scope tuple, so a module called twice gives two groups
            groups.setdefault(id(node.scope), []).append(node)
    for call in groups.values():
        inside = {id(n): True for n in call}
        sources: dict[int, Tensor] = {}
        for n in call:
            for t in n.inputs:
                if t is trace.input or (t.grad_fn is not None and id(t.grad_fn) not in inside):
                    sources[id(t)] = t
        results = [n for n in call if trace.is_output(n)
                   or any(id(c) not in inside for c in trace.consumers_of(n))]
        if len(sources) != 1 or len(results) != 1:
            continue  # not the usual shape of the call: export its ops one by one
        (x,) = sources.values()
        for n in call:
            if n is not results[0]:
                p.skip[id(n)] = True
        p.replace[id(results[0])] = partial(nodes.batch_norm, node=results[0],
                                            module=call[0].scope[-1], x=x)
