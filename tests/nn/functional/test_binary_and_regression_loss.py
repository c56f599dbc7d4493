"""The binary, regression and label-smoothed losses and every loss module: against PyTorch
(forward and input gradient, float64), against finite differences, and their refusals."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_parity import TOL, torch_module

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.testing import gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]
LOGITS = RNG.standard_normal((4, 3)) * 3
PROBABILITIES = RNG.uniform(0.05, 0.95, (4, 3))
SOFT_TARGETS = RNG.uniform(0, 1, (4, 3))
CLASS_WEIGHT = np.array([0.5, 2.0, 1.5])
PREDICTIONS = RNG.standard_normal((4, 3)) * 2


def compare(ours_fn, torch_fn, x, *, target_grad=None):
    """Forward and input gradient (and, when given, the target's) of a loss, ours and theirs."""
    torch = torch_module()
    ours_x = Tensor(x.copy(), requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours_t = Tensor(target_grad.copy(), requires_grad=True) if target_grad is not None else None
    theirs_t = torch.tensor(target_grad, requires_grad=True) if target_grad is not None else None
    y, ty = ours_fn(ours_x, ours_t), torch_fn(theirs_x, theirs_t)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **TOL)
    cotangent = RNG.standard_normal(y.shape)
    y.backward(Tensor(cotangent))
    ty.backward(torch.tensor(cotangent))
    np.testing.assert_allclose(ours_x.grad.data, theirs_x.grad.numpy(), **TOL)
    if target_grad is not None:
        np.testing.assert_allclose(ours_t.grad.data, theirs_t.grad.numpy(), **TOL)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_matches_pytorch(reduction, weighted):
    torch = torch_module()
    w = CLASS_WEIGHT if weighted else None
    compare(lambda x, t: F.binary_cross_entropy(x, SOFT_TARGETS, None if w is None else
                                                Tensor(w), reduction),
            lambda x, t: torch.nn.functional.binary_cross_entropy(
                x, torch.tensor(SOFT_TARGETS), None if w is None else torch.tensor(w),
                reduction=reduction),
            PROBABILITIES)


def test_sigmoid_then_binary_cross_entropy_stays_finite_where_sigmoid_saturates():
    # torch 2.13, float32: F.binary_cross_entropy(torch.sigmoid(x), t), then backward. At
    # logits of +-20 the sigmoid rounds to 1 (or 2e-9): the loss is finite, and so is every
    # gradient (NaN before, from log(0) and 0 / 0).
    x = Tensor(np.float32([20, -20, 20, -20, 0.5, 100, -100]), requires_grad=True)
    t = np.float32([1, 0, 0, 1, 1, 1, 0])
    loss = F.binary_cross_entropy(x.sigmoid(), t)
    loss.backward()
    assert loss.item() == pytest.approx(17.210582733154297, rel=1e-6)
    np.testing.assert_allclose(x.grad.data, [0.0, 2.9445054727794684e-10, 0.0,
                                             -0.1428571492433548, -0.05393437668681145, 0.0,
                                             0.0], rtol=1e-5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_at_probabilities_of_0_and_1_matches_pytorch(reduction):
    torch = torch_module()
    saturated = np.array([[0.0, 1.0, 1e-30], [1.0, 0.0, 1 - 1e-12]])
    targets = np.array([[1.0, 0.0, 0.5], [1.0, 0.0, 0.3]])
    compare(lambda x, t: F.binary_cross_entropy(x, targets, reduction=reduction),
            lambda x, t: torch.nn.functional.binary_cross_entropy(
                x, torch.tensor(targets), reduction=reduction),
            saturated)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_binary_cross_entropy_with_logits_matches_pytorch(reduction, weighted, pos_weighted):
    torch = torch_module()
    w = CLASS_WEIGHT if weighted else None
    pw = np.array([3.0, 0.5, 1.0]) if pos_weighted else None
    logits = np.concatenate([LOGITS, [[0.0, 40.0, -40.0]]])  # a logit of 0, two saturated
    targets = np.concatenate([SOFT_TARGETS, [[1.0, 0.0, 1.0]]])
    compare(lambda x, t: F.binary_cross_entropy_with_logits(
                x, targets, None if w is None else Tensor(w), reduction,
                None if pw is None else Tensor(pw)),
            lambda x, t: torch.nn.functional.binary_cross_entropy_with_logits(
                x, torch.tensor(targets), None if w is None else torch.tensor(w),
                reduction=reduction, pos_weight=None if pw is None else torch.tensor(pw)),
            logits)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "options"), [("l1_loss", {}), ("smooth_l1_loss", {}),
                                               ("smooth_l1_loss", {"beta": 0.5}),
                                               ("smooth_l1_loss", {"beta": 0.0}),
                                               ("huber_loss", {}), ("huber_loss", {"delta": 2.5}),
                                               ("mse_loss", {})])
def test_regression_losses_match_pytorch_in_input_and_target(name, options, reduction):
    torch = torch_module()
    targets = RNG.standard_normal((4, 3))
    compare(lambda x, t: getattr(F, name)(x, t, reduction=reduction, **options),
            lambda x, t: getattr(torch.nn.functional, name)(x, t, reduction=reduction,
                                                            **options),
            PREDICTIONS, target_grad=targets)


# input shape, target kind, options
CROSS_ENTROPY = {
    "plain": ((5, 4), "index", {}),
    "weighted": ((5, 4), "index", {"weight": True}),
    "ignored": ((5, 4), "index", {"weight": True, "ignore_index": 1}),
    "spatial": ((3, 4, 2, 3), "index", {"weight": True, "ignore_index": 2}),
    "probabilities": ((5, 4), "probs", {}),
    "probabilities_weighted": ((3, 4, 2), "probs", {"weight": True}),
}


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.35])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", list(CROSS_ENTROPY))
def test_cross_entropy_with_label_smoothing_matches_pytorch(case, reduction, smoothing):
    torch = torch_module()
    shape, kind, options = CROSS_ENTROPY[case]
    rng = np.random.default_rng(1)
    if kind == "index":
        target = rng.integers(0, shape[1], (shape[0], *shape[2:]))
    else:
        target = rng.dirichlet(np.ones(shape[1]), (shape[0], *shape[2:]))
        target = np.moveaxis(target, -1, 1)
    w = rng.uniform(0.5, 2, shape[1]) if options.get("weight") else None
    ignore = options.get("ignore_index", -100)
    compare(lambda x, t: F.cross_entropy(x, target, None if w is None else Tensor(w), ignore,
                                         reduction, smoothing),
            lambda x, t: torch.nn.functional.cross_entropy(
                x, torch.tensor(target), None if w is None else torch.tensor(w),
                ignore_index=ignore, reduction=reduction, label_smoothing=smoothing),
            rng.standard_normal(shape) * 2)


@st.composite
def loss_inputs(draw):
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    floats = st.floats(-4, 4, allow_nan=False)
    x = np.array(draw(st.lists(floats, min_size=9, max_size=9)))[: np.prod(shape)]
    t = np.array(draw(st.lists(floats, min_size=9, max_size=9)))[: np.prod(shape)]
    gap = np.abs(x - t)  # keep |x - t| off the kinks at 0, 0.5 and 1
    x = np.where(np.min(np.abs(gap[:, None] - [0, 0.5, 1]), 1) < 0.05, x + 0.1, x)
    return Tensor(x.reshape(shape), requires_grad=True), t.reshape(shape)


LOSSES = {
    "bce_logits": lambda x, t: F.binary_cross_entropy_with_logits(
        x, 1 / (1 + np.exp(-t)), pos_weight=Tensor(np.array([2.0]))),
    "bce": lambda x, t: F.binary_cross_entropy(x.sigmoid(), 1 / (1 + np.exp(-t)),
                                               reduction="sum"),
    "l1": lambda x, t: F.l1_loss(x, t),
    "smooth_l1": lambda x, t: F.smooth_l1_loss(x, t, beta=0.5, reduction="none"),
    "huber": lambda x, t: F.huber_loss(x, t, delta=1.0, reduction="sum"),
    "smoothed_cross_entropy": lambda x, t: F.cross_entropy(
        x.reshape(1, -1), np.array([0]), label_smoothing=0.2),
}


@pytest.mark.parametrize("name", list(LOSSES))
@given(args=loss_inputs())
def test_loss_vjps_against_finite_differences(name, args):
    x, t = args
    gradcheck(lambda x: LOSSES[name](x, t), [x])
    gradgradcheck(lambda x: LOSSES[name](x, t), [x])


def test_bce_with_logits_is_finite_where_the_naive_form_overflows():
    x = Tensor(np.array([800.0, -800.0]), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, [0.0, 1.0], reduction="sum")
    loss.backward()
    assert loss.item() == 1600.0 and x.grad.tolist() == [1.0, -1.0]


def test_bce_with_logits_has_the_right_first_and_second_derivatives_at_zero():
    # a zero-initialised head gives logits of exactly 0, where |x| and max(-x, 0) have kinks
    x = Tensor(np.zeros((2, 2)), requires_grad=True)
    targets = np.array([[0.0, 1.0], [0.3, 0.9]])
    loss = lambda t: F.binary_cross_entropy_with_logits(  # noqa: E731
        t, targets, pos_weight=Tensor(np.array([2.0, 0.5])), reduction="sum")
    gradcheck(loss, [x])
    gradgradcheck(loss, [x])


def test_bce_clamps_the_log_at_minus_100_like_pytorch():
    assert F.binary_cross_entropy(Tensor([0.0, 1.0]), [1.0, 0.0], reduction="none").tolist() \
        == [100.0, 100.0]


# ---- the modules ---------------------------------------------------------------------------------

MODULES = [
    ("L1Loss", {"reduction": "sum"}, PREDICTIONS, RNG.standard_normal((4, 3))),
    ("MSELoss", {}, PREDICTIONS, RNG.standard_normal((4, 3))),
    ("SmoothL1Loss", {"beta": 0.3}, PREDICTIONS, RNG.standard_normal((4, 3))),
    ("HuberLoss", {"delta": 0.7, "reduction": "none"}, PREDICTIONS, RNG.standard_normal((4, 3))),
    ("BCELoss", {"weight": CLASS_WEIGHT}, PROBABILITIES, SOFT_TARGETS),
    ("BCEWithLogitsLoss", {"pos_weight": CLASS_WEIGHT}, LOGITS, SOFT_TARGETS),
    ("NLLLoss", {"weight": CLASS_WEIGHT, "ignore_index": 0}, LOGITS, np.array([0, 1, 2, 1])),
    ("CrossEntropyLoss", {"weight": CLASS_WEIGHT, "label_smoothing": 0.1}, LOGITS,
     np.array([0, 1, 2, 1])),
]


@pytest.mark.parametrize(("name", "options", "x", "target"), MODULES, ids=[m[0] for m in MODULES])
def test_loss_modules_match_pytorch_and_keep_weights_as_buffers(name, options, x, target):
    torch = torch_module()
    ours = getattr(nn, name)(**{k: Tensor(v) if isinstance(v, np.ndarray) else v
                                for k, v in options.items()})
    theirs = getattr(torch.nn, name)(**{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                                        for k, v in options.items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare(lambda x, t: ours(x, target), lambda x, t: theirs(x, torch.tensor(target)), x)


def test_losses_refuse_bad_arguments():
    x = Tensor(np.full((2, 3), 0.5))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input values must be "
                                         r"probabilities in \[0, 1\], got"):
        F.binary_cross_entropy(Tensor([1.5]), [1.0])
    with pytest.raises(ValueError, match=r"target \(3,\) must have the input's shape \(2, 3\)"):
        F.binary_cross_entropy_with_logits(x, np.zeros(3))
    with pytest.raises(ValueError, match=r"pos_weight \(2,\) does not broadcast to the input's "
                                         r"shape \(2, 3\)"):
        F.binary_cross_entropy_with_logits(x, np.zeros((2, 3)), pos_weight=Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be at least 0, got -1"):
        F.smooth_l1_loss(x, np.zeros((2, 3)), beta=-1)
    with pytest.raises(ValueError, match="huber_loss: delta must be positive, got 0"):
        F.huber_loss(x, np.zeros((2, 3)), delta=0)
    with pytest.raises(ValueError, match=r"^HuberLoss: reduction must be one of"):
        nn.HuberLoss(reduction="average")
    with pytest.raises(ValueError, match=r"^L1Loss: l1_loss: target \(3,\) must have"):
        nn.L1Loss()(x, np.zeros(3))
