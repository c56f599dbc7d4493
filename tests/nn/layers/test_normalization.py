"""BatchNorm1d, GroupNorm, LayerNorm, Dropout2d and AdaptiveMaxPool2d: against PyTorch,
against finite differences, and their refusals."""

import numpy as np
import pytest
from torch_parity import assert_matches_torch, torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, eval_shape, manual_seed, nn
from tinygrad_cnn.testing import gradcheck

RNG = np.random.default_rng(0)


def randomize(module):
    """Non-trivial float64 parameters, so parameter gradients are tested in earnest."""
    for p in module.parameters():
        p.data = RNG.uniform(0.5, 1.5, p.shape)
    return module


def input_of(shape):
    return RNG.standard_normal(shape) * 2 + 0.5


# layer name, constructor arguments (ours and PyTorch's), input shape
CASES = {
    "bn1d_2d": ("BatchNorm1d", (3,), {}, (6, 3)),
    "bn1d_3d": ("BatchNorm1d", (3,), {}, (4, 3, 5)),
    "bn1d_cumulative": ("BatchNorm1d", (3,), {"momentum": None}, (4, 3, 5)),
    "bn1d_no_affine": ("BatchNorm1d", (3,), {"affine": False, "eps": 1e-3}, (4, 3)),
    "bn1d_untracked": ("BatchNorm1d", (3,), {"track_running_stats": False}, (4, 3, 2)),
    "bn1d_no_bias": ("BatchNorm1d", (3,), {"bias": False}, (4, 3)),
    "group_norm": ("GroupNorm", (2, 4), {}, (3, 4, 5, 5)),
    "group_norm_instance": ("GroupNorm", (4, 4), {"eps": 1e-3}, (2, 4, 3, 2)),
    "group_norm_layer": ("GroupNorm", (1, 6), {"affine": False}, (2, 6, 3)),
    "group_norm_2d": ("GroupNorm", (3, 6), {}, (5, 6)),
    "group_norm_no_bias": ("GroupNorm", (3, 6), {"bias": False}, (2, 6, 2)),
    "layer_norm_last": ("LayerNorm", (5,), {}, (3, 4, 5)),
    "layer_norm_chw": ("LayerNorm", ((4, 3, 3),), {}, (2, 4, 3, 3)),
    "layer_norm_no_affine": ("LayerNorm", ((3, 5),), {"elementwise_affine": False}, (2, 3, 5)),
    "layer_norm_no_bias": ("LayerNorm", (5,), {"bias": False, "eps": 1e-2}, (4, 5)),
}


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("case", list(CASES))
def test_layer_matches_pytorch(case, train):
    torch = torch_module()
    name, args, options, shape = CASES[case]
    ours = randomize(getattr(nn, name)(*args, **options, dtype=np.float64))
    theirs = getattr(torch.nn, name)(*args, **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if "running_mean" in ours.state_dict() and not train:
        ours.running_mean.data[:] = RNG.standard_normal(3)
        ours.running_var.data[:] = RNG.uniform(0.5, 2, 3)
    ours.train(train)
    theirs.train(train)
    for _ in range(2):  # the second batch sees the running statistics the first one left
        ours.zero_grad()
        theirs.zero_grad()
        assert_matches_torch(ours, theirs, [input_of(shape)])


@pytest.mark.parametrize("case", list(CASES))
def test_layer_vjps_against_finite_differences(case):
    name, args, options, shape = CASES[case]
    layer = randomize(getattr(nn, name)(*args, **options, dtype=np.float64))
    x = Tensor(input_of(shape), requires_grad=True)
    gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])


def test_norms_refuse_bad_inputs_naming_the_layer():
    net = nn.Sequential(nn.BatchNorm1d(3))
    with pytest.raises(ValueError, match=r"^0 \(BatchNorm1d\): batch_norm1d: expected 2-D "
                                         r"input \(N, C\) or 3-D input \(N, C, L\), got "):
        net(Tensor(np.zeros((2, 3, 4, 4))))
    with pytest.raises(ValueError, match=r"expected 3 channels, got input \(2, 4\)"):
        net(Tensor(np.zeros((2, 4))))
    with pytest.raises(ValueError, match=r"^GroupNorm: num_groups=3 must divide num_channels=4"):
        nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=r"^0 \(GroupNorm\): group_norm: expected input "
                                         r"\(N, 4, \*\), got \(2, 6, 3\)"):
        nn.Sequential(nn.GroupNorm(2, 4))(Tensor(np.zeros((2, 6, 3))))
    with pytest.raises(ValueError, match=r"group_norm: num_groups=4 must be a positive int "
                                         r"dividing the 6 channels"):
        F.group_norm(Tensor(np.zeros((2, 6, 3))), 4)
    with pytest.raises(ValueError, match=r"^0 \(LayerNorm\): layer_norm: input \(2, 4, 3\) "
                                         r"must end with normalized_shape \(4,\)"):
        nn.Sequential(nn.LayerNorm(4))(Tensor(np.zeros((2, 4, 3))))
    with pytest.raises(ValueError, match=r"layer_norm: weight must have shape normalized_shape"):
        F.layer_norm(Tensor(np.zeros((2, 3))), 3, weight=Tensor(np.ones(2)))
    with pytest.raises(ValueError, match=r"^LayerNorm: normalized_shape must be a positive int"):
        nn.LayerNorm((3, 0))


def test_group_norm_works_on_a_batch_of_one_where_batch_norm_cannot():
    x = Tensor(input_of((1, 4, 1, 1)))
    y = nn.GroupNorm(1, 4)(x).data
    np.testing.assert_allclose(y.mean(), 0, atol=1e-6)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm2d(4)(x)


# ---- Dropout2d -----------------------------------------------------------------------------------


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    manual_seed(0)
    x = Tensor(np.ones((64, 32, 3, 3)), requires_grad=True)
    y = nn.Dropout2d(0.25)(x)
    per_channel = y.data.reshape(64, 32, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1)).all()
    assert abs((per_channel[..., 0] == 0).mean() - 0.25) < 0.03
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)  # d(m x)/dx = m


def test_dropout2d_on_3d_input_drops_channels_of_n_c_l_and_eval_is_identity():
    manual_seed(1)
    x = Tensor(np.ones((8, 6, 5)))
    y = F.dropout2d(x, 0.5).data
    assert ((y == 0).all(-1) | (y == 2).all(-1)).all()
    layer = nn.Dropout2d(0.5).eval()
    assert layer(x) is x
    assert repr(layer) == "Dropout2d(p=0.5, inplace=False)"


def test_dropout2d_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"^Dropout2d: probability p must be in \[0, 1\]"):
        nn.Dropout2d(1.5)
    with pytest.raises(ValueError, match=r"dropout2d: input must be 4-D \(N, C, H, W\) or 3-D"):
        F.dropout2d(Tensor(np.ones((2, 3))))


# ---- AdaptiveMaxPool2d ---------------------------------------------------------------------------


@pytest.mark.parametrize("output_size", [1, (2, 3), (None, 2), (4, 5)])
def test_adaptive_max_pool_layer_matches_pytorch(output_size):
    torch = torch_module()
    x = RNG.permutation(2 * 3 * 5 * 7).reshape(2, 3, 5, 7) * 0.1  # no ties
    ours, theirs = nn.AdaptiveMaxPool2d(output_size), torch.nn.AdaptiveMaxPool2d(output_size)
    assert repr(ours) == repr(theirs)
    assert_matches_torch(ours, theirs, [x])
    _, indices = nn.AdaptiveMaxPool2d(output_size, return_indices=True)(Tensor(x))
    _, their_indices = torch.nn.AdaptiveMaxPool2d(output_size, return_indices=True)(
        torch.tensor(x))
    np.testing.assert_array_equal(indices.data, their_indices.numpy())


def test_adaptive_max_pool_layer_shape_and_refusal():
    assert eval_shape(nn.AdaptiveMaxPool2d((None, 2)), (1, 3, 5, 7)) == (1, 3, 5, 2)
    with pytest.raises(ValueError, match=r"^AdaptiveMaxPool2d: output_size must be a positive"):
        nn.AdaptiveMaxPool2d(0)


@pytest.mark.parametrize("case", list(CASES))
def test_state_is_float32_by_default(case):
    name, args, options, _ = CASES[case]
    state = getattr(nn, name)(*args, **options).state_dict()
    assert {k: str(v.dtype) for k, v in state.items() if k != "num_batches_tracked"} == {
        k: "float32" for k in state if k != "num_batches_tracked"}


NORMS = {
    "BatchNorm1d": (lambda eps, m: nn.BatchNorm1d(3, eps=eps, momentum=m), (4, 3), True),
    "BatchNorm2d": (lambda eps, m: nn.BatchNorm2d(3, eps=eps, momentum=m), (4, 3, 2, 2), True),
    "GroupNorm": (lambda eps, m: nn.GroupNorm(1, 3, eps=eps), (4, 3, 2, 2), False),
    "LayerNorm": (lambda eps, m: nn.LayerNorm(3, eps=eps), (4, 3), False),
}


@pytest.mark.parametrize(("eps", "error"), [(-1, ValueError), (-1e-8, ValueError),
                                            (float("nan"), ValueError), (float("inf"), ValueError),
                                            ("1e-5", TypeError), (True, TypeError)])
@pytest.mark.parametrize("name", NORMS)
def test_every_norm_refuses_an_eps_that_is_no_variance_floor(name, eps, error):
    # BatchNorm2d(eps=-1) trained and gave NaN outputs; PyTorch refuses it in training
    make, _, positive = NORMS[name]
    need = "a positive" if positive else "a non-negative"
    with pytest.raises(error, match=rf"^{name}: eps must be {need} finite number, got "):
        make(eps, 0.1)


@pytest.mark.parametrize("name", NORMS)
def test_an_eps_of_zero_is_refused_by_batch_norm_alone(name):
    make, shape, positive = NORMS[name]
    if positive:
        with pytest.raises(ValueError, match="eps must be a positive finite number, got 0"):
            make(0, 0.1)
    else:
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        assert np.isfinite(make(0, 0.1)(Tensor(x)).data).all()  # as PyTorch's


@pytest.mark.parametrize(("momentum", "error"), [(-0.1, ValueError), (1.5, ValueError),
                                                 (float("nan"), ValueError), ("0.1", TypeError)])
@pytest.mark.parametrize("name", ["BatchNorm1d", "BatchNorm2d"])
def test_batch_norm_refuses_a_momentum_outside_0_to_1(name, momentum, error):
    with pytest.raises(error, match=rf"^{name}: momentum must be a number from 0 to 1 or "
                                    r"None, got "):
        NORMS[name][0](1e-5, momentum)


@pytest.mark.parametrize(("call", "op"), [
    (lambda x: F.batch_norm(x, None, None, training=True, eps=-1.0), "batch_norm"),
    (lambda x: F.group_norm(x, 1, eps=float("nan")), "group_norm"),
    (lambda x: F.layer_norm(x, (2, 2), eps=-1.0), "layer_norm"),
])
def test_the_functions_check_eps_too(call, op):
    with pytest.raises(ValueError, match=rf"^{op}: eps must be"):
        call(Tensor(np.ones((2, 3, 2, 2), np.float32)))
