"""draw_model: the architecture view of any model, its layer calls as boxes joined by tensors."""

from __future__ import annotations

import html
from typing import Any

import graphviz

from tinygrad_cnn.autograd import abstract
from tinygrad_cnn.summary.calls import Call, OpCall, Recorder, record
from tinygrad_cnn.tensor import Tensor
from tinygrad_cnn.viz import labels, styles

_RANKDIRS = ("TB", "LR", "BT", "RL")
_WRAP = 36  # characters per line of a layer's arguments


def draw_model(model: Any, input_shape: Any, rankdir: str = "TB",
               depth: int | None = None) -> graphviz.Digraph:
    """Draw `model` as its module calls joined by the tensors that flow between them.

    The model runs once by shape (as `summary` does: nothing is computed), whatever its
    `forward` does. Each call of a layer (a module without submodules) is a box with its dotted
    name, type and arguments, its output shape and its parameter count, coloured by family
    (conv blue, pooling orange, linear green). Ops a `forward` runs outside its submodules (a
    residual add, a concatenation of branches, a flatten) are small nodes of their own, so the
    picture shows where tensors branch and meet; the calls of a module with submodules are
    frames around what ran inside them. A chain such as LeNet-5 is a line of boxes from the
    input to the output.

    Args:
        model: any Module.
        input_shape: the input's shape with the batch, e.g. ``(1, 1, 28, 28)``; a list of
            shapes for a model with several inputs.
        rankdir: layout direction, "TB" (top to bottom), "LR", "BT" or "RL".
        depth: fold every call below this depth into one box (None: down to the layers).

    Returns:
        A `graphviz.Digraph`; write it with `render(graph, "lenet.svg")`.

    Raises:
        ValueError: when a layer cannot take the shape reaching it, or for a bad `rankdir`.

    Examples:
        >>> from tinygrad_cnn import models
        >>> graph = draw_model(models.lenet5(), (1, 1, 28, 28))
        >>> "classifier.4" in graph.source
        True
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_model: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    run = record(model, input_shape, "draw_model")
    title = (f"{type(model).__name__}: {model.num_parameters():,} parameters, "
             f"{_shapes_text([t.shape for t in run.inputs])} input")
    graph = graphviz.Digraph(
        "model",
        graph_attr={**styles.GRAPH_ATTR, "rankdir": rankdir, "label": labels.escape(title),
                    "labelloc": "t", "fontsize": "12"},
        node_attr=styles.NODE_ATTR,
        edge_attr=styles.EDGE_ATTR,
    )
    _Drawing(graph, run, depth).draw()
    return graph


class _Drawing:
    """Boxes, op nodes and frames for one recorded run, and the edges between them."""

    def __init__(self, graph: graphviz.Digraph, run: Recorder, depth: int | None):
        self.graph, self.run, self.depth = graph, run, depth
        self.frames: dict[int, graphviz.Digraph] = {}  # id(call) -> its frame
        self.node_of: dict[int, str] = {}  # id(tensor) -> the node that made it
        self.ids = {"box": 0, "op": 0}
        self.edges: list[tuple[str, str]] = []
        self._order: list[Call] = []  # calls with a frame, in the order their frames were made

    def draw(self) -> None:
        for i, t in enumerate(self.run.inputs):
            name = "input" if len(self.run.inputs) == 1 else f"input{i}"
            self.graph.node(name, labels.join_lines([name, labels.format_shape(t.shape)]),
                            **styles.NODES["input"])
            for tensor in _tensors(t):
                self.node_of[id(tensor)] = name
        boxes: dict[int, str] = {}  # id(call) -> its box
        for op in self.run.ops:
            if not any(id(t) in self.node_of for t in op.ctx.inputs):
                continue  # computed from parameters and constants alone: not on the data path
            box_call = self._box_call(op.call)
            if box_call is not None and id(box_call) not in boxes:
                boxes[id(box_call)] = self._box(box_call)
            name = boxes[id(box_call)] if box_call is not None else self._op_node(op)
            self._connect(op.ctx.inputs, name)
            self.node_of[id(op.output)] = name
        self._outputs()
        self._nest_frames()
        for source, target in self.edges:  # last: a node first named in an edge leaves its frame
            self.graph.edge(source, target)

    def _box_call(self, call: Call | None) -> Call | None:
        """The call whose box holds an op run in `call`: the outermost folded call, or the
        call itself when it is a layer; None when the op is drawn on its own."""
        chain = []
        while call is not None:
            chain.append(call)
            call = call.parent
        for candidate in reversed(chain):
            if self.depth is not None and candidate.depth >= self.depth:
                return candidate
        innermost = chain[0] if chain else None
        return innermost if innermost is not None and not innermost.children else None

    def _box(self, call: Call) -> str:
        name = f"l{self.ids['box']}"
        self.ids["box"] += 1
        row = {"name": call.name, "type": type(call.module).__name__,
               "output_shape": abstract.shapes_of(call.output),
               "params": call.module.num_parameters()}
        self._home(call.parent).node(name, _layer_label(row, call.module), **styles.LAYER,
                                     fillcolor=_color(row["type"]))
        return name

    def _op_node(self, op: OpCall) -> str:
        name = f"o{self.ids['op']}"
        self.ids["op"] += 1
        text = labels.join_lines([op.ctx.name, labels.format_shape(op.output.shape)])
        self._home(op.call).node(name, text, **styles.NODES["op"], fontsize="9")
        return name

    def _home(self, call: Call | None) -> Any:
        """The frame that holds what ran directly in `call` (the graph for the model's)."""
        if call is None or call.parent is None:
            return self.graph
        if id(call) not in self.frames:
            label = f"{call.name} ({type(call.module).__name__})"
            self.frames[id(call)] = graphviz.Digraph(
                f"cluster_{len(self.frames)}", graph_attr={"label": labels.escape(label),
                                                           **styles.CLUSTER})
            self._home(call.parent)
            self._order.append(call)
        return self.frames[id(call)]

    def _connect(self, inputs: Any, target: str) -> None:
        for t in inputs:
            source = self.node_of.get(id(t))
            if source is not None and source != target and (source, target) not in self.edges:
                self.edges.append((source, target))

    def _outputs(self) -> None:
        outputs = _named_tensors(self.run.output)
        for i, (key, t) in enumerate(outputs):
            name = "output" if len(outputs) == 1 else f"output{i}"
            text = labels.join_lines([f"output{key}", labels.format_shape(t.shape)])
            self.graph.node(name, text, **styles.NODES["output"])
            self._connect([t], name)

    def _nest_frames(self) -> None:
        """Put each frame in its parent's, innermost first, so every parent is complete."""
        for call in sorted(self._order, key=lambda c: -c.depth):
            home = self.frames.get(id(call.parent)) if call.parent is not None else None
            (home if home is not None else self.graph).subgraph(self.frames[id(call)])


def _tensors(value: Any) -> list[Any]:
    return [t for _, t in _named_tensors(value)]


def _named_tensors(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """The tensors in a structure, each with its place (`[cls]`, `[0]`)."""
    if isinstance(value, Tensor):
        return [(key, value)]
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _named_tensors(v, f"{key}[{k}]")]
    if isinstance(value, (list, tuple)):
        return [pair for i, v in enumerate(value) for pair in _named_tensors(v, f"{key}[{i}]")]
    return []


def _shapes_text(shapes: list[tuple[int, ...]]) -> str:
    return ", ".join(labels.format_shape(s) for s in shapes)


def _layer_label(row: dict[str, Any], module: Any) -> str:
    """An HTML-like label: bold name and type, small arguments, the shape, small parameters."""
    name, kind = row["name"], row["type"]
    head = f"<B>{html.escape(name)}</B> {html.escape(kind)}" if name else kind
    lines = [head]
    arguments = module.extra_repr() if module is not None else ""
    for line in _wrap_arguments(arguments):
        lines.append(f'<FONT POINT-SIZE="8" COLOR="#555555">{html.escape(line)}</FONT>')
    shape = row["output_shape"]
    lines.append(html.escape(labels.format_shape(shape) if isinstance(shape, tuple) else
                             str(shape)))
    if row["params"]:
        lines.append(f'<FONT POINT-SIZE="9">{row["params"]:,} params</FONT>')
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
