"""Snapshots of a model and its optimiser, to check that a tool which trains on the side (the
doctor, the learning-rate finder) left them bit for bit as they were."""

import numpy as np


def snapshot(model, optimizer):
    """Copies of everything of the user's that a tool training on the side could change."""
    return {
        "weights": {k: v.numpy().copy() for k, v in model.state_dict().items()},
        "grads": {k: p.grad.data.copy() for k, p in model.named_parameters()},
        "versions": {k: p._version for k, p in model.named_parameters()},
        "modes": [m.training for m in model.modules()],
        "optimizer": optimizer.state_dict(),
        "lr": [group["lr"] for group in optimizer.param_groups],
    }


def assert_same(before, after):
    for key in ("weights", "grads"):
        assert before[key].keys() == after[key].keys()
        for name in before[key]:
            assert before[key][name].tobytes() == after[key][name].tobytes(), (key, name)
    assert before["versions"] == after["versions"]
    assert before["modes"] == after["modes"]
    assert before["lr"] == after["lr"]
    state, later = before["optimizer"], after["optimizer"]
    assert state["param_groups"] == later["param_groups"]
    assert state["state"].keys() == later["state"].keys()
    for index, entry in state["state"].items():
        for name, value in entry.items():
            assert np.asarray(value).tobytes() == np.asarray(later["state"][index][name]).tobytes()
