"""The layer table of any model (`summary`), from one shape-only run.

`summary(model, input_shape)` runs `model` once on tensors without values (`abstract`):
every module call and every op is seen (`calls.Recorder`), so whatever `forward` does
(residual adds, branches, several inputs, a module called twice, tuple or dict outputs) the
table has a row per module call with its output shape, parameters, multiply-accumulates and
receptive field, and no arithmetic is spent, however big the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tinygrad_cnn.arguments import non_negative_int
from tinygrad_cnn.autograd import abstract
from tinygrad_cnn.nn.module import Module
from tinygrad_cnn.summary.calls import Call, record

Shape = tuple[int, ...]


@dataclass(frozen=True)
class SummaryRow:
    """One module call of a summary.

    Attributes:
        name: the dotted name (`features.0`), as in `named_modules()`; `(call 2)` is added
            for a module's later calls.
        type: the module's class name.
        output_shape: the shape it returned (a tuple, list or dict of shapes for structured
            outputs).
        params: the parameters first counted in this row: the module's own (with those of
            its submodules when they are folded into it by `depth`), less any counted in an
            earlier row (shared parameters count once).
        macs: multiply-accumulates of its ops (conv, transposed conv, matmul), with those of
            its submodules when folded.
        receptive_field: per spatial dim, how many input pixels one output value sees
            (None once the output is no longer an image, e.g. after Flatten).
        jump: per spatial dim, the input-pixel distance between neighbouring outputs.
        depth: how deeply the call is nested in others (the model's own call is 0).
    """

    name: str
    type: str
    output_shape: Any
    params: int
    macs: int
    receptive_field: tuple[int, ...] | None
    jump: tuple[float, ...] | None
    depth: int = 0


@dataclass(frozen=True)
class Summary:
    """The table `summary` prints: one row per module call, then the totals.

    Attributes:
        model: the model's class name.
        input_shape: the input shape summarised (a list of them for several inputs).
        output_shape: the model's output shape (a structure of shapes for structured outputs).
        rows: the module calls, in the order they started.
        total_params: the parameter count (shared parameters once).
        trainable_params: the count of those that require grad.
        total_macs: the multiply-accumulates of one forward pass.
    """

    model: str
    input_shape: Any
    output_shape: Any
    rows: list[SummaryRow]
    total_params: int
    trainable_params: int
    total_macs: int

    def __str__(self) -> str:
        header = ("Layer", "Type", "Output shape", "Params", "MACs", "RF", "Jump")
        body = [(r.name or "(model)", r.type, str(r.output_shape), f"{r.params:,}",
                 f"{r.macs:,}", _dims(r.receptive_field), _dims(r.jump)) for r in self.rows]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
        right = (False, False, False, True, True, True, True)

        def line(cells: Sequence[str]) -> str:
            return "  ".join(c.rjust(w) if r else c.ljust(w)
                             for c, w, r in zip(cells, widths, right)).rstrip()

        rule = "-" * len(line(header))
        return "\n".join([
            f"{self.model}, input {self.input_shape!s}",
            rule, line(header), rule, *(line(cells) for cells in body), rule,
            f"Total params: {self.total_params:,} (trainable {self.trainable_params:,})",
            f"Total MACs: {self.total_macs:,} ({_si(self.total_macs)})",
            f"Output shape: {self.output_shape!s}",
        ])

    def __repr__(self) -> str:
        return (f"<Summary of {self.model}: {len(self.rows)} layers, "
                f"{self.total_params:,} parameters, {_si(self.total_macs)} MACs>")


def summary(model: Module, input_shape: Any, verbose: bool = True,
            depth: int | None = None) -> Summary:
    """Print and return a table of `model`'s module calls for an input of `input_shape`.

    The model runs once on tensors that have shapes but no values, so nothing is computed
    and any `forward` works. Rows are the calls of modules without submodules (layers), in
    the order they ran; a module's own parameters and ops outside its submodules get a row
    for its call too. `depth` folds everything below that depth into its ancestor's row
    (torchinfo's habit), counting nested calls: depth 1 gives one row per module the model's
    forward calls itself.

    Args:
        model: any Module.
        input_shape: the input's shape, batch included, e.g. ``(1, 3, 224, 224)``; for a
            model with several inputs, a list of shapes (one per positional input).
        verbose: print the table.
        depth: the deepest rows to list (None: down to the layers).

    Returns:
        The `Summary`: `str()` gives the table; `.rows`, `.total_params`, `.total_macs`.

    Raises:
        ValueError: when a layer refuses the shape that reaches it (naming the layer), a
            step needs tensor values (`.item()`, a boolean mask), or depth is negative.
        TypeError: for a depth that is not an int.
        NotImplementedError: for an op without a shape rule.

    Examples:
        >>> from tinygrad_cnn import models
        >>> s = summary(models.lenet5(), (1, 1, 28, 28), verbose=False)
        >>> s.total_params, s.output_shape, s.rows[0].name, s.rows[0].output_shape
        (44426, (1, 10), 'features.0', (1, 6, 24, 24))
    """
    if depth is not None:
        depth = non_negative_int("summary", "depth", depth, " (or None for every row)")
    recorder = record(model, input_shape, "summary")
    inputs = recorder.inputs
    output = recorder.output
    rows = _rows(recorder.calls, depth)
    result = Summary(
        model=type(model).__name__,
        input_shape=input_shape if len(inputs) > 1 else inputs[0].shape,
        output_shape=abstract.shapes_of(output),
        rows=rows,
        total_params=model.num_parameters(),
        trainable_params=model.num_parameters(trainable_only=True),
        total_macs=sum(call.own_macs for call in recorder.calls),
    )
    if verbose:
        print(result)
    return result


def _rows(calls: list[Call], depth: int | None) -> list[SummaryRow]:
    """The calls to list, with the parameters each is the first to count."""
    counted: dict[int, bool] = {}
    rows = []
    for call in calls:
        folded = depth is not None and call.depth == depth and call.children
        shown = call.depth <= (depth if depth is not None else call.depth) and (
            not call.children or folded or call.own_macs or _direct_params(call.module))
        if not shown:
            continue
        tensors = call.module.parameters() if not call.children or folded else \
            _direct_params(call.module)
        params = 0
        for p in tensors:
            if id(p) not in counted:
                counted[id(p)] = True
                params += p.numel()
        macs = call.total_macs if folded else call.own_macs
        field = call.field if call.field is not None else (None, None)
        rows.append(SummaryRow(call.name, type(call.module).__name__,
                               abstract.shapes_of(call.output), params, macs, *field,
                               call.depth))
    return rows


def _direct_params(module: Module) -> list[Any]:
    return list(module.parameters(recurse=False))


def _dims(values: tuple[float, ...] | None) -> str:
    if values is None:
        return "-"
    text = [f"{v:g}" for v in values]
    return text[0] if len(set(text)) == 1 else "x".join(text)


def _si(count: int) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= scale:
            return f"{count / scale:.2f} {unit}"
    return str(count)
