"""Module, Parameter and Sequential: registration, names, walks, modes, state and repr."""

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor, eval_shape, manual_seed, nn
from tinygrad_cnn.autograd import Context


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm2d(3)
        self.scale = nn.Parameter(np.ones(1, dtype=np.float32))
        self.register_buffer("steps", Tensor(np.zeros(1)))
        self.label = "plain attribute"

    def forward(self, x):
        return self.fc(x) * self.scale


def make_net():
    return nn.Sequential(Block(), nn.ReLU(), nn.Linear(3, 2))


def test_setattr_files_parameters_modules_and_buffers_in_order():
    block = Block()
    assert list(block._parameters) == ["scale"]
    assert list(block._modules) == ["fc", "bn"]
    assert list(block._buffers) == ["steps"]
    assert block.label == "plain attribute" and "label" not in block._parameters
    assert isinstance(block.scale, nn.Parameter) and block.scale.requires_grad


def test_dotted_names_as_pytorch():
    net = make_net()
    assert [n for n, _ in net.named_parameters()] == [
        "0.scale", "0.fc.weight", "0.fc.bias", "0.bn.weight", "0.bn.bias", "2.weight", "2.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == [
        "0.steps", "0.bn.running_mean", "0.bn.running_var", "0.bn.num_batches_tracked",
    ]
    assert [n for n, _ in net.named_modules()] == ["", "0", "0.fc", "0.bn", "1", "2"]
    assert [n for n, _ in net.named_children()] == ["0", "1", "2"]
    assert len(list(net.children())) == 3 and len(list(net.modules())) == 6
    assert len(list(net.parameters(recurse=False))) == 0


def test_state_dict_order_and_names_are_pytorchs():
    keys = list(make_net().state_dict())
    assert keys == [
        "0.scale", "0.steps", "0.fc.weight", "0.fc.bias", "0.bn.weight", "0.bn.bias",
        "0.bn.running_mean", "0.bn.running_var", "0.bn.num_batches_tracked", "2.weight", "2.bias",
    ]


def test_shared_parameters_are_listed_once():
    fc = nn.Linear(2, 2)
    net = nn.Sequential(fc, fc)
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert net.num_parameters() == 6


def test_num_parameters_and_trainable_only():
    net = make_net()
    assert net.num_parameters() == 1 + 15 + 6 + 8
    net[2].weight.requires_grad = False
    assert net.num_parameters(trainable_only=True) == 1 + 15 + 6 + 2
    net.requires_grad_(False)
    assert net.num_parameters(trainable_only=True) == 0


def test_train_eval_set_flag_recursively():
    net = make_net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net[0].train(False)
    assert net.training and not net[0].fc.training and net[1].training


def test_zero_grad_forgets_every_gradient():
    net = make_net()
    out = net(Tensor(np.ones((2, 4), dtype=np.float32)))
    out.sum().backward()
    assert all(p.grad is not None for n, p in net.named_parameters() if ".bn." not in n)
    net.zero_grad(set_to_none=False)
    assert all(p.grad is None or not p.grad.data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_records_ops_under_the_module_scope():
    net = make_net()
    x = Tensor(np.ones((2, 4), dtype=np.float32), requires_grad=True)
    out = net(x)
    node: Context = out.grad_fn
    assert node.scope[0] is net and node.scope[-1] is net[2]


def test_wrong_input_shape_names_the_layer_by_dotted_name():
    net = nn.Sequential(nn.Sequential(nn.Linear(4, 3)), nn.Linear(3, 2))
    with pytest.raises(ValueError, match=r"^0\.0 \(Linear\): linear: .*expects 4; input \(2, 5\)"):
        net(Tensor(np.ones((2, 5), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"^Linear: linear: input has 5 features"):
        nn.Linear(4, 3)(Tensor(np.ones((2, 5), dtype=np.float32)))


def test_sequential_indexing_slicing_len_iter_and_dict():
    a, b, c = nn.ReLU(), nn.Tanh(), nn.Sigmoid()
    seq = nn.Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c and len(seq) == 3 and list(seq) == [a, b, c]
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail._modules) == ["1", "2"]
    with pytest.raises(IndexError):
        seq[3]
    named = nn.Sequential({"conv": a, "act": b})
    assert [n for n, _ in named.named_children()] == ["conv", "act"] and named.act is b
    assert seq.append(nn.Identity()) is seq and len(seq) == 4
    with pytest.raises(TypeError, match="argument 1 must be a Module"):
        nn.Sequential(a, 3)


def test_assignment_errors_are_clear():
    class NoInit(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super"):
        NoInit()
    fc = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="is a parameter"):
        fc.weight = np.zeros((2, 2))
    fc.bias = None
    assert [n for n, _ in fc.named_parameters()] == ["weight"]
    del fc.weight
    assert not list(fc.parameters())
    with pytest.raises(AttributeError):
        _ = fc.weight


def test_state_dict_round_trip_copies_in_place():
    manual_seed(0)
    src, dst = make_net(), make_net()
    param = dst[2].weight
    result = dst.load_state_dict(src.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert dst[2].weight is param  # same object: an optimiser holding it keeps working
    for (k, v), (k2, v2) in zip(src.state_dict().items(), dst.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(v, v2)


def test_load_state_dict_reports_every_bad_key_in_one_error():
    net = make_net()
    state = dict(net.state_dict())
    del state["2.bias"]
    state["3.weight"] = np.zeros(2)
    state["0.fc.weight"] = np.zeros((4, 3))
    with pytest.raises(ValueError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    assert "missing keys: 2.bias" in message
    assert "unexpected keys: 3.weight" in message
    assert "mis-shaped keys: 0.fc.weight (expected (3, 4), got (4, 3))" in message


def test_load_state_dict_non_strict_returns_the_differences():
    net = make_net()
    state = {k: v.clone() for k, v in net.state_dict().items() if k != "2.bias"}
    state["extra"] = np.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == ["extra"]
    bad = {"2.weight": np.zeros((9, 9))}
    with pytest.raises(ValueError, match=r"mis-shaped keys: 2\.weight"):
        net.load_state_dict(bad, strict=False)


def test_load_state_dict_accepts_tensors_and_casts():
    fc = nn.Linear(2, 1)
    fc.load_state_dict({"weight": Tensor([[1.0, 2.0]]), "bias": np.array([3], dtype=np.int64)})
    assert fc.weight.dtype == np.float32 and fc.weight.tolist() == [[1.0, 2.0]]
    assert fc.bias.tolist() == [3.0]


def test_non_persistent_buffers_stay_out_of_state_dict():
    module = nn.Module()
    module.register_buffer("cache", np.zeros(2), persistent=False)
    module.register_buffer("kept", np.zeros(2))
    assert list(module.state_dict()) == ["kept"]
    assert [n for n, _ in module.named_buffers()] == ["cache", "kept"]


def test_repr_is_pytorch_like():
    net = nn.Sequential(nn.Linear(4, 3, bias=False), nn.Sequential(nn.ReLU(), nn.Dropout(0.1)))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=False)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Dropout(p=0.1, inplace=False)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Parameter(np.zeros(1, dtype=np.float32))).startswith("Parameter containing:")


def test_parameter_wraps_arrays_and_tensors():
    data = np.arange(3, dtype=np.float32)
    p = nn.Parameter(data)
    assert p.data is data and p.requires_grad
    assert nn.Parameter(Tensor([1.0]), requires_grad=False).requires_grad is False
    assert nn.Parameter().shape == (0,)
    assert type(p * 2) is Tensor  # ops on parameters give plain tensors


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)


def test_shape_inference_of_a_chain_and_its_refusal():
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Flatten(0))
    assert eval_shape(net, (5, 4)) == (15,)
    with pytest.raises(ValueError, match=r"^0 \(Linear\): linear: input has 3 features"):
        eval_shape(net, (5, 3))
    assert eval_shape(Block(), (2, 4)) == (2, 3)  # any forward, not only chains


@pytest.mark.parametrize("bad, typed", [
    (np.full((2, 3), 1 + 2j, np.complex64), "complex64 into float32"),
    (np.full((2, 3), "0.5"), "<U3 into float32"),
])
def test_load_state_dict_checks_every_entry_before_writing_any(bad, typed):
    net = make_net()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    state = {k: v + 1 for k, v in before.items()}
    state["2.weight"] = bad  # the last key: every other entry would be written before it
    with pytest.raises(ValueError, match=rf"mis-typed keys: 2\.weight \({typed}\)"):
        net.load_state_dict(state)
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[key])  # nothing written


def test_an_error_located_at_its_module_keeps_its_class():
    from tinygrad_cnn.autograd.abstract import NeedsValuesError

    class Picky(nn.Module):
        def forward(self, x):
            raise NeedsValuesError("needs values")

    net = nn.Sequential(nn.Flatten(), Picky())
    with pytest.raises(NeedsValuesError, match=r"^1 \(Picky\): needs values$"):
        net(Tensor(np.ones((1, 2))))


def test_state_dict_values_are_detached_tensors_sharing_memory_as_pytorch():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    state = net.state_dict()
    weight = state["0.weight"]
    assert isinstance(weight, Tensor) and not weight.requires_grad and weight.is_leaf
    assert np.shares_memory(weight.numpy(), net[0].weight.numpy())
    weight.zero_()  # writes through, as into a PyTorch state_dict
    assert not net[0].weight.numpy().any()
    assert state["1.num_batches_tracked"].dtype == np.int64


@pytest.mark.parametrize("convert", [lambda v: v, np.asarray, lambda v: v.clone(),
                                     lambda v: torch_module().tensor(np.asarray(v)),
                                     lambda v: torch_module().nn.Parameter(
                                         torch_module().tensor(np.asarray(v, np.float32)))
                                     if np.asarray(v).dtype.kind == "f" else
                                     torch_module().tensor(np.asarray(v))])
def test_load_state_dict_takes_tensors_arrays_and_pytorch_tensors(convert):
    source, target = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)), nn.Sequential(
        nn.Linear(2, 3), nn.BatchNorm1d(3))
    target.load_state_dict({k: convert(v) for k, v in source.state_dict().items()})
    for (k, a), b in zip(source.state_dict().items(), target.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_a_pytorch_model_s_state_dict_loads_as_is():
    torch = torch_module()
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    ours = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((2, 1, 5, 5)).astype(np.float32)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_to_double_and_float_convert_in_place_as_pytorch():
    torch = torch_module()
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = net[0].weight
    opt_params = list(net.parameters())
    assert net.to(tg_float64()) is net and net.double() is net and net.cpu() is net
    assert weight is net[0].weight and opt_params == list(net.parameters())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3)).double()
    assert {k: str(v.dtype) for k, v in net.state_dict().items()} == {
        k: str(v.dtype).removeprefix("torch.") for k, v in theirs.state_dict().items()}
    assert net.to("cpu", np.float32).float() is net and weight.dtype == np.float32
    with pytest.raises(ValueError, match=r"Sequential\.to: device 'cuda' is not available"):
        net.to("cuda")
    with pytest.raises(ValueError, match=r"Sequential\.cuda: device 'cuda' is not available"):
        net.cuda()
    with pytest.raises(TypeError, match=r"Sequential\.to: the dtype must be floating point"):
        net.to(np.int64)


@pytest.mark.parametrize("make", [
    lambda m, **kw: m.Linear(2, 3, **kw), lambda m, **kw: m.Conv2d(1, 2, 3, **kw),
    lambda m, **kw: m.ConvTranspose2d(1, 2, 3, **kw), lambda m, **kw: m.BatchNorm2d(2, **kw),
    lambda m, **kw: m.LayerNorm(4, **kw), lambda m, **kw: m.GroupNorm(2, 4, **kw),
    lambda m, **kw: m.Conv1d(1, 2, 3, **kw), lambda m, **kw: m.BatchNorm1d(2, **kw),
])
def test_layers_take_device_and_dtype_and_print_as_pytorch(make):
    torch = torch_module()
    ours = make(nn, device="cpu", dtype=np.float64)
    theirs = make(torch.nn, device="cpu", dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert all(p.dtype == np.float64 for p in ours.parameters())
    with pytest.raises(ValueError, match="device 'cuda' is not available"):
        make(nn, device="cuda")


def tg_float64():
    import tinygrad_cnn as tg
    return tg.float64
