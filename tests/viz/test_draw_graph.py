"""draw_graph: nodes, labels, names, edge directions, clusters, options and a golden DOT text."""

import shutil

import numpy as np
import pytest
from dot_parse import parse

from tinygrad_cnn import Tensor, models, nn
from tinygrad_cnn.autograd import grad
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.nn.init import skip_init
from tinygrad_cnn.viz import draw_graph, render


def _leaf(name, shape, requires_grad=True):
    return Tensor(np.ones(shape, dtype=np.float32), requires_grad=requires_grad, name=name)


def _expression():
    a, b, c = _leaf("a", (2, 3)), _leaf("b", (2, 3)), _leaf("c", (3,))
    return a, b, c, (a * b + c).sum()


# (a * b + c).sum() with a, b of shape (2, 3) and c of shape (3,): three leaves, three ops,
# two intermediate results and the output, ids numbered in data-flow order.
GOLDEN = """digraph autograd {
	graph [fontname=Helvetica rankdir=TB]
	node [fontname=Helvetica fontsize=10]
	edge [arrowsize=0.6 color="#555555"]
	t0 [label="a\\n(2, 3)" color="#4d8a43" fillcolor="#d5ecd0" shape=ellipse style=filled]
	t1 [label="b\\n(2, 3)" color="#4d8a43" fillcolor="#d5ecd0" shape=ellipse style=filled]
	op0 [label=mul color="#4a6d99" fillcolor="#dde7f3" shape=box style="rounded,filled"]
	t2 [label="(2, 3)" color="#9a9a9a" fontcolor="#444444" fontsize=9 margin=0.02 shape=ellipse]
	t3 [label="c\\n(3,)" color="#4d8a43" fillcolor="#d5ecd0" shape=ellipse style=filled]
	op1 [label=add color="#4a6d99" fillcolor="#dde7f3" shape=box style="rounded,filled"]
	t4 [label="(2, 3)" color="#9a9a9a" fontcolor="#444444" fontsize=9 margin=0.02 shape=ellipse]
	op2 [label="sum dims=(0,1)" color="#4a6d99" fillcolor="#dde7f3" shape=box style="rounded,filled"]
	t5 [label="()" color="#b5532f" fillcolor="#f7cdbd" shape=ellipse style="filled,bold"]
	t0 -> op0
	t1 -> op0
	op0 -> t2
	t2 -> op1
	t3 -> op1
	op1 -> t4
	t4 -> op2
	op2 -> t5
}
"""  # noqa: E501 (DOT lines as python-graphviz writes them)


def test_golden_dot_text_of_a_tiny_expression():
    *_, out = _expression()
    assert draw_graph(out).source == GOLDEN


def test_same_program_gives_the_same_text():
    assert draw_graph(_expression()[-1]).source == draw_graph(_expression()[-1]).source


def test_one_node_per_op_and_per_tensor_with_edges_from_inputs_to_outputs():
    *_, out = _expression()
    g = parse(draw_graph(out).source)
    ops = [n for n in g.labels if n.startswith("op")]
    assert sorted(g.labels[n].split()[0] for n in ops) == ["add", "mul", "sum"]
    assert len(g.labels) - len(ops) == 6  # a, b, c, two intermediate results, the output
    (mul,) = g.ids_with_label("mul")
    (a_id,) = g.ids_with_label("a")
    (b_id,) = g.ids_with_label("b")
    assert (a_id, mul) in g.edges and (b_id, mul) in g.edges
    # data flows one way: leaves have no incoming edges, the output no outgoing ones
    (out_id,) = [n for n, attrs in g.attrs.items() if "bold" in attrs]
    assert not [e for e in g.edges if e[1] in (a_id, b_id) or e[0] == out_id]
    for src, dst in g.edges:  # tensors feed ops and ops make tensors
        assert src.startswith("op") != dst.startswith("op")


def test_a_tensor_used_twice_is_one_node_with_two_edges():
    x = _leaf("x", (3,))
    g = parse(draw_graph((x * x).sum()).source)
    (x_id,) = g.ids_with_label("x")
    (mul,) = g.ids_with_label("mul")
    assert g.edges.count((x_id, mul)) == 2


def test_styles_tell_parameters_inputs_constants_and_outputs_apart():
    w = _leaf("w", (3,))
    x = Tensor(np.ones(3, dtype=np.float32))  # data: does not require grad
    g = parse(draw_graph((w * x * 2).sum()).source)
    (w_id,) = g.ids_with_label("w")
    (x_id,) = g.ids_with_label("(3,)")[:1]
    (two,) = g.ids_with_label("2")
    assert "#d5ecd0" in g.attrs[w_id] and "#fcefc4" in g.attrs[x_id]
    assert "plaintext" in g.attrs[two]
    assert len({g.attrs[w_id], g.attrs[x_id], g.attrs[two]}) == 3


def test_without_shapes_ops_connect_directly():
    *_, out = _expression()
    g = parse(draw_graph(out, show_shapes=False).source)
    (mul,) = g.ids_with_label("mul")
    (add,) = g.ids_with_label("add")
    assert (mul, add) in g.edges
    assert g.labels["t0"] == "a"
    assert len(g.labels) == 3 + 3 + 1  # leaves, ops, output


def test_dtypes_and_rankdir():
    *_, out = _expression()
    source = draw_graph(out.double(), show_dtypes=True, rankdir="LR").source
    assert "rankdir=LR" in source
    g = parse(source)
    assert g.labels["t0"] == "a\n(2, 3)\nfloat32"
    assert g.ids_with_label("cast dtype=float64")
    assert any(label.endswith("float64") for label in g.labels.values())


def test_show_grads_gives_shape_and_norm_after_backward():
    a, b, _, out = _expression()
    before = parse(draw_graph(out, show_grads=True).source)
    assert "grad" not in "".join(before.labels.values())
    b.data[...] = 2.0
    out.backward()
    g = parse(draw_graph(out, show_grads=True).source)
    norm = np.linalg.norm(a.grad.data)
    assert g.labels["t0"] == f"a\n(2, 3)\ngrad (2, 3) norm={norm:.4g}"
    assert f"{norm:.4g}" == "4.899"  # sqrt(6 * 2**2)
    assert "grad" not in parse(draw_graph(out).source).labels["t0"]


def test_attributes_are_compact_and_arrays_show_their_shape():
    x = _leaf("x", (4, 5))
    picked = x[np.arange(300) % 4, 1:3]
    masked = picked.where(np.ones((300, 2), dtype=bool), 0.0)
    g = parse(draw_graph(masked.sum(dim=0, keepdim=True)).source)
    ops = sorted(g.labels[n] for n in g.labels if n.startswith("op"))
    assert "index [int64[300],1:3]" in ops
    assert "where condition=bool[300,2]" in ops
    assert "sum dims=(0,) keepdim=True" in ops


def test_parameters_named_from_the_module_by_default_from_params_when_given():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    out = net(Tensor(np.ones((5, 3), dtype=np.float32))).sum()
    g = parse(draw_graph(out).source)
    names = sorted(label.split("\n")[0] for label in g.labels.values() if "." in label)
    assert names == ["0.bias", "0.weight", "2.bias", "2.weight"]
    explicit = parse(draw_graph(out, params={"w1": net[0].weight}).source)
    assert explicit.ids_with_label("w1") and not explicit.ids_with_label("0.weight")
    pairs = parse(draw_graph(out, params=[("first.weight", net[0].weight)]).source)
    assert pairs.ids_with_label("first.weight")
    with pytest.raises(TypeError, match="params"):
        draw_graph(out, params={"w": np.ones(3)})


def test_module_clusters_nest_and_hold_their_ops_and_parameters():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = Tensor(np.ones((5, 3), dtype=np.float32))
    g = parse(draw_graph(net(x).sum()).source)
    top = g.cluster_named("Sequential")
    first, relu = g.cluster_named("0 (Linear)"), g.cluster_named("1 (ReLU)")
    assert len(g.cluster_labels) == 4
    assert g.cluster_parent[top] is None
    assert g.cluster_parent[first] == top and g.cluster_parent[relu] == top
    assert g.home[g.ids_with_label("0.weight")[0]] == first
    assert g.home[g.ids_with_label("relu")[0]] == relu
    assert g.home[g.ids_with_label("sum dims=(0,1)")[0]] is None  # ran outside the model
    assert g.home["t0"] is None  # the input is not part of the first layer
    image = _leaf("image", (5, 3))  # an input that requires grad is still not the layer's
    assert parse(draw_graph(net(image)).source).home["t0"] is None
    flat = parse(draw_graph(net(x).sum(), cluster_modules=False).source)
    assert not flat.cluster_labels and len(flat.labels) == len(g.labels)


def test_nested_custom_module_paths_are_dotted():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x) * 2

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(Block(), Block())

        def forward(self, x):
            return self.features(x)

    g = parse(draw_graph(Net()(Tensor(np.ones((1, 2), dtype=np.float32)))).source)
    labels = sorted(g.cluster_labels.values())
    assert labels == ["Net", "features (Sequential)", "features.0 (Block)",
                      "features.0.fc (Linear)", "features.1 (Block)", "features.1.fc (Linear)"]
    block = g.cluster_named("features.1 (Block)")
    assert g.cluster_parent[g.cluster_named("features.1.fc (Linear)")] == block
    # the constant 2 of Block.forward sits in the block that used it
    assert [g.home[n] for n in g.ids_with_label("2")] == [g.cluster_named("features.0 (Block)"),
                                                          block]
    assert g.ids_with_label("features.1.fc.weight")


def test_several_outputs_and_a_leaf_output():
    a, b, c, _ = _expression()
    product = a * b
    g = parse(draw_graph((product + c).sum(), product).source)
    assert sum("bold" in attrs for attrs in g.attrs.values()) == 2
    assert len(g.ids_with_label("mul")) == 1  # an output that is also an input: drawn once
    lone = parse(draw_graph(a).source)
    assert list(lone.labels.values()) == ["a\n(2, 3)"] and not lone.edges


def test_a_graph_built_by_create_graph_draws_each_op_once():
    x = _leaf("x", (2,))
    (g,) = grad((x**3).sum(), x, create_graph=True)
    parsed = parse(draw_graph(g.sum()).source)
    assert _op_counts(parsed)["pow"] == 1  # its saved output is rewrapped, still one node
    assert len(parsed.ids_with_label("x")) == 1


def test_a_long_chain_walks_without_recursion():
    x = _leaf("x", (2,))
    y = x
    for _ in range(3000):
        y = y * 1.0
    g = parse(draw_graph(y.sum(), show_shapes=False).source)
    assert len([n for n in g.labels if n.startswith("op")]) == 3001


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one"):
        draw_graph()
    with pytest.raises(TypeError, match="output 0"):
        draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(_leaf("a", (1,)), rankdir="up")


def _op_counts(g):
    counts = {}
    for node, label in g.labels.items():
        if node.startswith("op"):
            name = label.split()[0]
            counts[name] = counts.get(name, 0) + 1
    return counts


def test_lenet_op_graph_counts_clusters_and_parameter_homes():
    model = models.lenet5()
    x = Tensor(np.zeros((1, 1, 28, 28), dtype=np.float32))
    g = parse(draw_graph(model(x), params=model).source)
    counts = _op_counts(g)
    assert (counts["conv2d"], counts["max_pool2d"], counts["relu"], counts["matmul"]) == (
        2, 2, 4, 3)
    assert g.ids_with_label("conv2d stride=1 pad=0")
    assert g.ids_with_label("max_pool2d kernel=2 stride=2 pad=0")
    conv = g.cluster_named("features.0 (Conv2d)")
    features = g.cluster_named("features (Sequential)")
    assert g.cluster_parent[conv] == features
    assert g.cluster_parent[features] == g.cluster_named("LeNet5")
    assert g.cluster_parent[g.cluster_named("flatten (Flatten)")] == g.cluster_named("LeNet5")
    (weight,) = g.ids_with_label("features.0.weight")
    assert g.home[weight] == conv and g.labels[weight] == "features.0.weight\n(6, 1, 5, 5)"
    (last,) = g.ids_with_label("classifier.4.bias")
    assert g.home[last] == g.cluster_named("classifier.4 (Linear)")
    assert len(g.cluster_labels) == 1 + 2 + 6 + 1 + 5  # model, containers, layers, flatten


def test_vgg16_op_graph_draws_and_renders(tmp_path):
    with skip_init():  # shapes are what is drawn: skip drawing 138 million random weights
        model = models.vgg16()
    for p in model.parameters():
        p.data[...] = 0.0
    x = Tensor(np.zeros((1, 3, 32, 32), dtype=np.float32))
    graph = draw_graph(F.cross_entropy(model(x), Tensor(np.array([3]))))
    counts = _op_counts(parse(graph.source))
    assert (counts["conv2d"], counts["max_pool2d"], counts["relu"], counts["matmul"]) == (
        13, 5, 15, 3)
    assert graph.source.count("subgraph cluster_") == 1 + 3 + 31 + 1 + 7  # + avgpool, flatten
    if shutil.which("dot") is not None:  # test_viz_render.py fails CI without it
        assert "features.28.weight" in render(graph, tmp_path / "vgg16.svg").read_text()
