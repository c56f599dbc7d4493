"""Shape-only runs: every primitive's shape rule against a real run (its forward and the ops of
its backward), eval_shape on functions and any model, and the refusal of value-dependent steps."""

import numpy as np
import pytest
from define_by_run import CASES, real_inputs
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, cat, eval_shape, models, nn
from tinygrad_cnn.autograd import Function, ShapeDtype, abstract, grad
from tinygrad_cnn.autograd.abstract import shapes_of
from tinygrad_cnn.testing.strategies import (
    adaptive_pool2d_args,
    avg_pool2d_args,
    batch_norm_args,
    broadcastable_shapes,
    conv1d_args,
    conv2d_args,
    conv_transpose2d_args,
    float_arrays,
    group_norm_args,
    layer_norm_args,
    pool1d_args,
    pool2d_args,
)


def _nodes(*tensors):
    """(node, the tensor it made) for every node behind `tensors`, each once."""
    seen, stack, found = set(), list(tensors), []
    while stack:
        t = stack.pop()
        if t.grad_fn is None or id(t.grad_fn) in seen:
            continue
        seen.add(id(t.grad_fn))
        found.append((t.grad_fn, t))
        stack.extend(t.grad_fn.inputs)
    return found


def _check_rules(fn, tensors):
    """Run fn, then its backward with create_graph so the VJPs' ops are recorded too, and
    compare each recorded op's shape rule with what it really made."""
    y = fn(*tensors)
    gy = Tensor(np.ones(y.shape, dtype=y.dtype))
    grads = grad(y, list(tensors), gy, create_graph=True, allow_unused=True)
    nodes = _nodes(y, *[g for g in grads if g is not None])
    assert nodes
    for node, made in nodes:
        specs = [ShapeDtype(t.shape, t.dtype) for t in node.inputs]
        assert node.op.abstract_eval(*specs, **node.attrs) == (made.shape, made.dtype), node
    assert eval_shape(fn, *tensors) == y.shape


@pytest.mark.parametrize("strategy", [conv2d_args, conv1d_args, conv_transpose2d_args,
                                      pool2d_args, pool1d_args, avg_pool2d_args])
@given(data=st.data())
def test_window_ops_rules_agree_with_a_real_run(strategy, data):
    args = data.draw(strategy())
    op = {conv2d_args: F.conv2d, conv1d_args: F.conv1d, conv_transpose2d_args:
          F.conv_transpose2d, pool2d_args: F.max_pool2d, pool1d_args: F.max_pool1d,
          avg_pool2d_args: F.avg_pool2d}[strategy]
    _check_rules(lambda *t: op(*t, **args.kwargs), args.tensors)


@given(args=adaptive_pool2d_args())
def test_adaptive_pools_rules_agree_with_a_real_run(args):
    for op in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d):
        _check_rules(lambda x, op=op: op(x, **args.kwargs), args.tensors)


def test_max_pooling_with_indices_gives_both_shapes():
    assert eval_shape(lambda x: F.max_pool2d(x, 2, return_indices=True), (1, 1, 4, 4)) == (
        (1, 1, 2, 2), (1, 1, 2, 2))
    assert eval_shape(lambda x: F.max_pool1d(x, 3, 2, 1, return_indices=True), (2, 3, 7)) == (
        (2, 3, 4), (2, 3, 4))
    assert eval_shape(nn.AdaptiveMaxPool2d((2, 3), return_indices=True), (1, 2, 5, 5)) == (
        (1, 2, 2, 3), (1, 2, 2, 3))
    values, indices = abstract.run(lambda x: F.max_pool2d(x, 2, return_indices=True),
                                   (ShapeDtype((1, 1, 4, 4), np.dtype(np.float64)),))
    assert (values.dtype, indices.dtype) == (np.float64, np.int64)


@given(data=st.data())
def test_max_pooling_with_indices_rules_agree_with_a_real_run(data):
    strategy, op = data.draw(st.sampled_from([(pool2d_args, F.max_pool2d),
                                              (pool1d_args, F.max_pool1d),
                                              (adaptive_pool2d_args, F.adaptive_max_pool2d)]))
    args = data.draw(strategy())

    def fn(x):
        return op(x, **args.kwargs, return_indices=True)

    y, indices = fn(*args.tensors)
    assert eval_shape(fn, *args.tensors) == (y.shape, indices.shape)
    assert indices.dtype == np.int64


ELEMENTWISE = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (b * b + 1),
    lambda a, b: (a * a + 1) ** b, lambda a, b: a.maximum(b), lambda a, b: a.minimum(b),
    lambda a, b: a.where(b > 0, b),
]


@pytest.mark.parametrize("fn", ELEMENTWISE)
@given(shapes=broadcastable_shapes(), data=st.data())
def test_elementwise_rules_agree_with_a_real_run(fn, shapes, data):
    a, b = (Tensor(data.draw(float_arrays(s)), requires_grad=True) for s in shapes)
    _check_rules(fn, [a, b])


UNARY = [
    lambda x: -x, lambda x: (x * x + 1).log(), lambda x: x.exp(), lambda x: (x * x + 1).sqrt(),
    lambda x: x.abs(), lambda x: x.relu(), lambda x: x.sigmoid(), lambda x: x.tanh(),
    lambda x: x.clip(-0.5, 0.5), lambda x: x.to(np.float32), lambda x: x.sum(0),
    lambda x: x.amax(-1, keepdim=True), lambda x: x.softmax(-1), lambda x: x.log_softmax(0),
    lambda x: x.reshape(-1), lambda x: x.T, lambda x: x[0], lambda x: x[..., [0, 0]],
    lambda x: x.pad((1, 2)), lambda x: cat([x, x], dim=-1), lambda x: x.expand(2, *x.shape),
    lambda x: x @ x.mT,
]


@pytest.mark.parametrize("fn", UNARY)
@given(x=float_arrays(st.tuples(st.integers(1, 3), st.integers(1, 4))))
def test_other_rules_agree_with_a_real_run(fn, x):
    _check_rules(fn, [Tensor(x, requires_grad=True)])


def test_the_fused_cross_entropy_rule():
    logits = Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    _check_rules(lambda x: F.cross_entropy(x, np.array([0, 2, 1, 1])), [logits])
    assert eval_shape(lambda x: F.cross_entropy(x, np.arange(4) % 3, reduction="none"),
                      (4, 3)) == (4,)


@pytest.mark.parametrize("strategy", [batch_norm_args, layer_norm_args, group_norm_args])
@given(data=st.data())
def test_normalisation_rules_agree_with_a_real_run(strategy, data):
    args = data.draw(strategy())
    op = {batch_norm_args: lambda x, w, b, **kw: F.batch_norm(x, None, None, w, b, **kw),
          layer_norm_args: lambda x, w, b, **kw: F.layer_norm(x, weight=w, bias=b, **kw),
          group_norm_args: lambda x, w, b, **kw: F.group_norm(x, weight=w, bias=b, **kw),
          }[strategy]
    _check_rules(lambda *t: op(*t, **args.kwargs), args.tensors)


# ---- eval_shape on any function or model ---------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_eval_shape_of_any_model_is_a_real_forwards(name):
    make, shapes = CASES[name]
    model = make()
    assert eval_shape(model, *shapes) == shapes_of(model(*real_inputs(shapes)))


def test_inputs_may_be_shapes_specs_tensors_or_structures():
    def fn(pair, *, scale):
        a, b = pair
        return {"sum": a + b * scale, "both": (a, b.mean(0))}

    out = eval_shape(fn, [(2, 3), ShapeDtype((3,), np.dtype(np.float64))], scale=Tensor(2.0))
    assert out == {"sum": (2, 3), "both": ((2, 3), ())}
    assert eval_shape(lambda x: x.max(1), np.zeros((2, 5))) == ((2,), (2,))


def test_nothing_is_computed_or_changed():
    model = models.vgg16()
    before = model.features[0].weight.data.copy()
    assert eval_shape(model, (64, 3, 224, 224)) == (64, 1000)  # 64 images: 1 TFLOP for real
    assert np.array_equal(model.features[0].weight.data, before)
    bn = nn.BatchNorm2d(3)
    assert eval_shape(nn.Sequential(bn, nn.Dropout(0.5)), (2, 3, 4, 4)) == (2, 3, 4, 4)
    assert int(bn.num_batches_tracked.data) == 0 and bn.running_mean.data.sum() == 0


@pytest.mark.parametrize(("fn", "step"), [
    (lambda x: x * 2 if x.sum().item() > 0 else x, r"\.item\(\)"),
    (lambda x: x * 2 if x.sum() > 0 else x, r"bool\(\)"),
    (lambda x: x[x > 0], r"an index tensor"),
    (lambda x: Tensor(x.numpy() * 2), r"\.numpy\(\)"),
    (lambda x: x.data.sum(), r"\.data"),
])
def test_value_dependent_steps_are_refused_naming_the_step(fn, step):
    with pytest.raises(ValueError, match=rf"^eval_shape: {step} reads the values of a tensor"):
        eval_shape(fn, (3, 4))


def test_inside_a_module_the_refusal_names_the_module():
    class Gate(nn.Module):
        def forward(self, x):
            return x if x.mean().item() > 0 else -x

    with pytest.raises(ValueError, match=r"^0 \(Gate\): eval_shape: \.item\(\)"):
        eval_shape(nn.Sequential(Gate()), (2, 2))


def test_a_primitive_without_a_shape_rule_is_named():
    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    assert Twice.apply(Tensor([1.0])).tolist() == [2.0]
    with pytest.raises(NotImplementedError, match=r"^twice has no shape rule"):
        eval_shape(Twice.apply, (3,))


def test_shape_errors_are_the_real_runs():
    with pytest.raises(ValueError, match=r"^conv2d: input has 2 channels"):
        eval_shape(lambda x: F.conv2d(x, Tensor(np.zeros((1, 1, 3, 3), np.float32))),
                   (1, 2, 5, 5))
