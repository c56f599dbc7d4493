"""diagnose's arguments, the inputs it accepts, and what it skips when a check makes the rest
pointless."""

import inspect

import numpy as np
import pytest
from doctor_cases import lenet, normalised

from tinygrad_cnn import Tensor, nn
from tinygrad_cnn.explain import diagnose


def small():
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 3))


X = np.random.default_rng(0).standard_normal((40, 1, 4, 4)).astype(np.float32)
Y = np.arange(40) % 3


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=X.astype(np.uint8)), "X must hold floating-point values, got dtype uint8"),
    (dict(X=X[0, 0]), r"X has 4 samples but y has 40"),
    (dict(X=X[:0], y=Y[:0]), r"at least one; got shape \(0, 1, 4, 4\)"),
    (dict(y=Y[:5]), "X has 40 samples but y has 5"),
    (dict(batch_size=0), "diagnose: batch_size must be a positive int, got 0"),
    (dict(seed=-1), "diagnose: seed must be a non-negative int, got -1"),
    (dict(loss="hinge"), "diagnose: loss must be one of"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = dict(model=small(), X=X, y=Y) | kwargs
    with pytest.raises(ValueError, match=message):
        diagnose(**arguments)


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps=2.5), "diagnose: steps must be a positive int, got 2.5"),
    (dict(overfit_steps=True), "diagnose: overfit_steps must be a positive int, got True"),
])
def test_counts_that_are_not_ints_are_refused(kwargs, message):
    with pytest.raises(TypeError, match=message):
        diagnose(small(), X, Y, **kwargs)


def test_a_model_that_does_not_score_classes_is_refused():
    images = nn.Sequential(nn.Conv2d(1, 2, 3))
    with pytest.raises(ValueError, match=r"class scores \(N, classes\); for inputs \(2, 1, 4, 4\) "
                       r"it returns \(2, 2, 2, 2\)"):
        diagnose(images, X, Y)
    with pytest.raises(TypeError, match="model must be a Module"):
        diagnose(lambda x: x, X, Y)


def test_tensors_and_one_hot_labels_are_accepted():
    report = diagnose(small(), Tensor(X), Tensor(np.eye(3)[Y]), steps=2, overfit_steps=5)
    assert "label-range" not in report.codes and report.record.steps == 2


def test_without_a_finite_sample_nothing_else_is_checked():
    report = diagnose(small(), np.full_like(X, np.nan), Y)
    assert report.codes == ["nonfinite-input"]
    assert set(report.skipped) == {"unnormalized-input", "label-range", "class-imbalance",
                                   "outputs-not-probabilities", "softmax-before-loss",
                                   "nonfinite-loss", "loss-at-init", "dead-units",
                                   "saturated-units", "vanishing-gradients",
                                   "exploding-gradients", "update-ratio", "diverges",
                                   "cannot-overfit"}
    assert report.record is None


def test_the_record_follows_every_layer_and_activation_step_by_step():
    model = lenet()
    x, y = normalised(256)
    record = diagnose(model, x, y, steps=4, batch_size=32).record
    assert list(record.layers) == ["features.0", "features.3", "classifier.0", "classifier.2",
                                   "classifier.4"]
    assert list(record.units) == ["features.1", "features.4", "classifier.1", "classifier.3"]
    assert len(record.losses) == record.steps == 4
    for layer in record.layers.values():
        assert len(layer.samples) == len(layer.gradient_norms) == len(layer.update_ratios) == 4
        assert all(sample.shape == (2048,) for sample in layer.samples)
    assert all(units.kind == "relu" and len(units.stuck) == 4 for units in record.units.values())
    assert all(sample.min() >= 0 for units in record.units.values() for sample in units.samples)


def test_the_signature_is_the_contracts():
    """DESIGN.md: diagnose(model, X, y, optimizer=None, loss="cross_entropy", batch_size=64,
    seed=0); the counts of the trial run come after, by keyword only."""
    parameters = inspect.signature(diagnose).parameters
    assert [(p.name, p.default) for p in list(parameters.values())[3:7]] == [
        ("optimizer", None), ("loss", "cross_entropy"), ("batch_size", 64), ("seed", 0)]
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
               for name in ("steps", "overfit_steps"))
