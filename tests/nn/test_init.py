"""nn.init: PyTorch's gains, fans, bounds and distributions, drawn from the seeded generator."""

import math
import threading

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor, manual_seed, nn
from tinygrad_cnn.nn import init

GAINS = [("linear", None, 1.0), ("conv2d", None, 1.0), ("sigmoid", None, 1.0),
         ("tanh", None, 5 / 3), ("relu", None, math.sqrt(2)),
         ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
         ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)), ("selu", None, 0.75)]


@pytest.mark.parametrize(("name", "param", "gain"), GAINS)
def test_calculate_gain(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain)


def test_calculate_gain_refuses_unknown_names():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a number"):
        init.calculate_gain("leaky_relu", "x")


def empty(*shape):
    return Tensor(np.zeros(shape, dtype=np.float32))


def test_fills_in_place_and_returns_the_tensor():
    t = empty(3, 4)
    data = t.data
    assert init.ones_(t) is t and t.data is data and (data == 1).all()
    assert (init.zeros_(t).data == 0).all()
    assert (init.constant_(t, 2.5).data == 2.5).all()
    p = nn.Parameter(np.zeros((2, 2), dtype=np.float64))
    assert init.uniform_(p, 3, 4).dtype == np.float64 and ((p.data >= 3) & (p.data < 4)).all()


@pytest.mark.parametrize(
    ("fn", "kwargs", "std"),
    [
        (init.uniform_, {"a": -2.0, "b": 2.0}, 4 / math.sqrt(12)),
        (init.normal_, {"mean": 1.0, "std": 0.5}, 0.5),
        (init.kaiming_uniform_, {}, math.sqrt(2) / math.sqrt(8 * 9)),
        (init.kaiming_normal_, {"mode": "fan_out", "nonlinearity": "relu"},
         math.sqrt(2) / math.sqrt(16 * 9)),
        (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(2 / (8 * 9 + 16 * 9))),
        (init.xavier_normal_, {}, math.sqrt(2 / (8 * 9 + 16 * 9))),
    ],
)
def test_distributions_have_pytorchs_spread(fn, kwargs, std):
    manual_seed(0)
    t = fn(empty(16, 8, 3, 3), **kwargs)
    samples = np.concatenate([fn(empty(16, 8, 3, 3), **kwargs).data.ravel() for _ in range(20)])
    assert t.shape == (16, 8, 3, 3)
    assert samples.std() == pytest.approx(std, rel=0.03)


def test_uniform_bounds_of_kaiming_and_xavier():
    manual_seed(0)
    w = init.kaiming_uniform_(empty(64, 32), a=math.sqrt(5))
    assert np.abs(w.data).max() <= 1 / math.sqrt(32)
    w = init.xavier_uniform_(empty(64, 32))
    assert np.abs(w.data).max() <= math.sqrt(6 / 96)


def test_same_seed_same_numbers():
    manual_seed(7)
    a = init.kaiming_normal_(empty(5, 5)).data.copy()
    manual_seed(7)
    np.testing.assert_array_equal(a, init.kaiming_normal_(empty(5, 5)).data)


def test_refusals():
    with pytest.raises(ValueError, match="at least 2 dims"):
        init.xavier_uniform_(empty(5))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(empty(3, 3), mode="fan_avg")
    with pytest.raises(TypeError, match="floating-point"):
        init.normal_(Tensor(np.zeros(3, dtype=np.int64)))
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(empty(2), 1, 0)
    assert init.kaiming_uniform_(empty(0, 3)).shape == (0, 3)


def test_fans_and_gains_match_pytorch():
    torch = torch_module()
    for shape in [(3, 4), (6, 2, 5, 5), (4, 3, 7)]:
        theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert init._calculate_fan_in_and_fan_out(empty(*shape)) == theirs
    for name, param, _ in GAINS:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))


def test_model_init_reproducible_through_manual_seed():
    def build():
        return nn.Sequential(nn.Linear(10, 5), nn.BatchNorm2d(2), nn.Linear(5, 2))

    manual_seed(42)
    first = {k: v.clone() for k, v in build().state_dict().items()}
    manual_seed(42)
    for key, value in build().state_dict().items():
        np.testing.assert_array_equal(first[key], value)


def _sevens() -> list[float]:
    """What constant_ makes of three zeros: sevens, unless skip_init is on in this thread."""
    return init.constant_(Tensor(np.zeros(3, np.float32)), 7.0).data.tolist()


def test_skip_init_in_one_thread_leaves_another_threads_tensors_initialised():
    inside, done, seen = threading.Event(), threading.Event(), []

    def skipping():
        with init.skip_init():
            seen.append(_sevens())
            inside.set()
            done.wait(timeout=30)

    thread = threading.Thread(target=skipping)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        assert _sevens() == [7.0] * 3  # while the other thread is inside skip_init
    finally:
        done.set()
        thread.join(timeout=30)
    assert seen == [[0.0] * 3]


def test_a_new_thread_starts_without_skip_init():
    seen = []
    with init.skip_init():
        thread = threading.Thread(target=lambda: seen.append(_sevens()))
        thread.start()
        thread.join(timeout=30)
        assert _sevens() == [0.0] * 3
    assert seen == [[7.0] * 3] and _sevens() == [7.0] * 3
