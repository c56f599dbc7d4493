"""draw_graph: the recorded autograd graph behind some tensors as a Graphviz digraph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import graphviz

from tinygrad_cnn.tensor import Tensor
from tinygrad_cnn.viz import labels, styles
from tinygrad_cnn.viz.clusters import Cluster, ClusterTree
from tinygrad_cnn.viz.walk import OpNode, TensorNode, walk

_RANKDIRS = ("TB", "LR", "BT", "RL")
_FALLBACK = {"leaf": "leaf", "input": "input", "output": "output"}

Params = Any  # a Module, a name -> Tensor mapping, or (name, Tensor) pairs


def draw_graph(
    *outputs: Tensor,
    params: Params = None,
    show_shapes: bool = True,
    show_dtypes: bool = False,
    show_grads: bool = False,
    cluster_modules: bool = True,
    rankdir: str = "TB",
) -> graphviz.Digraph:
    """Draw the ops recorded behind `outputs`, with data flowing from inputs to outputs.

    Op nodes are rounded boxes naming the op and its attributes (`conv2d stride=1 pad=0`);
    tensor nodes are ellipses with their shape: parameters and leaves that require grad in
    green (labelled with their dotted names), other inputs in yellow, the outputs in orange,
    intermediate results small and plain. One-element constants show their value. Node ids
    are numbered in walk order, so the same program always gives the same DOT text.

    Args:
        *outputs: the tensors to draw the history of (e.g. a loss, or logits and loss).
        params: names for leaves: a Module (its `named_parameters()` and buffers), a mapping
            name -> Tensor, or (name, Tensor) pairs. None names the parameters of the
            outermost modules that recorded ops; a leaf's own `Tensor.name` is the fallback.
        show_shapes: write each tensor's shape. With neither shapes nor dtypes, intermediate
            results are left out and ops connect directly.
        show_dtypes: write each tensor's dtype.
        show_grads: write the shape and L2 norm of `.grad` where one exists (call `backward()`
            first).
        cluster_modules: group the ops each module's `forward` recorded into nested boxes
            labelled `features.0 (Conv2d)`; parameters sit in the box of the ops using them.
        rankdir: Graphviz layout direction, "TB" (top to bottom), "LR", "BT" or "RL".

    Returns:
        A `graphviz.Digraph`: `.source` is the DOT text, `render(graph, path)` writes a
        picture, and Jupyter displays it inline.

    Raises:
        TypeError: when an output is not a Tensor or a named parameter is not one.
        ValueError: with no outputs or an unknown `rankdir`.

    Examples:
        >>> from tinygrad_cnn import Tensor
        >>> a = Tensor([1.0, 2.0], requires_grad=True, name="a")
        >>> graph = draw_graph((a * a).sum())
        >>> [line.strip() for line in graph.source.splitlines() if "->" in line]
        ['t0 -> op0', 't0 -> op0', 'op0 -> t1', 't1 -> op1', 'op1 -> t2']
    """
    _check_arguments(outputs, rankdir)
    found = walk(outputs)
    names = _names(params, found.ops)
    tree = ClusterTree()
    op_home = {op.id: tree.of_scope(op.ctx.scope) if cluster_modules else None
               for op in found.ops}

    graph = graphviz.Digraph(
        "autograd",
        graph_attr={**styles.GRAPH_ATTR, "rankdir": rankdir},
        node_attr=styles.NODE_ATTR,
        edge_attr=styles.EDGE_ATTR,
    )
    bodies: dict[str, graphviz.Digraph] = {}
    drawn: dict[str, bool] = {}
    for node in found.tensors:
        if node.producer is not None:
            _add_node(graph, bodies, op_home[node.producer.id], node.producer.id,
                      labels.op_label(node.producer.ctx.name, node.producer.ctx.attrs), "op")
        kind = _kind(node, names)
        name = names.get(id(node.tensor), node.tensor.name)
        lines = labels.tensor_lines(node.tensor, name, show_shapes, show_dtypes, show_grads)
        if kind == "result" and not lines:
            continue
        if kind == "constant":
            label = labels.constant_label(node.tensor)
        else:
            label = labels.join_lines(lines or [_FALLBACK[kind]])
        _add_node(graph, bodies, _tensor_home(node, kind, op_home, tree), node.id, label, kind)
        drawn[node.id] = True

    _nest_clusters(graph, bodies, tree)
    for op in found.ops:
        for inp in op.inputs:
            source = inp.id if inp.id in drawn else inp.producer.id  # type: ignore[union-attr]
            graph.edge(source, op.id)
        if op.output is not None and op.output.id in drawn:
            graph.edge(op.id, op.output.id)
    return graph


def _check_arguments(outputs: tuple[Any, ...], rankdir: str) -> None:
    if not outputs:
        raise ValueError("draw_graph: pass at least one output tensor")
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph: output {i} must be a Tensor, got {type(t).__name__}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"draw_graph: rankdir must be one of {_RANKDIRS}, got {rankdir!r}")


def _pairs(source: Any) -> Iterable[tuple[str, Any]]:
    if hasattr(source, "named_parameters"):
        buffers = source.named_buffers() if hasattr(source, "named_buffers") else []
        return [*source.named_parameters(), *buffers]
    if isinstance(source, Mapping):
        return source.items()
    return source


def _names(params: Params, ops: list[OpNode]) -> dict[int, str]:
    """id(tensor) -> dotted name, from `params` or from the outermost modules in the graph."""
    if params is None:
        sources: dict[int, Any] = {}
        for op in ops:
            if op.ctx.scope:
                sources.setdefault(id(op.ctx.scope[0]), op.ctx.scope[0])
        pairs = [pair for module in sources.values() for pair in _pairs(module)]
    else:
        pairs = list(_pairs(params))
    names: dict[int, str] = {}
    for name, t in pairs:
        if t is None:
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"draw_graph: params[{name!r}] must be a Tensor, "
                            f"got {type(t).__name__}")
        names.setdefault(id(t), str(name))
    return names


def _kind(node: TensorNode, names: dict[int, str]) -> str:
    t = node.tensor
    if node.is_output:
        return "output"
    if node.producer is not None:
        return "result"
    if id(t) in names:
        return "param"
    if t.requires_grad:
        return "leaf"
    if t.numel() == 1 and t.name is None:
        return "constant"
    return "input"


def _tensor_home(
    node: TensorNode, kind: str, op_home: dict[str, Cluster | None], tree: ClusterTree
) -> Cluster | None:
    """Results sit with their op; named parameters and constants in the box of all their users.

    Other leaves (data, a leaf the user made) belong to no module and stay at the top.
    """
    if kind == "result":
        return op_home[node.producer.id]  # type: ignore[union-attr]
    if kind in ("param", "constant") and node.consumers:
        return tree.common([op_home[op.id] for op in node.consumers])
    return None


def _body(bodies: dict[str, graphviz.Digraph], cluster: Cluster) -> graphviz.Digraph:
    """The subgraph of `cluster`, made on first use."""
    body = bodies.get(cluster.id)
    if body is None:
        label = labels.escape(cluster.label)
        body = bodies[cluster.id] = graphviz.Digraph(
            cluster.id, graph_attr={"label": label, **styles.CLUSTER}
        )
    return body


def _add_node(
    graph: graphviz.Digraph, bodies: dict[str, graphviz.Digraph], home: Cluster | None,
    node_id: str, label: str, kind: str,
) -> None:
    target = graph if home is None else _body(bodies, home)
    target.node(node_id, label, **styles.NODES[kind])


def _nest_clusters(
    graph: graphviz.Digraph, bodies: dict[str, graphviz.Digraph], tree: ClusterTree
) -> None:
    """Put each cluster inside its parent, innermost first, so every parent is complete."""
    for cluster in tree.deepest_first():
        parent = graph if cluster.parent is None else _body(bodies, cluster.parent)
        parent.subgraph(_body(bodies, cluster))
