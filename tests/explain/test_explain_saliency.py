"""saliency: the input gradient of a class score, max over channels; SmoothGrad its mean."""

import importlib

import numpy as np
import pytest
from explain_models import F64, images, small_cnn

from tinygrad_cnn import Tensor, manual_seed, nn, random
from tinygrad_cnn.autograd import no_grad
from tinygrad_cnn.explain import saliency
from tinygrad_cnn.nn import functional as F


def test_a_linear_model_has_its_weight_row_as_gradient():
    # score_t = W[t] . x + b[t], so d score_t / dx = W[t], reshaped to the image
    model = nn.Sequential(nn.Flatten(), nn.Linear(2 * 3 * 3, 4, dtype=F64))
    x = images(n=3, size=3)
    target = np.array([0, 3, 1])
    rows = model[1].weight.data[target].reshape(3, 2, 3, 3)
    np.testing.assert_array_equal(saliency(model, x, target=target), np.abs(rows).max(axis=1))


def test_a_conv_model_matches_the_chain_rule_by_hand():
    # score = sum_k W[t, k] * mean_ij relu(conv(x))[k, i, j] + b: the gradient reaching the
    # conv output is W[t, k] / (h w) where the ReLU is open, and a conv's input gradient is
    # the transposed conv of its output gradient with the same weights
    manual_seed(0)
    conv = nn.Conv2d(2, 4, 3, padding=1, dtype=F64)
    model = nn.Sequential(conv, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(4, 3, dtype=F64))
    x = images()
    with no_grad():
        pre = conv(Tensor(x)).data
        logits = model(Tensor(x)).data
    target = logits.argmax(axis=1)
    w = model[4].weight.data[target]  # (N, 4)
    g_out = (pre > 0) * w[:, :, None, None] / (8 * 8)
    g_in = F.conv_transpose2d(Tensor(g_out), conv.weight, padding=1).data
    np.testing.assert_allclose(saliency(model, x), np.abs(g_in).max(axis=1), rtol=1e-12)


def test_target_none_is_the_predicted_class_and_an_int_is_for_every_image():
    model, x = small_cnn(), images()
    with no_grad():
        predicted = model(Tensor(x)).data.argmax(axis=1)
    np.testing.assert_array_equal(saliency(model, x), saliency(model, x, target=predicted))
    np.testing.assert_array_equal(saliency(model, x, target=2),
                                  saliency(model, x, target=np.full(4, 2)))


def test_smoothgrad_is_the_mean_map_over_seeded_noisy_copies():
    model, x = small_cnn(), images(n=3)
    manual_seed(7)
    smooth = saliency(model, x, samples=5, noise=0.2)
    manual_seed(7)
    draws = random.generator().standard_normal((5, *x.shape))
    spread = 0.2 * (x.max(axis=(1, 2, 3)) - x.min(axis=(1, 2, 3)))[:, None, None, None]
    with no_grad():
        clean_class = model(Tensor(x)).data.argmax(axis=1)
    by_hand = np.mean([saliency(model, x + spread * d, target=clean_class) for d in draws],
                      axis=0)
    np.testing.assert_allclose(smooth, by_hand, rtol=1e-12)


def test_smoothgrad_without_noise_is_the_plain_map():
    model, x = small_cnn(), images()
    np.testing.assert_allclose(saliency(model, x, samples=3, noise=0.0), saliency(model, x),
                               rtol=1e-12)


@pytest.mark.parametrize("samples, noise, error, message", [
    (0, 0.1, ValueError, r"samples must be a positive int, got 0 \(or None"),
    (2.5, 0.1, TypeError, r"samples must be a positive int, got 2.5 \(or None"),
    (2, -0.1, ValueError, "noise must be a finite number >= 0"),
    (2, float("nan"), ValueError, "noise must be a finite number >= 0"),
])
def test_bad_smoothing_arguments_are_refused(samples, noise, error, message):
    with pytest.raises(error, match=message):
        saliency(small_cnn(), images(), samples=samples, noise=noise)


def test_smoothgrad_runs_its_copies_a_pass_at_a_time(monkeypatch):
    # samples=10**6 built one batch of a million copies (a MemoryError); the copies now go a
    # pass of PASS_IMAGES images at a time, drawing the same noise
    module = importlib.import_module("tinygrad_cnn.explain.saliency")  # not the function
    model, x = small_cnn(), images(n=3)
    manual_seed(7)
    at_once = saliency(model, x, samples=5, noise=0.2)
    monkeypatch.setattr(module, "PASS_IMAGES", 6)  # two copies of the three images a pass
    batches = []
    model.register_forward_hook(lambda m, args, out: batches.append(len(args[0])))
    manual_seed(7)
    in_passes = saliency(model, x, samples=5, noise=0.2)
    assert batches == [3, 6, 6, 3]  # the clean pass, then 2 + 2 + 1 copies
    np.testing.assert_allclose(in_passes, at_once, rtol=1e-12)
