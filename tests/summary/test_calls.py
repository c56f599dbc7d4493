"""The module-call recorder (`summary/calls.py`): what one shape-only run of a model records, for
nested modules, a module called twice, residual adds, several inputs, tuple and dict outputs,
shared modules and parameters; and the hooks it leaves uncalled."""

import numpy as np
import pytest
from define_by_run import DictOut, ResNetLike, Twice, TwoInputs

from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.summary.calls import record


def _calls(recorder):
    return {call.name: call for call in recorder.calls}


def test_nested_calls_in_the_order_they_started_each_op_in_the_innermost():
    recorder = record(ResNetLike(), (2, 1, 8, 8), "test")
    names = [call.name for call in recorder.calls]
    assert names[:7] == ["", "stem", "blocks.0", "blocks.0.conv1", "blocks.0.bn1",
                         "blocks.0.conv2", "blocks.0.bn2"]
    assert names[-2:] == ["pool", "fc"]
    root = recorder.calls[0]
    assert (root.module, root.depth, root.parent) == (recorder.model, 0, None)
    assert [child.name for child in root.children] == ["stem", "blocks.0", "blocks.1", "pool",
                                                       "fc"]
    for call in recorder.calls[1:]:
        assert call in call.parent.children and call.depth == call.parent.depth + 1
    for op in recorder.ops:  # an op belongs to the module whose forward ran it, innermost
        assert op in op.call.ops and op.ctx.scope[-1] is op.call.module
    assert sum(len(call.ops) for call in recorder.calls) == len(recorder.ops)
    for call in recorder.calls:
        assert call.own_macs == sum(op.macs for op in call.ops)
        assert call.total_macs == call.own_macs + sum(c.total_macs for c in call.children)
    assert root.total_macs == sum(op.macs for op in recorder.ops) > 0


def test_a_residual_add_is_the_blocks_own_op_on_its_input_and_the_branch():
    calls = _calls(record(ResNetLike(), (2, 1, 8, 8), "test"))
    block, branch_end = calls["blocks.0"], calls["blocks.0.bn2"]
    adds = [op for op in block.ops if op.ctx.name == "add"]
    assert len(adds) == 1
    assert adds[0].ctx.inputs[0] is block.inputs[0]
    assert adds[0].ctx.inputs[1] is branch_end.output
    assert block.output is block.ops[-1].output  # the ReLU after the add
    assert calls["blocks.1"].inputs[0] is block.output


def test_a_module_called_twice_has_two_calls_each_with_its_own_input_and_output():
    recorder = record(Twice(), (3, 6), "test")
    calls = _calls(recorder)
    first, second = calls["fc"], calls["fc (call 2)"]
    assert [call.name for call in recorder.calls] == ["", "fc", "fc (call 2)", "out"]
    assert first.module is second.module and first.depth == second.depth == 1
    assert first.inputs[0] is recorder.inputs[0]
    relu = recorder.calls[0].ops[0]  # run between the calls, by the model's own forward
    assert relu.ctx.inputs[0] is first.output and second.inputs[0] is relu.output
    assert first.total_macs == second.total_macs == 3 * 6 * 6


def test_several_inputs_each_reach_the_call_that_takes_them():
    recorder = record(TwoInputs(), [(2, 1, 8, 8), (2, 5)], "test")
    calls = _calls(recorder)
    image, meta = recorder.inputs
    assert (image.shape, meta.shape) == ((2, 1, 8, 8), (2, 5))
    assert recorder.calls[0].inputs == (image, meta)
    assert calls["image"].inputs[0] is image and calls["meta"].inputs[0] is meta
    assert calls["image.0"].field == ((3, 3), (1.0, 1.0)) and calls["meta"].field is None


class Pair(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        y = self.fc(x)
        return y, y.relu()


def test_tuple_and_dict_outputs_are_recorded_as_returned():
    pair = record(Pair(), (3, 4), "test")
    out = pair.calls[0].output
    assert isinstance(out, tuple) and [t.shape for t in out] == [(3, 2), (3, 2)]
    assert out[0] is _calls(pair)["fc"].output and pair.output is out
    assert pair.calls[0].field is None
    named = record(DictOut(), (5, 4), "test")
    out = named.calls[0].output
    assert out is named.output and {k: t.shape for k, t in out.items()} == {"cls": (5, 3),
                                                                              "box": (5, 4)}
    calls = _calls(named)
    assert out["cls"] is calls["cls"].output and out["box"] is calls["box"].output


_FLATTEN = nn.Flatten()  # used, never registered: named by its type under its caller


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc(_FLATTEN(x))


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Linear(6, 6, bias=False)
        self.right = nn.Linear(6, 6, bias=False)
        self.right.weight = self.left.weight  # tied: one parameter, two layers
        self.again = self.left  # one module under two names
        self.head = Head()

    def forward(self, x):
        x = self.right(self.left(_FLATTEN(x)))
        return self.head(self.again(x).relu() @ self.left.weight)


def test_shared_modules_and_parameters_and_an_unregistered_module():
    recorder = record(Shared(), (2, 6), "test")
    model = recorder.model
    assert [call.name for call in recorder.calls] == [
        "", "flatten", "left", "right", "left (call 2)", "head", "head.flatten (call 2)",
        "head.fc"]
    calls = _calls(recorder)
    assert calls["left (call 2)"].module is model.again is model.left
    assert calls["flatten"].module is calls["head.flatten (call 2)"].module is _FLATTEN

    def reads(call, tensor):
        return any(t is tensor for op in call.ops for t in op.ctx.inputs)

    weight = model.left.weight
    assert model.right.weight is weight
    assert reads(calls["left"], weight) and reads(calls["right"], weight)
    assert reads(calls[""], weight)  # the model's own product with it


class Hooked(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        return self.fc(x)


def test_no_hook_runs_in_a_shape_only_run_and_every_hook_stays():
    model, called = Hooked(), []
    for module in (model, model.fc):
        module.register_forward_pre_hook(lambda m, args: called.append("pre") or (args[0] * 2,))
        module.register_forward_hook(lambda m, args, out: called.append("post") or out[:1])
        module.register_full_backward_hook(lambda m, gin, gout: called.append("back"))
    recorder = record(model, (4, 3), "test")
    assert called == []
    assert recorder.output.shape == (4, 3)  # no hook replaced an input or output
    assert [call.name for call in recorder.calls] == ["", "fc"]
    model(Tensor(np.zeros((4, 3), np.float32), requires_grad=True)).sum().backward()
    assert sorted(set(called)) == ["back", "post", "pre"]  # they are still registered


def test_one_shape_or_a_list_of_shapes():
    assert [t.shape for t in record(nn.Linear(3, 2), [4, 3], "test").inputs] == [(4, 3)]
    several = record(TwoInputs(), [[2, 1, 8, 8], (2, 5)], "test")
    assert [t.shape for t in several.inputs] == [(2, 1, 8, 8), (2, 5)]
    with pytest.raises(ValueError, match=r"^test: input_shape must be a shape or a list of "
                                         r"shapes, got 'abc'"):
        record(nn.Linear(3, 2), "abc", "test")
