"""Trial: deep copies of a model and its optimiser that train without touching the user's."""

import numpy as np
import pytest

from tinygrad_cnn import nn, optim
from tinygrad_cnn.explain.doctor.trial import DEFAULT_LR, Trial, describe_optimizer
from tinygrad_cnn.nn import functional as F

X = np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32)
Y = np.array([0, 1, 2, 0, 1, 2, 0, 1])


def tied():
    """Two layers sharing one weight, as tied embeddings do."""
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4))
    model[2].weight = model[0].weight
    return model


def test_shared_weights_stay_shared_and_the_optimiser_follows_its_copies():
    model = tied()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    trial = Trial("test", model, optimizer, F.cross_entropy)
    copied = trial.model
    assert copied[2].weight is copied[0].weight and copied[0].weight is not model[0].weight
    assert [id(p) for p in trial.optimizer.param_groups[0]["params"]] == \
        [id(p) for p in copied.parameters()]
    before = model[0].weight.data.copy()
    trial.step(X, Y)
    assert not np.array_equal(copied[0].weight.data, before)
    np.testing.assert_array_equal(model[0].weight.data, before)


def test_the_optimisers_state_is_copied():
    model = nn.Linear(4, 3)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    F.cross_entropy(model(X), Y).backward()
    optimizer.step()
    trial = Trial("test", model, optimizer, F.cross_entropy)
    theirs, ours = optimizer.state_dict()["state"], trial.optimizer.state_dict()["state"]
    np.testing.assert_array_equal(ours[0]["momentum_buffer"], theirs[0]["momentum_buffer"])
    trial.set_lr(5.0)
    assert optimizer.param_groups[0]["lr"] == 0.1


def test_without_an_optimiser_adam_trains_the_copy():
    trial = Trial("test", nn.Linear(4, 3), None, F.cross_entropy)
    assert type(trial.optimizer).__name__ == "Adam"
    assert trial.optimizer.param_groups[0]["lr"] == DEFAULT_LR
    assert describe_optimizer(None).startswith("Adam(lr=0.001)")
    momentum = optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, momentum=0.9)
    assert describe_optimizer(momentum) == "SGD(lr=0.1, momentum=0.9)"


def test_a_loss_that_is_not_finite_takes_no_step():
    model = nn.Linear(4, 3)
    trial = Trial("test", model, None, lambda s, t: s.sum() * float("nan"))
    before = trial.model.weight.data.copy()
    assert np.isnan(trial.step(X, Y))
    np.testing.assert_array_equal(trial.model.weight.data, before)


def test_bad_models_are_refused():
    with pytest.raises(TypeError, match="test: model must be a Module, got function"):
        Trial("test", lambda x: x, None, F.cross_entropy)
    frozen = nn.Linear(4, 3).requires_grad_(False)
    with pytest.raises(ValueError, match="no parameter of the model requires grad"):
        Trial("test", frozen, None, F.cross_entropy)
