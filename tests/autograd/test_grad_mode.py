"""The switches are per thread: two models train at once in two threads exactly as alone, and a
new thread starts with grad enabled, anomaly detection off and no module running."""

import threading

import numpy as np

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, manual_seed, models, no_grad, optim
from tinygrad_cnn.autograd import current_scope, detect_anomaly, grad_mode, is_grad_enabled

STEPS = 12


def _model_and_data(seed):
    manual_seed(seed)
    model = models.lenet5()
    rng = np.random.default_rng(seed)
    return model, rng.random((8, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 8)


def _train(model, x, y):
    """Adam steps on one batch; the weights after them."""
    opt = optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(STEPS):
        opt.zero_grad()
        F.cross_entropy(model(Tensor(x)), y).backward()
        opt.step()
    return {k: v.copy() for k, v in model.state_dict().items()}


def test_two_models_train_in_two_threads_bit_for_bit_as_alone():
    alone = [_train(*_model_and_data(seed)) for seed in (0, 1)]
    jobs = [_model_and_data(seed) for seed in (0, 1)]
    together, errors = [None, None], []
    start = threading.Barrier(2)

    def run(i):
        start.wait()
        try:
            together[i] = _train(*jobs[i])
        except Exception as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for mine, theirs in zip(together, alone):
        assert mine.keys() == theirs.keys()
        assert all(np.array_equal(mine[k], theirs[k]) for k in mine)


def test_a_new_thread_starts_with_the_defaults_whatever_this_one_does():
    seen = {}

    def look():
        seen.update(grad=is_grad_enabled(), anomaly=grad_mode.switches().anomaly,
                    scope=current_scope(), watch=grad_mode.switches().watch)

    model = models.lenet5()
    with no_grad(), detect_anomaly(), grad_mode.module_scope(model):
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        assert not is_grad_enabled() and current_scope() == (model,)
    assert seen == {"grad": True, "anomaly": False, "scope": (), "watch": None}


def test_a_no_grad_decorator_nests_in_recursion():
    @no_grad()
    def depth(n):
        if n:
            depth(n - 1)
        return is_grad_enabled()

    assert depth(3) is False
    assert is_grad_enabled()
