"""The switches of `autograd/grad_mode.py`: each one nested, as a decorator, restored after an
exception, and per thread (two models train at once in two threads exactly as alone, a new
thread starts with the defaults, a block in one thread never reaches another)."""

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import Tensor, enable_grad, eval_shape, manual_seed, models, nn, no_grad, optim
from tinygrad_cnn.autograd import (
    Function,
    current_scope,
    detect_anomaly,
    grad_mode,
    is_grad_enabled,
)
from tinygrad_cnn.autograd import grad as autograd_grad

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
    return {k: v.clone() for k, v in model.state_dict().items()}


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


# ---- each switch: nesting, decorators, exceptions ---------------------------------------------


def _state():
    """This thread's switches, by name."""
    own = grad_mode.switches()
    return {name: getattr(own, name) for name in grad_mode.Switches.__slots__}


@given(modes=st.lists(st.booleans(), max_size=8))
def test_nested_grad_modes_the_innermost_wins_and_each_exit_restores_the_one_outside(modes):
    blocks = [enable_grad() if mode else no_grad() for mode in modes]
    for block, mode in zip(blocks, modes):
        block.__enter__()
        assert is_grad_enabled() is mode
    for block, outside in zip(reversed(blocks), reversed([True, *modes[:-1]])):
        block.__exit__(None, None, None)
        assert is_grad_enabled() is outside


def test_decorators_keep_the_function_and_set_the_mode_only_while_it_runs():
    @no_grad()
    def scaled(x, factor=2):
        """Doc."""
        return x * factor, is_grad_enabled()

    @enable_grad()
    def recorded(x):
        return x * 3

    @no_grad()
    def failing():
        raise KeyError("inside")

    x = Tensor([1.0], requires_grad=True)
    y, inside = scaled(x, factor=3)
    assert (scaled.__name__, scaled.__doc__) == ("scaled", "Doc.")
    assert inside is False and not y.requires_grad and y.tolist() == [3.0]
    assert is_grad_enabled()
    with no_grad():
        assert recorded(x).requires_grad  # enable_grad reaches into a no_grad block
        assert not is_grad_enabled()
    with pytest.raises(KeyError):
        failing()
    assert is_grad_enabled()


MODEL = nn.Linear(1, 1)

BLOCKS = {  # each switch's block, and the switches around it
    "no_grad": (no_grad, {}),
    "enable_grad": (enable_grad, {"enabled": False}),
    "detect_anomaly": (detect_anomaly, {}),
    "module_scope": (lambda: grad_mode.module_scope(MODEL), {"scope": (nn.ReLU(), nn.Tanh())}),
    "watching": (lambda: grad_mode.watching(print), {}),
    "shape-only": (lambda: grad_mode.switched(shapes_only=True, observer=object()), {}),
}


@pytest.mark.parametrize("name", list(BLOCKS))
def test_every_switch_is_restored_when_its_block_raises(name):
    block, around = BLOCKS[name]
    with grad_mode.switched(**around):
        before = _state()
        with pytest.raises(KeyError), block():
            assert _state() != before
            raise KeyError("inside")
        assert _state() == before


def test_switched_sets_switches_by_name_and_an_unknown_name_changes_nothing():
    before = _state()
    with grad_mode.switched(anomaly=True, shapes_only=True) as own:
        assert own is grad_mode.switches() and own.anomaly
        assert grad_mode.evaluating_shapes()
    assert _state() == before
    with pytest.raises(AttributeError), grad_mode.switched(enabled=False, nonsense=1):
        pass
    assert _state() == before


def test_module_scopes_nest_outermost_first_and_ops_record_them():
    x = Tensor([1.0], requires_grad=True)
    with grad_mode.module_scope(MODEL):
        with grad_mode.module_scope(MODEL.weight):
            assert current_scope() == (MODEL, MODEL.weight)
            assert (x * 2).grad_fn.scope == (MODEL, MODEL.weight)
        assert current_scope() == (MODEL,) and (x * 2).grad_fn.scope == (MODEL,)
    assert current_scope() == () and (x * 2).grad_fn.scope == ()


def test_a_watcher_hears_of_each_value_read_of_a_watched_tensor_in_its_block():
    heard = []
    x = Tensor([1.0, 2.0])
    x._watched = True  # as ONNX tracing marks its input
    with grad_mode.watching(lambda t, what: heard.append((t, what))):
        y = x * 2  # made from a watched tensor: watched too
        y.numpy()
        with grad_mode.watching(lambda t, what: heard.append(("inner", what))):
            y.tolist()
        Tensor([3.0]).item()  # not watched
    x.tolist()  # no watcher outside the block
    assert heard == [(y, ".numpy()"), ("inner", ".tolist()")]


def test_a_shape_only_run_turns_shapes_on_and_grad_off_for_its_duration():
    seen = {}

    def fn(x):
        seen.update(shapes=grad_mode.evaluating_shapes(), grad=is_grad_enabled())
        return x * 2

    assert eval_shape(fn, (2, 3)) == (2, 3)
    assert seen == {"shapes": True, "grad": False}
    assert not grad_mode.evaluating_shapes() and is_grad_enabled()


def test_detect_anomaly_nests_and_raises_only_inside_its_block():
    x = Tensor([-1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().item())
        with detect_anomaly():
            with detect_anomaly():
                pass
            with pytest.raises(FloatingPointError, match="log"):
                x.log()  # still on after the inner block
        assert np.isnan(x.log().item())


def test_a_backward_inside_a_vjp_leaves_the_outer_backward_named():
    class Outer(Function):
        """y = x; its VJP runs a backward of its own, then makes a NaN."""

        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad):
            with enable_grad():
                inner = Tensor([2.0], requires_grad=True)
                autograd_grad((inner * inner).sum(), [inner])
            return grad * Tensor([-1.0]).log()

    with detect_anomaly(), np.errstate(invalid="ignore"), \
            pytest.raises(FloatingPointError, match=r"log \(in the backward of outer\)"):
        Outer.apply(Tensor([1.0], requires_grad=True)).sum().backward()


# ---- per thread, with real threads ---------------------------------------------------------------


def _start(target):
    """Run `target` in a new thread; the list collects what it raised."""
    errors = []

    def run():
        try:
            target()
        except BaseException as error:  # reported by the test, in the main thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.parametrize("name", list(BLOCKS))
def test_a_block_in_one_thread_and_one_in_another_leave_each_other_alone(name):
    block, _ = BLOCKS[name]
    both, kept = threading.Barrier(2, timeout=10), {}

    def other():
        before = _state()
        with block():
            inside = _state()
            both.wait()  # the main thread looks, then runs a block of its own
            both.wait()
            kept["inside"] = _state() == inside
        kept["after"] = _state() == before

    mine = _state()
    thread, errors = _start(other)
    both.wait()
    assert _state() == mine  # the other thread is inside its block
    with block():
        pass
    both.wait()
    thread.join(timeout=10)
    assert not errors and kept == {"inside": True, "after": True}


def test_a_thread_without_grad_with_anomaly_or_by_shape_leaves_another_computing_as_usual():
    both, seen = threading.Barrier(2, timeout=10), {}
    x = Tensor([-1.0, 2.0], requires_grad=True)

    def by_shape(t):
        both.wait()  # the main thread computes while this one runs by shape
        both.wait()
        return t * 2

    def other():
        with no_grad(), detect_anomaly():
            both.wait()  # the main thread computes while this one is inside both blocks
            both.wait()
            seen["recorded"] = (x * 2).requires_grad
            with pytest.raises(FloatingPointError):
                x.log()
        seen["shape"] = eval_shape(by_shape, (2, 3))

    thread, errors = _start(other)
    with np.errstate(invalid="ignore"):
        both.wait()
        y = x.log()  # neither the other's no_grad nor its anomaly mode
        assert y.requires_grad and np.isnan(y.data[0])
        both.wait()
        both.wait()
        z = x * 2  # real values, not the other's shape-only run
        assert z.tolist() == [-2.0, 4.0] and z.requires_grad and not grad_mode.evaluating_shapes()
        both.wait()
    thread.join(timeout=10)
    assert not errors and seen == {"recorded": False, "shape": (2, 3)}


def test_one_no_grad_instance_used_by_two_threads_at_once_restores_each_threads_own_mode():
    shared, both, seen = no_grad(), threading.Barrier(2, timeout=10), {}

    def first():
        with shared:
            both.wait()  # the second thread enters too
            both.wait()
        seen["first after"] = is_grad_enabled()
        both.wait()  # the second thread looks after this one left

    def second():
        both.wait()
        with shared:
            both.wait()
            both.wait()
            seen["second inside"] = is_grad_enabled()
        seen["second after"] = is_grad_enabled()

    threads = [_start(first), _start(second)]
    for thread, _ in threads:
        thread.join(timeout=10)
    assert not any(errors for _, errors in threads)
    assert seen == {"first after": True, "second inside": False, "second after": True}


def test_a_decorated_generator_runs_each_step_in_the_mode_as_in_pytorch():
    @no_grad()
    def steps():
        yield is_grad_enabled()
        yield is_grad_enabled()

    run = steps()
    assert next(run) is False and is_grad_enabled()
    assert next(run) is False and is_grad_enabled()
