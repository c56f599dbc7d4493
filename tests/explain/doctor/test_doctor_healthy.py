"""Healthy set-ups get a clean bill: LeNet-5 with Adam 1e-3 on the normalised digits, and
ResNet-20 with SGD 0.1 and momentum 0.9 (on a small batch, to keep the test quick)."""

import pytest
from doctor_cases import adam, lenet, normalised

from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.explain import diagnose


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lenet5_with_adam_on_normalised_digits(seed):
    model = lenet()
    x, y = normalised(4000)
    report = diagnose(model, x, y, adam(model), seed=seed)
    assert report.ok, report
    assert report.findings == [] and report.skipped == {}
    assert "looks healthy" in str(report)
    assert report.record.steps == 20


def test_resnet20_with_sgd_and_momentum():
    manual_seed(0)
    model = models.resnet20(in_channels=1)
    x, y = normalised(256)
    sgd = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    report = diagnose(model, x, y, sgd, batch_size=8, steps=3, overfit_steps=20)
    assert report.ok, report
    assert report.skipped == {}
    assert len(report.record.layers) == 22  # the stem, 18 block convs, 2 projections, fc
