"""lr_find: Smith's range test on copies, its stop on divergence, and its suggestion."""

import inspect

import numpy as np
import pytest
from untouched import assert_same, snapshot

from tinygrad_cnn import Tensor, manual_seed, models, nn, optim, randn
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.nn import functional as F
from tinygrad_cnn.train import LRFinderResult, lr_find


def digits(n=2048):
    (x, y), _ = load_mnist()
    return ((x[:n] - 0.1307) / 0.3081).astype(np.float32), y[:n]


def lenet():
    manual_seed(0)
    return models.lenet5()


def test_lenet5_with_adam_gets_a_rate_near_the_usual_one():
    model = lenet()
    x, y = digits()
    result = lr_find(model, optim.Adam(model.parameters()), x, y, batch_size=32)
    assert isinstance(result, LRFinderResult)
    assert len(result.lrs) == len(result.losses) <= 100
    ratio = result.lrs[1:] / result.lrs[:-1]
    np.testing.assert_allclose(ratio, (10 / 1e-7) ** (1 / 99))
    assert result.lrs[0] == pytest.approx(1e-7)
    best = int(np.argmin(result.losses))
    assert result.suggestion == pytest.approx(result.lrs[best] / 10)
    assert 1e-4 < result.suggestion < 3e-2  # Adam's usual 1e-3, give or take a decade


def test_the_test_stops_once_the_loss_diverges():
    model = lenet()
    x, y = digits(512)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    result = lr_find(model, sgd, x, y, start_lr=1e-3, end_lr=1e4, steps=60, batch_size=32)
    assert len(result.lrs) < 60
    last = result.losses[-1]
    assert not np.isfinite(last) or last > 4 * np.nanmin(result.losses[:-1])


def test_the_model_optimiser_and_generator_are_as_they_were():
    model = lenet()
    x, y = digits(256)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    F.cross_entropy(model(Tensor(x[:32])), y[:32]).backward()
    optimizer.step()
    before = snapshot(model, optimizer)
    manual_seed(5)
    expected = randn(2).data
    manual_seed(5)
    lr_find(model, optimizer, x, y, steps=20, batch_size=32)
    np.testing.assert_array_equal(randn(2).data, expected)
    assert_same(before, snapshot(model, optimizer))


def test_no_suggestion_when_the_loss_never_falls():
    model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))
    x, y = digits(16)
    result = lr_find(model, optim.SGD(model.parameters(), lr=1.0), x, y, start_lr=1e-12,
                     end_lr=1e-11, steps=5, batch_size=16)
    assert len(result.lrs) == 5 and result.suggestion is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(start_lr=0.0), r"0 < start_lr < end_lr"),
    (dict(start_lr=1.0, end_lr=0.1), r"start_lr=1.0, end_lr=0.1"),
    (dict(end_lr=float("inf")), "finite"),
    (dict(steps=1), "steps must be at least 2, the two ends of the range; got 1"),
    (dict(batch_size=0), "lr_find: batch_size must be a positive int, got 0"),
    (dict(X=np.zeros((3, 4), np.int64)), "X must hold floating-point values"),
    (dict(loss="hinge"), "lr_find: loss must be one of"),
])
def test_bad_arguments_are_refused(kwargs, message):
    model = nn.Linear(4, 3)
    arguments = dict(model=model, optimizer=optim.SGD(model.parameters(), lr=0.1),
                     X=np.zeros((3, 4), np.float32), y=np.zeros(3, np.int64)) | kwargs
    with pytest.raises(ValueError, match=message):
        lr_find(**arguments)


def test_the_signature_is_the_contracts():
    """DESIGN.md: lr_find(model, optimizer, X, y, start_lr=1e-7, end_lr=10, steps=100); the
    loss, batch size and seed come after, by keyword only."""
    parameters = list(inspect.signature(lr_find).parameters.values())
    assert [(p.name, p.default) for p in parameters[4:7]] == [
        ("start_lr", 1e-7), ("end_lr", 10), ("steps", 100)]
    assert [p.name for p in parameters[:4]] == ["model", "optimizer", "X", "y"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[7:])
