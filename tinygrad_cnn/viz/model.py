"""draw_model: the architecture view, one box per layer with its output shape and parameters."""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from typing import Any

import graphviz

from tinygrad_cnn.summary import summary
from tinygrad_cnn.viz import labels, styles

_RANKDIRS = ("TB", "LR", "BT", "RL")
_WRAP = 36  # characters per line of a layer's arguments


def draw_model(model: Any, input_shape: Sequence[int], rankdir: str = "TB") -> graphviz.Digraph:
    """Draw `model` as the chain of its layers, the picture people draw of LeNet.

    Each layer (a module with no chain inside, as `summary` lists them) is a box with its dotted
    name, type and arguments, its output shape and its parameter count, coloured by family
    (conv blue, pooling orange, linear green); boxes are joined in running order from the input
    to the output, and layers of the same container (`features`, `classifier`) share a frame.
    Shapes come from `summary`'s shape inference: nothing is computed, so VGG-16 at 224x224
    is instant.

    Args:
        model: a Module whose `forward` is a chain (`Sequential`, the models in `models`).
        input_shape: the input's shape with the batch, e.g. ``(1, 1, 28, 28)``.
        rankdir: layout direction, "TB" (top to bottom), "LR", "BT" or "RL".

    Returns:
        A `graphviz.Digraph`; write it with `render(graph, "lenet.svg")`.

    Raises:
        ValueError: when a layer cannot take the shape reaching it, or for a bad `rankdir`.
        NotImplementedError: when the model's shapes cannot be inferred (not a chain).

    Examples:
        >>> from tinygrad_cnn import models
        >>> graph = draw_model(models.lenet5(), (1, 1, 28, 28))
        >>> "classifier.4" in graph.source
        True
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_model: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    table = summary(model, input_shape, verbose=False)
    kinds = {name: type(module).__name__ for name, module in model.named_modules()}
    title = (f"{table.model}: {table.total_params:,} parameters, "
             f"{labels.format_shape(table.input_shape)} input")
    graph = graphviz.Digraph(
        "model",
        graph_attr={**styles.GRAPH_ATTR, "rankdir": rankdir, "label": labels.escape(title),
                    "labelloc": "t", "fontsize": "12"},
        node_attr=styles.NODE_ATTR,
        edge_attr=styles.EDGE_ATTR,
    )
    graph.node("input", labels.join_lines(["input", labels.format_shape(table.input_shape)]),
               **styles.NODES["input"])
    frames: dict[str, graphviz.Digraph] = {}
    modules = dict(model.named_modules())
    chain = ["input"]
    for i, row in enumerate(table.rows):
        chain.append(f"l{i}")
        parent = row.name.rpartition(".")[0]
        target = _frame(frames, parent, kinds) if parent else graph
        target.node(chain[-1], _layer_label(row, modules.get(row.name)), **styles.LAYER,
                    fillcolor=_color(row.type))
    out = labels.join_lines(["output", labels.format_shape(table.output_shape)])
    graph.node("output", out, **styles.NODES["output"])
    chain.append("output")
    _nest_frames(graph, frames)
    # Edges last: a node mentioned first in an edge at the top would leave its frame.
    for source, target_id in itertools.pairwise(chain):
        graph.edge(source, target_id)
    return graph


def _layer_label(row: Any, module: Any) -> str:
    """An HTML-like label: bold name and type, small arguments, the shape, small parameters."""
    head = f"<B>{html.escape(row.name)}</B> {html.escape(row.type)}" if row.name else row.type
    lines = [head]
    arguments = module.extra_repr() if module is not None else ""
    for line in _wrap_arguments(arguments):
        lines.append(f'<FONT POINT-SIZE="8" COLOR="#555555">{html.escape(line)}</FONT>')
    lines.append(html.escape(labels.format_shape(row.output_shape)))
    if row.params:
        lines.append(f'<FONT POINT-SIZE="9">{row.params:,} params</FONT>')
    return "<" + "<BR/>".join(lines) + ">"


def _wrap_arguments(text: str) -> list[str]:
    """Constructor arguments in lines of about `_WRAP` characters, split only between them."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    lines: list[str] = []
    for part in filter(None, parts):
        if lines and len(lines[-1]) + 2 + len(part) <= _WRAP:
            lines[-1] += ", " + part
        else:
            lines.append(part)
    return lines


def _color(kind: str) -> str:
    return next((c for part, c in styles.LAYER_COLORS if part in kind), styles.ACTIVATION_COLOR)


def _frame(frames: dict[str, graphviz.Digraph], path: str, kinds: dict[str, str]) -> Any:
    """The frame of container `path` (made with those of its parents on first use)."""
    parts = path.split(".")
    for depth in range(1, len(parts) + 1):
        prefix = ".".join(parts[:depth])
        if prefix not in frames:
            kind = kinds.get(prefix)
            label = f"{prefix} ({kind})" if kind else prefix
            frames[prefix] = graphviz.Digraph(
                f"cluster_{len(frames)}", graph_attr={"label": labels.escape(label),
                                                      **styles.CLUSTER}
            )
    return frames[path]


def _nest_frames(graph: graphviz.Digraph, frames: dict[str, graphviz.Digraph]) -> None:
    """Put each frame in its parent's, innermost first, so every parent is complete."""
    for path in sorted(frames, key=lambda p: -p.count(".")):
        parent = path.rpartition(".")[0]
        (frames[parent] if parent else graph).subgraph(frames[path])
