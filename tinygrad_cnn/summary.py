"""Model summaries by shape inference, and the output-size rules of convolution and pooling.

`summary(model, input_shape)` never runs the arithmetic: each layer maps an input shape to
an output shape (`Module.output_shape`, built on the same size rules as the ops), chains
(`Sequential`, the models) say in which order their parts run (`Module.steps`), and the walk
follows that order. So VGG-16 at 224x224 is summarised in milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tinygrad_cnn.geometry import conv_output_size, pool_output_size
from tinygrad_cnn.nn.module import Module

Shape = tuple[int, ...]

__all__ = ["Summary", "SummaryRow", "conv_output_size", "pool_output_size", "summary"]


@dataclass(frozen=True)
class SummaryRow:
    """One layer of a summary.

    Attributes:
        name: the dotted name (`features.0`), as in `named_modules()`.
        type: the layer's class name.
        output_shape: the shape the layer returns.
        params: the layer's parameter count.
        macs: multiply-accumulates of its forward (conv and linear layers).
        receptive_field: per spatial dim, how many input pixels one output value sees
            (None once the output is no longer an image, e.g. after Flatten).
        jump: per spatial dim, the input-pixel distance between neighbouring outputs.
    """

    name: str
    type: str
    output_shape: Shape
    params: int
    macs: int
    receptive_field: tuple[int, ...] | None
    jump: tuple[float, ...] | None


@dataclass(frozen=True)
class Summary:
    """The table `summary` prints: one row per layer, then the totals.

    Attributes:
        model: the model's class name.
        input_shape: the shape summarised.
        output_shape: the model's output shape.
        rows: the layers, in the order they run.
        total_params: the parameter count (shared parameters once).
        trainable_params: the count of those that require grad.
        total_macs: the multiply-accumulates of one forward pass.
    """

    model: str
    input_shape: Shape
    output_shape: Shape
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
            f"{self.model}, input {self.input_shape}",
            rule, line(header), rule, *(line(cells) for cells in body), rule,
            f"Total params: {self.total_params:,} (trainable {self.trainable_params:,})",
            f"Total MACs: {self.total_macs:,} ({_si(self.total_macs)})",
            f"Output shape: {self.output_shape}",
        ])

    def __repr__(self) -> str:
        return (f"<Summary of {self.model}: {len(self.rows)} layers, "
                f"{self.total_params:,} parameters, {_si(self.total_macs)} MACs>")


def summary(model: Module, input_shape: Sequence[int], verbose: bool = True) -> Summary:
    """Print and return a per-layer table of `model` for an input of `input_shape`.

    Shapes come from shape inference, not from running the model.

    Args:
        model: a Module whose parts are chains (`Sequential`, the models) of layers that
            define `output_shape`.
        input_shape: the input's shape, batch included, e.g. ``(1, 3, 224, 224)``.
        verbose: print the table.

    Returns:
        The `Summary`: `str()` gives the table; `.rows`, `.total_params`, `.total_macs`.

    Raises:
        ValueError: when a layer cannot take the shape that reaches it (naming the layer).
        NotImplementedError: for a module whose shapes cannot be inferred.

    Examples:
        >>> from tinygrad_cnn import models
        >>> s = summary(models.lenet5(), (1, 1, 28, 28), verbose=False)
        >>> s.total_params, s.output_shape, s.rows[0].name, s.rows[0].output_shape
        (44426, (1, 10), 'features.0', (1, 6, 24, 24))
    """
    shape = tuple(input_shape)
    if not shape or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in shape):
        raise ValueError(f"summary: input_shape must be positive ints, got {input_shape!r}")
    rows = _walk(model, shape)
    result = Summary(
        model=type(model).__name__,
        input_shape=shape,
        output_shape=rows[-1].output_shape if rows else shape,
        rows=rows,
        total_params=model.num_parameters(),
        trainable_params=model.num_parameters(trainable_only=True),
        total_macs=sum(row.macs for row in rows),
    )
    if verbose:
        print(result)
    return result


def _walk(model: Module, shape: Shape) -> list[SummaryRow]:
    """Rows for the layers of `model` in running order, following chains depth first."""
    rows: list[SummaryRow] = []
    spatial = len(shape) - 2
    field: tuple[int, ...] | None = (1,) * spatial if spatial > 0 else None
    jump: tuple[float, ...] | None = (1.0,) * spatial if spatial > 0 else None
    stack: list[tuple[str, Module]] = [("", model)]
    while stack:
        name, module = stack.pop()
        chain = module.steps()
        if chain is not None:
            stack.extend((f"{name}.{k}" if name else k, m) for k, m in reversed(chain))
            continue
        label = f"{name} ({type(module).__name__})" if name else type(module).__name__
        try:
            out = tuple(module.output_shape(shape))
            window = module.receptive_window(shape)
            macs = module.macs(shape)
        except ValueError as error:
            raise ValueError(f"summary: {label}: {error}") from None
        except NotImplementedError:
            raise NotImplementedError(
                f"summary: cannot infer the output shape of {label}: define "
                "output_shape(input_shape), or steps() listing the modules forward chains"
            ) from None
        if field is not None and jump is not None and len(out) == len(shape) and len(out) > 2:
            if window is not None:
                field = tuple(f + (span - 1) * j for f, j, (span, _) in zip(field, jump, window))
                field = tuple(math.ceil(f) for f in field)
                jump = tuple(j * stride for j, (_, stride) in zip(jump, window))
        else:
            field = jump = None  # no longer an image: every output sees the whole input
        rows.append(SummaryRow(name, type(module).__name__, out, module.num_parameters(), macs,
                               field, jump))
        shape = out
    return rows


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
