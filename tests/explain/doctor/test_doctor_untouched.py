"""diagnose trains copies: the user's model, optimiser, gradients, modes and random generator
are bit for bit as they were."""

import numpy as np
from doctor_cases import lenet, normalised
from untouched import assert_same, snapshot

from tinygrad_cnn import Tensor, optim, randn
from tinygrad_cnn.explain import diagnose
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.random import manual_seed


def used_model_and_optimizer():
    """A LeNet-5 after one SGD step with momentum (so the optimiser has state), with gradients
    left in .grad and its classifier in eval mode."""
    model = lenet()
    x, y = normalised(64)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    F.cross_entropy(model(Tensor(x)), y).backward()
    optimizer.step()
    model.classifier.eval()
    return model, optimizer


def test_the_model_and_optimiser_are_untouched():
    model, optimizer = used_model_and_optimizer()
    before = snapshot(model, optimizer)
    x, y = normalised()
    report = diagnose(model, x, y, optimizer, steps=5)
    assert report.record.steps == 5
    assert_same(before, snapshot(model, optimizer))


def test_a_diverging_diagnosis_leaves_them_untouched_too():
    model, optimizer = used_model_and_optimizer()
    optimizer.param_groups[0]["lr"] = 50.0
    before = snapshot(model, optimizer)
    x, y = normalised()
    assert "diverges" in diagnose(model, x, y, optimizer, steps=5).codes
    assert_same(before, snapshot(model, optimizer))


def test_the_random_generator_continues_as_without_the_diagnosis():
    model, optimizer = used_model_and_optimizer()
    x, y = normalised(128)
    manual_seed(7)
    expected = randn(3).data
    manual_seed(7)
    diagnose(model, x, y, optimizer, steps=2, overfit_steps=2)
    np.testing.assert_array_equal(randn(3).data, expected)


def test_the_same_seed_gives_the_same_report():
    model, optimizer = used_model_and_optimizer()
    x, y = normalised(128)
    first = diagnose(model, x, y, optimizer, steps=3, seed=3)
    again = diagnose(model, x, y, optimizer, steps=3, seed=3)
    assert str(first) == str(again)
    assert first.record.losses == again.record.losses
