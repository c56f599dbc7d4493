"""The thread pool: thread counts, parts cut by shape alone, how `run` shares them out (in order,
errors, nesting, a pool busy in another thread), and the same bits at 1 and 2 threads for every
kernel that runs in parts (forward and backward, through the public ops)."""

import itertools
import os
import threading
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from threadpoolctl import threadpool_info

import tinygrad_cnn as tg
import tinygrad_cnn.nn.functional as F
from tests.threadpool import threads
from tinygrad_cnn import Tensor, models
from tinygrad_cnn.kernels import conv as conv_kernels
from tinygrad_cnn.kernels import threads as kernel_threads
from tinygrad_cnn.testing.strategies import (
    avg_pool2d_args,
    batch_norm_args,
    broadcastable_shapes,
    conv2d_args,
    conv_transpose2d_args,
    float_arrays,
    group_norm_args,
    layer_norm_args,
    pool2d_args,
    shapes,
)


def _run(fn, arrays):
    """fn's output and the gradient of every input, for a fixed upstream gradient."""
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    y = fn(*tensors)
    y.backward(Tensor(np.cos(np.arange(y.numel(), dtype=y.dtype)).reshape(y.shape)))
    return [y.data, *(t.grad.data for t in tensors)]


def assert_same_bits_at_1_and_2_threads(fn, arrays):
    with threads(1):
        one = _run(fn, arrays)
    with threads(2):
        two = _run(fn, arrays)
    for a, b in zip(one, two):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()


def _batch(args, images=5):
    """The drawn call's arrays with the batch grown to `images` (scaled copies), so the batch
    splits into several parts."""
    x, *rest = (t.data for t in args.tensors)
    scales = np.linspace(1.0, -0.5, images).reshape(-1, 1, *([1] * (x.ndim - 2)))
    return [np.concatenate([x[:1] * s for s in scales]).astype(x.dtype), *rest]


# ---- the same bits for every parallel path -----------------------------------------------------


@given(args=conv2d_args(np.float32), path=st.sampled_from([None, *conv_kernels.PATHS]))
def test_conv2d_forward_and_backward_have_the_same_bits_at_1_and_2_threads(args, path):
    w, stride, dilation = args.tensors[1], args.kwargs["stride"], args.kwargs["dilation"]
    if path == "flattened" and stride != (1, 1):
        path = None
    if path == "winograd" and (w.shape[2:], stride, dilation) != ((3, 3), (1, 1), (1, 1)):
        path = None
    _assert_conv_on_path_has_the_same_bits(args, path)


@given(args=conv2d_args(np.float32, kernel_size=3, stride=1, dilation=1))
def test_winograd_convs_have_the_same_bits_at_1_and_2_threads(args):
    _assert_conv_on_path_has_the_same_bits(args, "winograd")


def _assert_conv_on_path_has_the_same_bits(args, path):
    def conv(x, w, *bias):
        return F.conv2d(x, w, *bias, **args.kwargs)

    original = conv_kernels.choose_path
    if path is not None:
        conv_kernels.choose_path = lambda *_: path
    try:
        assert_same_bits_at_1_and_2_threads(conv, _batch(args))
    finally:
        conv_kernels.choose_path = original


@given(args=conv_transpose2d_args(np.float32))
def test_conv_transpose2d_has_the_same_bits_at_1_and_2_threads(args):
    assert_same_bits_at_1_and_2_threads(
        lambda *t: F.conv_transpose2d(*t, **args.kwargs), _batch(args))


@given(args=pool2d_args(np.float32))
def test_max_pool2d_has_the_same_bits_at_1_and_2_threads(args):
    assert_same_bits_at_1_and_2_threads(lambda x: F.max_pool2d(x, **args.kwargs), _batch(args))


@given(args=avg_pool2d_args(np.float32))
def test_avg_pool2d_has_the_same_bits_at_1_and_2_threads(args):
    assert_same_bits_at_1_and_2_threads(lambda x: F.avg_pool2d(x, **args.kwargs), _batch(args))


@given(args=batch_norm_args(np.float32))
def test_batch_norm_has_the_same_bits_at_1_and_2_threads(args):
    assert_same_bits_at_1_and_2_threads(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, **args.kwargs), _batch(args))


@given(args=group_norm_args(np.float32))
def test_group_norm_has_the_same_bits_at_1_and_2_threads(args):
    assert_same_bits_at_1_and_2_threads(
        lambda x, w, b: F.group_norm(x, weight=w, bias=b, **args.kwargs), _batch(args))


@given(args=layer_norm_args(np.float32))
def test_layer_norm_has_the_same_bits_at_1_and_2_threads(args):
    assert_same_bits_at_1_and_2_threads(
        lambda x, w, b: F.layer_norm(x, weight=w, bias=b, **args.kwargs),
        [t.data for t in args.tensors])


@given(data=st.data(), shapes=broadcastable_shapes(2, min_dims=1))
def test_add_relu_and_their_gradients_have_the_same_bits_at_1_and_2_threads(data, shapes):
    arrays = [data.draw(float_arrays(shape, np.float32)) for shape in shapes]
    assert_same_bits_at_1_and_2_threads(lambda a, b: (a + b).relu(), arrays)


@given(data=st.data(), shape=shapes(min_dims=1, max_dims=4, max_side=6),
       keepdim=st.booleans())
def test_sums_have_the_same_bits_at_1_and_2_threads(data, shape, keepdim):
    dims = data.draw(st.sets(st.integers(0, len(shape) - 1), min_size=1).map(tuple))
    x = data.draw(float_arrays(shape, np.float32, -1e3, 1e3))
    assert_same_bits_at_1_and_2_threads(lambda x: x.sum(dims, keepdim=keepdim), [x])


@given(data=st.data(), m=st.integers(1, 9), k=st.integers(1, 4), n=st.integers(1, 4),
       batch=st.sampled_from([(), (3,), (2, 1)]))
def test_matmul_has_the_same_bits_at_1_and_2_threads(data, m, k, n, batch):
    a = data.draw(float_arrays((*batch, m, k), np.float32))
    b = data.draw(float_arrays((k, n), np.float32))
    assert_same_bits_at_1_and_2_threads(lambda a, b: a @ b, [a, b])


def _step_gradients(model_factory, x, smallest_parts):
    """The parameters' gradient bits after one cross-entropy step, at 1 and at 2 threads."""
    labels = np.arange(len(x)) % 10
    grads = []
    for n in (1, 2):
        tg.manual_seed(0)
        model = model_factory()
        with threads(n, smallest_parts):
            F.cross_entropy(model(Tensor(x)), labels).backward()
        grads.append([p.grad.data.tobytes() for p in model.parameters()])
    return grads


def test_a_lenet5_training_step_has_the_same_bits_at_1_and_2_threads_with_the_real_parts():
    """At batch 256 the default thresholds cut LeNet-5's heavy kernels into parts."""
    x = np.random.default_rng(0).random((256, 1, 28, 28), dtype=np.float32)
    one, two = _step_gradients(models.lenet5, x, smallest_parts=False)
    parts = kernel_threads.split(256, 256 * 16 * 150 * 64, kernel_threads.MIN_PART_MACS)
    assert parts != [slice(0, 256)]
    assert one == two


def test_a_resnet20_training_step_has_the_same_bits_at_1_and_2_threads():
    """Every kernel of a ResNet-20 step cut into parts: the flattened, im2col, per-image and
    Winograd convs, batch norm forward and backward, the residual adds and ReLUs."""
    x = np.random.default_rng(0).random((4, 3, 16, 16), dtype=np.float32)
    one, two = _step_gradients(models.resnet20, x, smallest_parts=True)
    assert one == two


# ---- thread counts -------------------------------------------------------------------------------


def test_set_num_threads_sets_the_pool_and_blas():
    with threads(3, smallest_parts=False):
        assert kernel_threads.get_num_threads() == 3
        assert {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"} \
            == {3}


@pytest.mark.parametrize(("bad", "error"), [
    (0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError), ("2", TypeError),
    (None, TypeError),
])
def test_set_num_threads_refuses_anything_but_a_positive_int(bad, error):
    with pytest.raises(error, match=r"set_num_threads: n must be a positive int, got"):
        kernel_threads.set_num_threads(bad)


def test_set_num_threads_takes_numpy_ints():
    with threads(1, smallest_parts=False):
        kernel_threads.set_num_threads(np.int64(2))  # refused before
        assert kernel_threads.get_num_threads() == 2
        assert type(kernel_threads.get_num_threads()) is int


def test_the_default_is_the_cpus_this_process_may_use_or_omp_num_threads(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert kernel_threads._default_threads() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("OMP_NUM_THREADS", "3,2")
    assert kernel_threads._default_threads() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "none")
    assert kernel_threads._default_threads() == len(os.sched_getaffinity(0))


def test_the_package_exports_the_thread_functions():
    assert tg.set_num_threads is kernel_threads.set_num_threads
    assert tg.get_num_threads is kernel_threads.get_num_threads


# ---- parts and the pool --------------------------------------------------------------------------


@given(items=st.integers(0, 300), work=st.floats(0, 1e9))
def test_parts_cover_the_items_in_order_and_their_count_is_a_power_of_two(items, work):
    parts = kernel_threads.split(items, work)
    assert parts[0].start == 0 and parts[-1].stop == items
    assert all(a.stop == b.start for a, b in itertools.pairwise(parts))
    count = len(parts)
    assert count & (count - 1) == 0 and count <= kernel_threads.MAX_PARTS
    sizes = [p.stop - p.start for p in parts]
    assert max(sizes) - min(sizes) <= 1


def test_parts_do_not_depend_on_the_thread_count():
    with threads(1, smallest_parts=False):
        one = kernel_threads.split(256, 1e9, kernel_threads.MIN_PART_MACS)
    with threads(2, smallest_parts=False):
        two = kernel_threads.split(256, 1e9, kernel_threads.MIN_PART_MACS)
    assert one == two and len(one) > 1


def test_run_returns_the_results_in_part_order_from_several_threads():
    names = set()

    def work(part):
        names.add(threading.current_thread().name)
        np.linalg.norm(np.ones(200_000))  # long enough, and GIL-free, for a helper to join in
        return part * part

    with threads(2):
        assert kernel_threads.run(work, 16) == [part * part for part in range(16)]
    assert "MainThread" in names


def test_an_error_in_a_part_reaches_the_caller_after_every_part_has_stopped():
    def work(part):
        if part == 5:
            raise ZeroDivisionError("part 5")
        return part

    with threads(2), pytest.raises(ZeroDivisionError, match="part 5"):
        kernel_threads.run(work, 8)
    with threads(2):
        assert kernel_threads.run(lambda part: part, 4) == [0, 1, 2, 3]  # the pool still works


def test_a_kernel_inside_a_part_runs_serially():
    with threads(2):
        inner = kernel_threads.run(lambda part: kernel_threads.run(lambda p: (part, p), 2), 2)
    assert inner == [[(0, 0), (0, 1)], [(1, 0), (1, 1)]]


def test_callers_on_two_threads_each_get_their_own_results():
    x = np.random.default_rng(1).standard_normal((6, 3, 9, 9)).astype(np.float32)
    w = np.random.default_rng(2).standard_normal((4, 3, 3, 3)).astype(np.float32)
    results = []

    def caller():
        results.extend(F.conv2d(Tensor(x), Tensor(w)).data for _ in range(20))

    with threads(2):
        expected = F.conv2d(Tensor(x), Tensor(w)).data
        callers = [threading.Thread(target=caller) for _ in range(2)]
        for thread in callers:
            thread.start()
        for thread in callers:
            thread.join()
    assert len(results) == 40
    assert all(r.tobytes() == expected.tobytes() for r in results)


def _blas_threads():
    return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}


def test_blas_runs_one_thread_inside_a_kernel_and_gets_its_threads_back():
    with threads(2):
        inside = kernel_threads.run(lambda part: _blas_threads(), 1)
        assert inside == [{1}]
        assert _blas_threads() == {2}


def test_blas_stays_at_one_thread_until_the_last_of_two_threads_kernels_ends():
    first_in, second_in, first_out = (threading.Event() for _ in range(3))
    seen = {}

    def first():
        with kernel_threads.OneBlasThread():
            first_in.set()
            second_in.wait(timeout=30)
        first_out.set()

    def second():
        first_in.wait(timeout=30)
        with kernel_threads.OneBlasThread():
            second_in.set()
            first_out.wait(timeout=30)  # the first kernel has ended; this one still runs
            seen["inside"] = _blas_threads()

    with threads(2, smallest_parts=False):
        kernels = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in kernels:
            thread.start()
        for thread in kernels:
            thread.join(timeout=30)
        seen["after"] = _blas_threads()
    assert seen == {"inside": {1}, "after": {2}}


def test_set_num_threads_while_a_kernel_runs_reaches_blas_when_it_ends():
    inside, changed, seen = threading.Event(), threading.Event(), {}

    def kernel():
        with kernel_threads.OneBlasThread():
            inside.set()
            changed.wait(timeout=30)
            seen["inside"] = _blas_threads()

    with threads(2, smallest_parts=False):
        thread = threading.Thread(target=kernel)
        thread.start()
        assert inside.wait(timeout=30)
        kernel_threads.set_num_threads(3)
        changed.set()
        thread.join(timeout=30)
        seen["after"] = _blas_threads()
    assert seen == {"inside": {1}, "after": {3}}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_runs_kernels_on_threads_of_its_own():
    with threads(2):
        kernel_threads.run(lambda part: part, 2)  # the parent's pool threads exist
        child = os.fork()
        if child == 0:
            ok = False
            try:
                ok = kernel_threads.run(lambda part: part * 2, 4) == [0, 2, 4, 6]
            finally:
                os._exit(0 if ok else 1)
        for _ in range(200):  # 10 s at most: a child waiting on its parent's threads hangs
            pid, status = os.waitpid(child, os.WNOHANG)
            if pid:
                break
            time.sleep(0.05)
        else:
            os.kill(child, 9)
            os.waitpid(child, 0)
            pytest.fail("the forked child hung in the pool's run")
    assert os.waitstatus_to_exitcode(status) == 0


@given(items=st.integers(0, 300), work=st.floats(0, 1e9), per_part=st.floats(1, 1e8),
       most=st.integers(1, 20))
def test_each_part_holds_at_least_its_share_of_the_work_and_there_are_at_most_most(
        items, work, per_part, most):
    parts = kernel_threads.split(items, work, per_part, most)
    assert len(parts) <= most
    assert len(parts) == 1 or work / len(parts) >= per_part


def test_exact_parts_are_one_whole_part_at_one_thread_and_splits_parts_at_more():
    with threads(1):
        assert kernel_threads.exact_parts(10, 1e9) == [slice(0, 10)]
    with threads(2):
        assert kernel_threads.exact_parts(10, 1e9) == kernel_threads.split(10, 1e9)
        assert len(kernel_threads.exact_parts(10, 1e9)) > 1


def test_over_batch_joins_the_parts_arrays_along_their_axes_and_passes_one_part_through():
    x = np.arange(24.0).reshape(6, 4)

    def kernel(rows):
        return x[rows] * 2, np.stack([x[rows], x[rows]]), None  # batch on axes 0, 1, none

    with threads(2):
        doubled, stacked, nothing = kernel_threads.over_batch(kernel, 6, 1e9, axes=(0, 1, 0))
        single = kernel_threads.over_batch(lambda rows: x[rows], 6, 1e9)
    np.testing.assert_array_equal(doubled, x * 2)
    np.testing.assert_array_equal(stacked, np.stack([x, x]))
    assert nothing is None and single.tobytes() == x.tobytes()
    with threads(1):
        whole = kernel_threads.over_batch(lambda rows: rows, 6, 1e9)
    assert whole == slice(0, 6)  # one part: the kernel's own result, not joined


def test_while_another_thread_has_the_pool_a_caller_runs_its_parts_itself():
    inside, release, joined = threading.Event(), threading.Event(), threading.Event()
    caller, names, held = threading.current_thread(), [], []

    def blocking(part):
        if part == 0:
            inside.set()
            held.append(release.wait(timeout=10))
        return part

    def work(part):
        names.append(threading.current_thread().name)
        if threading.current_thread() is not caller:
            joined.set()
        elif part == 0:
            joined.wait(timeout=0.2)  # time enough for a free helper to take a part
        return part

    with threads(2):
        owner = threading.Thread(target=lambda: held.append(kernel_threads.run(blocking, 2)))
        owner.start()
        try:
            assert inside.wait(timeout=10)
            got = kernel_threads.run(work, 4)
        finally:
            release.set()
            owner.join(timeout=10)
    assert got == [0, 1, 2, 3]
    assert set(names) == {caller.name}  # no helper of the busy pool joined in
    assert held == [True, [0, 1]]
