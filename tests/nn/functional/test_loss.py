"""Losses and (log-)softmax: stability, reductions, targets, gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor
from tinygrad_cnn.testing import gradcheck, gradgradcheck
from tinygrad_cnn.testing.strategies import tensors


def reference_cross_entropy(logits, labels):
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return -logp[np.arange(len(labels)), labels]


@st.composite
def logits_and_labels(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return draw(tensors((n, c))), labels


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(args=logits_and_labels())
def test_cross_entropy_matches_the_formula_and_its_vjp(reduction, args):
    logits, labels = args
    expected = reference_cross_entropy(logits.data, labels)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    np.testing.assert_allclose(F.cross_entropy(logits, labels, reduction=reduction).data, expected)
    gradcheck(lambda t: F.cross_entropy(t, labels, reduction=reduction), [logits])
    gradgradcheck(lambda t: F.cross_entropy(t, labels, reduction=reduction), [logits])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@given(args=logits_and_labels(), data=st.data())
def test_fused_cross_entropy_equals_log_softmax_then_nll(reduction, args, data):
    # (N, C) logits with class indices take the fused primitive; the composition is the spec
    logits, labels = args
    weight = Tensor(data.draw(st.lists(st.floats(0.5, 2.0), min_size=logits.shape[1],
                                       max_size=logits.shape[1]).map(np.array)))
    labels = np.where(data.draw(st.lists(st.booleans(), min_size=len(labels),
                                         max_size=len(labels)).map(np.array)), labels, -100)
    if reduction == "mean" and (labels == -100).all():
        labels[0] = 0
    fused = F.cross_entropy(logits, labels, weight=weight, reduction=reduction)
    composed = F.nll_loss(logits.log_softmax(1), labels, weight=weight, reduction=reduction)
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-12, atol=1e-12)
    gy = Tensor(np.linspace(0.5, 1.5, fused.numel()).reshape(fused.shape))
    from tinygrad_cnn.autograd import grad

    (g_fused,) = grad(fused, [logits], gy)
    (g_composed,) = grad(composed, [logits], gy)
    np.testing.assert_allclose(g_fused.data, g_composed.data, rtol=1e-12, atol=1e-12)
    gradcheck(lambda t: F.cross_entropy(t, labels, weight=weight, reduction=reduction), [logits])
    gradgradcheck(lambda t: F.cross_entropy(t, labels, weight=weight, reduction=reduction),
                  [logits])


def test_one_hot_targets_equal_integer_targets():
    logits = Tensor(np.array([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]]))
    labels = np.array([0, 2])
    one_hot = np.eye(3)[labels]
    np.testing.assert_allclose(
        F.cross_entropy(logits, one_hot).data, F.cross_entropy(logits, labels).data
    )


def test_huge_logits_give_finite_loss_and_gradients():
    logits = Tensor(np.array([[1e4, 0.0, -1e4]], dtype=np.float32), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([2]))
    loss.backward()
    assert np.isfinite(loss.data) and loss.item() == pytest.approx(2e4)
    assert np.isfinite(logits.grad.data).all()
    assert loss.dtype == np.float32


def test_ignore_index_and_class_weights():
    logits = Tensor(np.array([[1.0, 2.0], [0.5, -0.5], [3.0, 0.0]]))
    labels = np.array([1, -100, 0])
    per_sample = reference_cross_entropy(logits.data, np.array([1, 0, 0]))
    got = F.cross_entropy(logits, labels)
    np.testing.assert_allclose(got.data, (per_sample[0] + per_sample[2]) / 2)
    weight = Tensor(np.array([1.0, 3.0]))
    got = F.cross_entropy(logits, np.array([1, 1, 0]), weight=weight)
    per_sample = reference_cross_entropy(logits.data, np.array([1, 1, 0]))
    expected = (3 * per_sample[0] + 3 * per_sample[1] + per_sample[2]) / 7
    np.testing.assert_allclose(got.data, expected)


def test_nll_loss_on_log_probabilities():
    logp = Tensor(np.log(np.array([[0.25, 0.75], [0.5, 0.5]])))
    expected = -(np.log(0.75) + np.log(0.5)) / 2
    np.testing.assert_allclose(F.nll_loss(logp, np.array([1, 0])).data, expected)


def test_mse_loss():
    x = Tensor(np.array([1.0, 2.0, 4.0]), requires_grad=True)
    np.testing.assert_allclose(F.mse_loss(x, np.array([1.0, 0.0, 0.0])).data, 20 / 3)
    gradcheck(lambda t: F.mse_loss(t, np.zeros(3), reduction="sum"), [x])


def test_log_softmax_is_stable_and_normalised():
    x = Tensor(np.array([[1e4, 1e4 + 1.0]], dtype=np.float32))
    y = F.log_softmax(x, dim=1)
    assert np.isfinite(y.data).all()
    np.testing.assert_allclose(np.exp(y.data).sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(F.softmax(x, dim=1).data.sum(), 1.0, rtol=1e-6)


def test_linear_matches_the_formula_and_checks_shapes():
    x = Tensor(np.ones((2, 3)))
    w = Tensor(np.arange(6.0).reshape(2, 3))
    b = Tensor(np.array([1.0, -1.0]))
    np.testing.assert_array_equal(F.linear(x, w, b).data, [[4.0, 11.0], [4.0, 11.0]])
    with pytest.raises(ValueError, match=r"linear: input has 4 features but weight \(2, 3\)"):
        F.linear(Tensor(np.ones((2, 4))), w)


def test_loss_argument_errors():
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="cross_entropy: reduction"):
        F.cross_entropy(logits, np.array([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match=r"cross_entropy: target values must be in \[0, 3\)"):
        F.cross_entropy(logits, np.array([0, 3]))
    with pytest.raises(ValueError, match="cross_entropy: input"):
        F.cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"nll_loss: target values must be in \[0, 3\)"):
        F.nll_loss(logits, np.array([0, 3]))
    with pytest.raises(ValueError, match="mse_loss: input"):
        F.mse_loss(logits, np.zeros(3))


@pytest.mark.parametrize("size", [2, 5])
@pytest.mark.parametrize("target", [np.array([0, 2]), np.eye(3, dtype=np.float32)[[0, 2]]])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_a_class_weight_of_the_wrong_length_is_refused(size, target, smoothing):
    logits = Tensor(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=rf"cross_entropy: weight must hold one value per class, "
                       rf"shape \(3,\), got \({size},\); input \(2, 3\)"):
        F.cross_entropy(logits, target, weight=Tensor(np.ones(size, np.float32)),
                        label_smoothing=smoothing)


def test_nll_loss_checks_the_class_weight_too():
    with pytest.raises(ValueError, match=r"nll_loss: weight must hold one value per class"):
        F.nll_loss(Tensor(np.zeros((2, 3), np.float32)), np.array([0, 1]),
                   weight=Tensor(np.ones(4, np.float32)))
