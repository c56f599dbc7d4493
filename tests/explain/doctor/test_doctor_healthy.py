"""Healthy set-ups get a clean bill: LeNet-5 with Adam 1e-3 on the standardised digits,
ResNet-20 with SGD 0.1 and momentum 0.9 (on a small batch, to keep the test quick), and a
small MLP whose weights Adam moves slowly."""

import pytest
from doctor_cases import HEALTHY, adam, lenet, normalised

from tinygrad_cnn.explain import diagnose


@pytest.mark.parametrize("setup", HEALTHY, ids=lambda setup: setup.__name__)
def test_no_warning_and_no_error(setup):
    report = diagnose(**setup())
    assert report.ok, report
    assert report.skipped == {}
    assert report.record.overfit[-1] <= 0.1 * report.record.overfit[0]


@pytest.mark.parametrize("seed", [1, 2])
def test_lenet5_with_adam_at_other_seeds(seed):
    model = lenet()
    x, y = normalised(4000)
    report = diagnose(model, x, y, adam(model), seed=seed)
    assert report.findings == [], report
    assert "looks healthy" in str(report) and report.record.steps == 20

