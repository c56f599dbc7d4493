"""Units that pass no gradient: dead ReLUs and saturated sigmoids and tanhs, named by module."""

import math

import numpy as np
import pytest

from tinygrad_cnn import Tensor, manual_seed, models
from tinygrad_cnn.explain.doctor import thresholds, units
from tinygrad_cnn.explain.doctor.graph import recorded_ops
from tinygrad_cnn.explain.doctor.record import Record, Units
from tinygrad_cnn.nn import functional as F


def test_the_saturation_edges_are_where_the_slope_is_five_percent_of_its_peak():
    s = 1 / (1 + math.exp(-thresholds.SIGMOID_EDGE))
    assert s * (1 - s) == pytest.approx(thresholds.SATURATED_SLOPE * 0.25, rel=1e-9)
    slope = 1 - math.tanh(thresholds.TANH_EDGE) ** 2
    assert slope == pytest.approx(thresholds.SATURATED_SLOPE, rel=1e-9)


def test_a_relu_unit_is_a_channel_dead_when_positive_nowhere():
    x = np.full((4, 3, 2, 2), -1.0)
    x[2, 0, 1, 1] = 0.5  # channel 0 fires once; channels 1 and 2 never
    assert units.stuck("relu", x) == 2 / 3
    assert units.stuck("relu", x[:, :, 0, 0]) == 1.0  # features of (N, F)


def test_saturated_values_are_counted_beyond_the_edges():
    x = np.array([0.0, 1.0, 4.0, -5.0, 10.0])
    assert units.stuck("sigmoid", x) == 2 / 5
    assert units.stuck("tanh", x) == 3 / 5


def test_samples_are_the_activations_output():
    x = np.linspace(-3, 3, 50)
    sample = units.sample("sigmoid", x, np.random.default_rng(0))
    assert sample.shape == (thresholds.SAMPLE,) and sample.dtype == np.float32
    assert sample.min() > 0 and sample.max() < 1


def test_activations_are_named_by_module_and_a_second_call_is_numbered():
    manual_seed(0)
    model = models.resnet20(in_channels=1)
    loss = F.cross_entropy(model(Tensor(np.zeros((2, 1, 8, 8), np.float32))), np.array([0, 1]))
    names = [name for name, _ in units.activations(recorded_ops(loss))]
    assert names[:3] == ["relu", "layer1.0.relu", "layer1.0.relu#2"]
    assert len(names) == 19  # the stem's and two per block


def record(*stuck, kind="relu"):
    return Record(losses=[1.0] * len(stuck[0]),
                  units={f"layer{i}": Units(kind, stuck=list(s)) for i, s in enumerate(stuck)})


def test_dead_at_the_start_is_a_warning_and_all_dead_an_error():
    (warning,) = units.check(record([0.6, 0.6], [0.0, 0.1]), batch=64)
    assert warning.severity == "warning" and "layer0: 60% of its units" in warning.evidence
    (error,) = units.check(record([1.0, 1.0]), batch=64)
    assert error.severity == "error" and "every unit of layer0 is dead" in error.title


def test_units_that_all_die_during_the_steps_blame_the_learning_rate():
    (error,) = units.check(record([0.1, 0.7, 1.0], [0.0, 0.6, 0.6]), batch=64)
    assert "layer0: all its units after" in error.evidence and "learning rate" in error.advice
    assert units.check(record([0.1, 0.6]), batch=64) == []  # some die as a model learns


def test_saturation_is_a_warning_past_half():
    (warning,) = units.check(record([0.2, 0.9], kind="tanh"), batch=64)
    assert warning.code == "saturated-units" and "layer0 (tanh): 90%" in warning.evidence
    assert units.check(record([0.4, 0.5], kind="sigmoid"), batch=64) == []
