"""One define-by-run pass of a model, kept as an ordered list of recorded nodes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from tinygrad_cnn.autograd import Context, current_scope, enable_grad, grad_mode, graph, scope_label
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.tensor import Tensor


class TracerWarning(UserWarning):
    """A step of the traced forward read tensor values, which the exported graph then holds as
    constants: the file may not match the model on other inputs."""


@dataclass
class Trace:
    """The graph one forward pass recorded.

    Attributes:
        input: the traced input (a fresh leaf that requires grad, so every op that depends on
            it is recorded, even ops that touch no parameter).
        output: the model's output.
        nodes: every recorded node the output depends on, each after the nodes it reads.
        made: id(node) -> the tensor the node made.
        consumers: the key of a tensor (`graph.key`) -> the nodes that read it, in order.
        names: id(parameter or buffer) -> its dotted name in the model (`features.0.weight`).
    """

    input: Tensor
    output: Tensor
    nodes: list[Context]
    made: dict[int, Tensor]
    consumers: dict[int, list[Context]]
    names: dict[int, str]

    def consumers_of(self, node: Context) -> list[Context]:
        """The nodes that read `node`'s result (a graph output counts as none)."""
        return self.consumers.get(id(node), [])

    def is_output(self, node: Context) -> bool:
        """True when `node` made the model's output."""
        return self.output.grad_fn is node


def module_label(node: Context) -> str:
    """Where a node was recorded, as `features.0 (Conv2d)`, or `the top level`."""
    return scope_label(node.scope) if node.scope else "the top level"


def run(model: Module, example_input: Any) -> Trace:
    """Run `model` once in eval mode on `example_input` and collect what it recorded.

    The input and, for the run, every parameter require grad, so every op is recorded. Each
    module's training flag and each parameter's requires_grad are restored afterwards.

    Raises:
        TypeError: when the input is not a floating-point array or the output not a Tensor.
        ValueError: when the output does not depend on the input.
    """
    # as Tensor(...) converts: arrays keep their dtype, Python lists become float32
    data = (example_input if isinstance(example_input, Tensor) else Tensor(example_input)).data
    if data.dtype.kind != "f":
        raise TypeError(f"onnx.export: example_input must be floating point, got {data.dtype}")
    x = Tensor(data, requires_grad=True)
    x._watched = True  # so that a step reading the values of what depends on it is reported
    modes = [(m, m.training) for m in model.modules()]
    # frozen parameters too, so that ops on them alone (weight.T, bias.reshape) are recorded
    frozen = [p for p in model.parameters() if not p.requires_grad]
    model.eval()  # Dropout is the identity and BatchNorm uses its running statistics
    try:
        for p in frozen:
            p.requires_grad = True
        with enable_grad(), grad_mode.watching(_warn):
            y = model(x)
    finally:
        for p in frozen:
            p.requires_grad = False
        for module, mode in modes:
            object.__setattr__(module, "training", mode)
    if not isinstance(y, Tensor):
        raise TypeError(f"onnx.export: the model must return one Tensor, got {type(y).__name__}")
    if y is not x and y.grad_fn is None:
        raise ValueError("onnx.export: the model's output does not depend on its input")
    names = {id(t): name for name, t in model.named_parameters()}
    names.update({id(t): name for name, t in model.named_buffers()})
    order = graph.post_order([y])
    nodes = [t.grad_fn for t in order]
    made = {id(t.grad_fn): t for t in order}
    return Trace(x, y, nodes, made, graph.readers(order), names)


def _warn(t: Tensor, what: str) -> None:
    scope = current_scope()
    where = f" in {scope_label(scope)}" if scope else ""
    warnings.warn(
        f"onnx.export: {what} reads the values of a traced tensor of shape {t.shape}{where}; "
        "the exported graph holds what it computes from them as constants, so the file may "
        "not match the model on other inputs", TracerWarning, stacklevel=4)
