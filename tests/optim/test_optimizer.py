"""The Optimizer base: param groups, stepping, zero_grad, state_dict round trips, validation."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from allocations import traced
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_parity import torch_module

import tinygrad_cnn
from tinygrad_cnn import Tensor, is_grad_enabled, nn
from tinygrad_cnn.optim import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSprop
from tinygrad_cnn.testing.strategies import float_arrays, shapes

# Every optimiser with options that switch on every state buffer it has.
FULL_OPTIONS = [
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.2}),
    (Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.01, "amsgrad": True}),
    (AdaGrad, {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.1}),
    (RMSprop, {"lr": 0.01, "momentum": 0.9, "centered": True}),
]
IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(FULL_OPTIONS)]


def params(*shapes, dtype=np.float64):
    return [Tensor(np.ones(shape, dtype), requires_grad=True) for shape in shapes]


def set_grads(tensors, step):
    for i, p in enumerate(tensors):
        p.grad = Tensor(np.sin(np.arange(p.numel(), dtype=p.dtype) + 3 * step + i).reshape(p.shape))


# ---- param groups --------------------------------------------------------------------------


def test_a_list_of_tensors_is_one_group_with_the_defaults():
    w, b = params((2, 3), (3,))
    opt = SGD(iter([w, b]), lr=0.5)
    assert len(opt.param_groups) == 1
    group = opt.param_groups[0]
    assert isinstance(group["params"], list)
    assert group["params"][0] is w and group["params"][1] is b
    assert group["lr"] == 0.5 and group["momentum"] == 0


def test_groups_override_the_defaults_per_group():
    w, b = params((2,), (1,))
    opt = SGD([{"params": [w]}, {"params": b, "lr": 1.0, "momentum": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0]
    assert [g["momentum"] for g in opt.param_groups] == [0, 0.5]
    assert opt.param_groups[1]["params"] == [b]  # a lone Tensor becomes a list
    set_grads([w, b], 0)
    gw, gb = w.grad.data.copy(), b.grad.data.copy()
    opt.step()
    np.testing.assert_allclose(w.data, 1 - 0.1 * gw)
    np.testing.assert_allclose(b.data, 1 - 1.0 * gb)


def test_add_param_group_continues_the_positions():
    w, b, c = params((2,), (3,), (4,))
    opt = Adam([w, b], lr=0.1)
    opt.add_param_group({"params": [c], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    set_grads([w, b, c], 0)
    opt.step()
    assert sorted(opt.state) == [0, 1, 2]
    assert opt.state[2]["exp_avg"].shape == (4,)
    assert opt.state_dict()["param_groups"][1]["params"] == [2]


def test_the_user_dict_is_not_changed():
    w = params((2,))[0]
    group = {"params": (p for p in [w]), "lr": 0.3}
    SGD([group])
    assert set(group) == {"params", "lr"}


# ---- step and zero_grad --------------------------------------------------------------------


def test_params_without_grad_are_skipped():
    w, b = params((2,), (3,))
    opt = Adam([w, b], lr=0.1)
    set_grads([w], 0)
    opt.step()
    np.testing.assert_array_equal(b.data, np.ones(3))
    assert list(opt.state) == [0]


def test_step_updates_in_place_and_keeps_the_array():
    w = params((3, 2))[0]
    data = w.data
    opt = Adam([w], lr=0.1)
    set_grads([w], 0)
    opt.step()
    assert w.data is data and not np.all(data == 1)


def test_step_runs_without_recording_ops():
    seen = []

    class Probe(SGD):
        def _update(self, param, grad, state, group):
            seen.append(is_grad_enabled())

    w = params((2,))[0]
    opt = Probe([w], lr=0.1)
    set_grads([w], 0)
    opt.step(lambda: seen.append(is_grad_enabled()))
    assert seen == [True, False]  # the closure records ops; the update does not
    assert is_grad_enabled()


def test_closure_returns_the_loss():
    w = params((2,))[0]
    opt = SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 2.0
    np.testing.assert_allclose(w.data, [0.8, 0.8])


def test_zero_grad():
    w, b = params((2,), (3,))
    opt = SGD([w, b], lr=0.1)
    set_grads([w, b], 0)
    opt.zero_grad()
    assert w.grad is None and b.grad is None
    shared = np.ones(2)
    w.grad = Tensor(shared)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    assert b.grad is None
    np.testing.assert_array_equal(shared, [1.0, 1.0])  # a shared gradient array is left alone


def test_the_gradient_is_never_written():
    w = params((3,))[0]
    grad = np.array([1.0, -2.0, 3.0])
    grad.flags.writeable = False  # any write would raise
    for cls, options in FULL_OPTIONS:
        opt = cls([w], **options, maximize=True)
        w.grad = Tensor(grad)
        opt.step()
        opt.step()


def test_grad_shape_mismatch():
    w = params((2, 3))[0]
    w.grad = Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"SGD: parameter 0 has shape \(2, 3\) but its gradient"):
        SGD([w], lr=0.1).step()


def test_repr():
    opt = SGD(params((2,)), lr=0.1)
    assert repr(opt).splitlines()[:3] == ["SGD (", "Parameter Group 0", "    dampening: 0"]


# ---- dtypes and allocation -------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(shape=shapes(max_dims=3), data=st.data())
@pytest.mark.parametrize(("cls", "options"), FULL_OPTIONS, ids=IDS)
def test_float32_stays_float32(cls, options, shape, data):
    w = Tensor(data.draw(float_arrays(shape, dtype=np.float32)), requires_grad=True)
    opt = cls([w], **options)
    for _ in range(2):
        w.grad = Tensor(data.draw(float_arrays(shape, dtype=np.float32)))
        opt.step()
    assert w.data.dtype == np.float32
    for value in opt.state[0].values():
        assert not isinstance(value, np.ndarray) or value.dtype == np.float32


@pytest.mark.parametrize(("cls", "options"), FULL_OPTIONS, ids=IDS)
def test_steady_steps_reuse_their_buffers(cls, options):
    tensors = params((4, 3), (3,), dtype=np.float32)
    opt = cls(tensors, **options)
    for step in range(2):
        set_grads(tensors, step)
        opt.step()
    buffers = {(i, k): id(v) for i, s in opt.state.items() for k, v in s.items()
               if isinstance(v, np.ndarray)}
    workspace = {k: id(v) for k, v in opt._workspace.items()}
    set_grads(tensors, 2)
    opt.step()
    assert buffers == {(i, k): id(v) for i, s in opt.state.items() for k, v in s.items()
                       if isinstance(v, np.ndarray)}
    assert workspace == {k: id(v) for k, v in opt._workspace.items()}


@pytest.mark.parametrize(("cls", "options"), FULL_OPTIONS, ids=IDS)
def test_a_steady_step_allocates_no_arrays(cls, options):
    tensors = params((256, 256), (256,), dtype=np.float32)  # 257 KiB of parameters
    opt = cls(tensors, **options, maximize=True)
    for step in range(2):
        set_grads(tensors, step)
        opt.step()
    with traced() as memory:
        opt.step()
    assert memory.peak < 16 * 1024  # Python bookkeeping only; one temporary array would be 256 KiB


# ---- state_dict ------------------------------------------------------------------------------


def run(cls, options, tensors, steps, opt=None, start=0):
    opt = opt or cls([{"params": tensors[:1]}, {"params": tensors[1:], "lr": 0.05}], **options)
    for step in range(start, start + steps):
        set_grads(tensors, step)
        opt.step()
    return opt


@pytest.mark.parametrize(("cls", "options"), FULL_OPTIONS, ids=IDS)
def test_state_dict_round_trip_continues_the_run(cls, options):
    straight = params((3, 2), (2,), (4,))
    run(cls, options, straight, 6)

    first = params((3, 2), (2,), (4,))
    saved = run(cls, options, first, 3).state_dict()
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    fresh = cls([{"params": resumed[:1]}, {"params": resumed[1:]}], **options)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[1]["lr"] == 0.05  # options come from the snapshot
    run(cls, options, resumed, 3, opt=fresh, start=3)
    for a, b in zip(straight, resumed, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_state_dict_layout_and_snapshot():
    w, b = params((2,), (3,))
    opt = Adam([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    set_grads([b], 0)
    opt.step()
    saved = opt.state_dict()
    assert list(saved) == ["state", "param_groups"]
    assert list(saved["state"]) == [1]
    assert sorted(saved["state"][1]) == ["exp_avg", "exp_avg_sq", "step"]
    assert saved["state"][1]["step"] == 1
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1]]
    assert saved["param_groups"][1] == {"lr": 0.5, "betas": (0.9, 0.999), "eps": 1e-8,
                                        "weight_decay": 0, "amsgrad": False, "maximize": False,
                                        "params": [1]}
    before = saved["state"][1]["exp_avg"].copy()
    opt.step()
    np.testing.assert_array_equal(saved["state"][1]["exp_avg"], before)  # a copy, not a view


def test_loaded_state_is_copied_and_cast_to_the_param_dtype():
    w = params((2,), dtype=np.float32)[0]
    opt = Adam([w])
    exp_avg = np.array([0.1, 0.2])
    opt.load_state_dict({"state": {0: {"step": np.array(2.0), "exp_avg": exp_avg,
                                       "exp_avg_sq": np.zeros(2)}},
                         "param_groups": [{"lr": np.float64(0.5), "betas": np.array([0.8, 0.9]),
                                           "params": np.array([0])}]})
    state = opt.state[0]
    assert state["step"] == 2 and isinstance(state["step"], int)
    assert state["exp_avg"].dtype == np.float32 and state["exp_avg"] is not exp_avg
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["betas"] == (0.8, 0.9)
    assert opt.param_groups[0]["params"] == [w]


def test_checkpoint_round_trip_through_npz(tmp_path):
    straight = params((3, 2), (2,), (4,))
    run(Adam, {"amsgrad": True}, straight, 6)
    first = params((3, 2), (2,), (4,))
    tinygrad_cnn.save(run(Adam, {"amsgrad": True}, first, 3).state_dict(), tmp_path / "opt.npz")
    resumed = [Tensor(p.data.copy(), requires_grad=True) for p in first]
    fresh = Adam([{"params": resumed[:1]}, {"params": resumed[1:]}], amsgrad=True)
    fresh.load_state_dict(tinygrad_cnn.load(tmp_path / "opt.npz"))
    run(Adam, {}, resumed, 3, opt=fresh, start=3)
    for a, b in zip(straight, resumed, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def saved_adam():
    w, b = params((2,), (3,))
    opt = Adam([{"params": [w]}, {"params": [b]}])
    set_grads([w, b], 0)
    opt.step()
    return opt.state_dict()


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda sd: sd["param_groups"].pop(), r"state_dict has 1 param groups but the optimizer"
                                              r" has 2"),
        (lambda sd: sd["param_groups"][1]["params"].append(2),
         r"param group 1 has 2 params in state_dict but 1 in the optimizer"),
        (lambda sd: sd["state"][1].update(exp_avg=np.zeros(4)),
         r"state 'exp_avg' of parameter 1 has shape \(4,\) but the parameter has shape \(3,\)"),
        (lambda sd: sd["state"][0].update(momentum_buffer=np.zeros(2)),
         r"unknown state 'momentum_buffer' for parameter 0; Adam keeps step, exp_avg"),
        (lambda sd: sd["state"][0].pop("exp_avg_sq"), r"state of parameter 0 lacks exp_avg_sq"),
        (lambda sd: sd["state"].update({7: {}}), r"state for parameter 7, which no param group"),
        (lambda sd: sd.pop("state"), r"expected a dict with 'state' and 'param_groups'"),
        (lambda sd: sd["param_groups"][0].update(lr=-1.0), r"Adam: invalid lr=-1\.0"),
        (lambda sd: (sd["param_groups"][0].update(params=[-1]), sd["state"].update({-1: {}})),
         r"param group 0 lists parameter index -1; indices must be distinct and >= 0"),
        (lambda sd: sd["param_groups"][1].update(params=[0]),
         r"param group 1 lists parameter index 0; indices must be distinct and >= 0"),
    ],
)
def test_load_state_dict_refuses_mismatches_and_changes_nothing(change, pattern):
    w, b = params((2,), (3,))
    opt = Adam([{"params": [w]}, {"params": [b]}], lr=0.25)
    before = opt.state_dict()
    bad = saved_adam()
    change(bad)
    with pytest.raises(ValueError, match=pattern):
        opt.load_state_dict(bad)
    assert opt.state_dict() == before


# ---- validation of the parameters ------------------------------------------------------------


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, AdaGrad, RMSprop])
def test_empty_parameter_list(cls):
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: got an empty parameter list"):
        cls([])


@pytest.mark.parametrize("cls", [SGD, Adam, AdamW, AdaGrad, RMSprop])
def test_unknown_keyword_option(cls):
    with pytest.raises(TypeError, match=rf"^{cls.__name__}\.__init__\(\) got an unexpected "
                                        r"keyword argument 'bogus'"):
        cls(params((2,)), bogus=1)
    with pytest.raises(TypeError):  # what PyTorch users catch
        cls(params((2,)), foreach=True)


def test_unknown_option_in_a_group():
    with pytest.raises(ValueError, match=r"^Adam: unknown option 'momentum' in param group 1"):
        Adam([{"params": params((2,))}, {"params": params((2,)), "momentum": 0.9}])


def test_frozen_parameters_are_accepted_and_skipped_as_in_pytorch():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model[0].requires_grad_(False)  # fine-tuning: a frozen backbone
    frozen = model[0].weight.numpy().copy()
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(Tensor(np.ones((3, 2), np.float32))).sum().backward()
    opt.step()
    np.testing.assert_array_equal(model[0].weight.numpy(), frozen)
    assert model[0].weight.grad is None and model[1].weight.grad is not None
    assert list(opt.state) == [2, 3]  # only the trained ones have state, by their positions


def test_fine_tuning_a_frozen_backbone_matches_pytorch():
    torch = torch_module()
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2)).double()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    for model in (ours, theirs):
        model[0].requires_grad_(False)
    opt, topt = SGD(ours.parameters(), 0.1, 0.9), torch.optim.SGD(theirs.parameters(), 0.1, 0.9)
    x = np.random.default_rng(0).standard_normal((5, 3))
    for _ in range(3):
        opt.zero_grad(), topt.zero_grad()
        ours(Tensor(x)).pow(2).sum().backward()
        theirs(torch.tensor(x)).pow(2).sum().backward()
        opt.step(), topt.step()
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, err_msg=name)


def test_a_parameter_that_is_an_op_s_result_is_refused():
    w = params((2,))[0]
    with pytest.raises(ValueError, match=r"^SGD: parameter 1 of param group 0 \(shape \(2,\)\) "
                                         r"is not a leaf tensor"):
        SGD([w, w * 2])


def test_parameter_twice():
    w, b = params((2,), (3,))
    with pytest.raises(ValueError, match=r"^SGD: parameter 2 of param group 0 .* appears twice"):
        SGD([w, b, w])
    opt = SGD([w])
    with pytest.raises(ValueError, match=r"^SGD: parameter 0 of param group 1 .* appears twice"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize(
    ("given_params", "error", "pattern"),
    [
        (Tensor(np.ones(2), requires_grad=True), TypeError, r"got a Tensor; wrap it in a list"),
        ({Tensor(np.ones(2), requires_grad=True)}, TypeError, r"got a set"),
        ([np.ones(2)], TypeError, r"parameter 0 of param group 0 is a ndarray, not a Tensor"),
        ([{"lr": 0.1}], ValueError, r"param group 0 has no 'params' entry"),
        ([{"params": {Tensor(np.ones(2), requires_grad=True)}}], TypeError, r"are a set"),
    ],
)
def test_malformed_params(given_params, error, pattern):
    with pytest.raises(error, match=rf"^SGD: .*{pattern}"):
        SGD(given_params)


def test_base_needs_an_update_rule():
    opt = Optimizer(params((2,)), {"lr": 0.1})
    opt.param_groups[0]["params"][0].grad = Tensor(np.ones(2))
    with pytest.raises(NotImplementedError):
        opt.step()


@pytest.mark.parametrize(
    "module",
    ["optimizer", "sgd", "adam", "adagrad", "rmsprop", "lr_scheduler.base", "lr_scheduler.decay",
     "lr_scheduler.one_cycle"],
)
def test_docstring_examples(module):
    imported = __import__(f"tinygrad_cnn.optim.{module}", fromlist=["_"])
    result = doctest.testmod(imported, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize(("make", "name"), [
    (lambda p: SGD(p, lr=float("inf")), "lr"),
    (lambda p: AdaGrad(p, lr=float("inf")), "lr"),
    (lambda p: Adam(p, weight_decay=float("inf")), "weight_decay"),
    (lambda p: SGD(p, lr=0.1, momentum=float("inf")), "momentum"),
])
def test_an_infinite_option_is_refused(make, name):
    # an infinite rate made every weight infinite at the first step, without a word
    with pytest.raises(ValueError, match=rf"invalid {name}=inf; must be >= 0 and finite"):
        make([Tensor(np.ones(3), requires_grad=True)])
