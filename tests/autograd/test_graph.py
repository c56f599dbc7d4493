"""The one walk of the recorded graph: its order, its key, who reads what, and module labels."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.autograd import graph, module_scope, scope_label

# A random graph: each step applies one op to two tensors drawn from all the earlier ones
# (leaves and results), so nodes are shared, read twice, or never read.
STEPS = st.lists(st.tuples(st.sampled_from(["add", "mul", "sub"]), st.integers(0, 99),
                           st.integers(0, 99)), min_size=1, max_size=12)


def build(steps, leaves=3):
    tensors = [Tensor(np.full(2, i + 1.0), requires_grad=i % 2 == 0) for i in range(leaves)]
    for name, i, j in steps:
        a, b = tensors[i % len(tensors)], tensors[j % len(tensors)]
        tensors.append({"add": a + b, "mul": a * b, "sub": a - b}[name])
    return tensors


def recursive_post_order(outputs, leaves):
    """The order as the textbook recursion writes it: a tensor after its inputs, in order."""
    order, met = [], {}

    def visit(t):
        if graph.key(t) in met or (t.grad_fn is None and not leaves):
            return
        met[graph.key(t)] = True
        for inp in t.grad_fn.inputs if t.grad_fn is not None else ():
            visit(inp)
        order.append(t)

    for t in outputs:
        visit(t)
    return order


@given(steps=STEPS, leaves=st.booleans(), outputs=st.integers(1, 3))
def test_post_order_is_the_depth_first_order_with_inputs_in_order(steps, leaves, outputs):
    tensors = build(steps)
    roots = tensors[-outputs:]
    order = graph.post_order(roots, leaves=leaves)
    assert [id(t) for t in order] == [id(t) for t in recursive_post_order(roots, leaves)]
    place = {graph.key(t): i for i, t in enumerate(order)}
    assert len(place) == len(order)  # each tensor once
    for i, t in enumerate(order):
        assert (t.grad_fn is not None) or leaves
        for inp in t.grad_fn.inputs if t.grad_fn is not None else ():
            assert place.get(graph.key(inp), -1) < i


@given(steps=STEPS)
def test_readers_lists_each_reading_node_once_in_order(steps):
    order = graph.post_order(build(steps)[-1:], leaves=True)
    expected = {}
    for t in order:
        for inp in t.grad_fn.inputs if t.grad_fn is not None else ():
            nodes = expected.setdefault(graph.key(inp), [])
            if t.grad_fn not in nodes:
                nodes.append(t.grad_fn)
    assert graph.readers(order) == expected


def test_a_node_read_twice_has_one_reader():
    x = Tensor([2.0], requires_grad=True)
    y = x * x
    assert graph.readers(graph.post_order([y], leaves=True)) == {graph.key(x): [y.grad_fn]}


def test_leaves_are_placed_only_when_asked():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0])
    y = a * b
    assert graph.post_order([y]) == [y]
    assert graph.post_order([y], leaves=True) == [a, b, y]
    assert graph.post_order([a]) == []


def test_a_rewrapped_result_has_its_nodes_key_and_the_first_tensor_met_stays():
    x = Tensor([1.0], requires_grad=True)
    y = x.exp()
    (again,) = y.grad_fn.saved_tensors  # exp saves its output, handed back as a new Tensor
    assert again is not y and graph.key(again) == graph.key(y) != graph.key(x)
    z = y + again
    assert graph.post_order([z]) == [y, z]


def test_a_five_thousand_op_chain_needs_no_recursion():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5_000):
        y = y + 1.0
    order = graph.post_order([y], leaves=True)
    assert len(order) == 1 + 2 * 5_000  # x, then each constant and each sum
    assert order[0] is x and order[-1] is y


def test_scope_labels_name_the_innermost_module_under_the_outermost():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    assert scope_label((net,)) == "Sequential"
    assert scope_label((net, net[0])) == "0 (Conv2d)"
    with module_scope(net), module_scope(net[1]):
        node = (Tensor([1.0], requires_grad=True) * 2).grad_fn
    assert scope_label(node.scope) == "1 (ReLU)"



@given(steps=STEPS)
def test_every_tensor_is_placed_once_under_its_key(steps):
    tensors = build(steps)
    order = graph.post_order(tensors, leaves=True)
    assert sorted(graph.key(t) for t in order) == sorted({graph.key(t): 0 for t in tensors})
