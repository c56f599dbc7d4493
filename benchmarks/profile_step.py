"""Where a ResNet-20 training step spends its time, per op, ours beside PyTorch's.

`python -m benchmarks.profile_resnet [--batch 128] [--steps 5] [--threads 1] [--inference]`
times every primitive's array work (each `Function.forward`, in the forward pass and in the
backward pass, whose VJPs run ops too) over a few steps of our ResNet-20 with SGD and momentum,
and the same steps of PyTorch's twin under `torch.profiler` (self CPU time per aten op). What
no op's forward accounts for is the graph, the engine, the layers and the optimiser's Python:
the "rest" row. Each table is sorted by time; the whole step is timed without a profiler.
"""

from __future__ import annotations

import argparse
import collections
import os
import time
from collections.abc import Callable

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_resnet",
                                     description=__doc__)
    parser.add_argument("--batch", type=int, default=None, help="128 (train) or 500 (inference)")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--inference", action="store_true", help="forward passes, no_grad, eval")
    parser.add_argument("--top", type=int, default=14, help="rows per table")
    parser.add_argument("--cpu", action="store_true", help="our ops by this thread's CPU time "
                        "(time.thread_time), steadier on a busy machine; one thread only")
    return parser.parse_args()


class OpClock:
    """Seconds spent in each op's forward, by (op, pass), while installed."""

    def __init__(self, function_module, clock: Callable[[], float]) -> None:
        self.function = function_module
        self.clock = clock
        self.seconds: collections.Counter[tuple[str, str]] = collections.Counter()
        self.calls: collections.Counter[tuple[str, str]] = collections.Counter()
        self.originals: dict[type, Callable] = {}

    def install(self, classes: list[type]) -> None:
        for cls in classes:
            if "forward" in vars(cls):
                self.originals[cls] = vars(cls)["forward"]
                cls.forward = staticmethod(self._timed(cls, cls.forward))

    def remove(self) -> None:
        for cls, original in self.originals.items():
            cls.forward = original

    def _timed(self, cls: type, forward: Callable) -> Callable:
        def timed(*args, **kwargs):
            start = self.clock()
            try:
                return forward(*args, **kwargs)
            finally:
                where = "backward" if self.function.running_backward is not None else "forward"
                key = (cls.op_name(), where)
                self.seconds[key] += self.clock() - start
                self.calls[key] += 1

        return timed


def _all_functions(base: type) -> list[type]:
    found, todo = [], [base]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def _steps(args: argparse.Namespace):
    """Our step and PyTorch's (or None), on the same weights and batch."""
    import numpy as np

    import tinygrad_cnn.nn.functional as F
    from benchmarks import torch_twins, torchvision_twins
    from benchmarks.timing import torch_or_none
    from tinygrad_cnn import Tensor, manual_seed, models, no_grad, optim

    manual_seed(0)
    model = models.resnet20()
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, args.batch)
    xt = Tensor(x)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    torch = torch_or_none()
    twin = None
    if torch is not None:
        twin = torchvision_twins.build(torch, "resnet20", num_classes=10)
        torch_twins.copy_weights(torch, model, twin)
        topt = torch.optim.SGD(twin.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    if args.inference:
        model.eval()

        @no_grad()
        def ours() -> None:
            model(xt)

        if twin is None:
            return ours, None
        twin.eval()

        def theirs() -> None:
            with torch.no_grad():
                twin(tx)

        return ours, theirs

    def ours() -> None:
        opt.zero_grad()
        F.cross_entropy(model(xt), y).backward()
        opt.step()

    if twin is None:
        return ours, None

    def theirs() -> None:
        topt.zero_grad()
        torch.nn.functional.cross_entropy(twin(tx), ty).backward()
        topt.step()

    return ours, theirs


def _best(fn: Callable[[], None], steps: int, clock: Callable[[], float]) -> float:
    best = float("inf")
    for _ in range(steps):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def _ours_profile(ours: Callable[[], None], steps: int,
                  clock: Callable[[], float]) -> tuple[list, float]:
    from tinygrad_cnn.autograd import function

    ops = OpClock(function, clock)
    ops.install(_all_functions(function.Function))
    start = clock()
    try:
        for _ in range(steps):
            ours()
    finally:
        ops.remove()
    total = (clock() - start) / steps
    rows = [(f"{name} ({where})", seconds / steps, ops.calls[name, where] // steps)
            for (name, where), seconds in ops.seconds.items()]
    return rows, total


def _torch_profile(theirs: Callable[[], None], steps: int) -> tuple[list, float]:
    import torch

    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for _ in range(steps):
            theirs()
        total = (time.perf_counter() - start) / steps
    rows = [(event.key, event.self_cpu_time_total / 1e6 / steps, event.count // steps)
            for event in prof.key_averages()]
    return rows, total


def _print_table(title: str, rows: list, total: float, top: int) -> None:
    rows = sorted(rows, key=lambda row: -row[1])
    accounted = sum(row[1] for row in rows)
    print(f"\n{title}: {total * 1e3:.1f} ms per step under the profiler")
    print(f"{'op':<44} {'ms':>8} {'share':>6} {'calls':>6}")
    for name, seconds, calls in rows[:top]:
        print(f"{name:<44} {seconds * 1e3:8.1f} {seconds / total:6.1%} {calls:6d}")
    others = sum(row[1] for row in rows[top:])
    print(f"{'other ops':<44} {others * 1e3:8.1f} {others / total:6.1%}")
    rest = total - accounted
    print(f"{'rest (outside any op)':<44} {rest * 1e3:8.1f} {rest / total:6.1%}")


def main() -> None:
    args = _arguments()
    args.batch = args.batch or (500 if args.inference else 128)
    for name in THREAD_VARIABLES:  # before NumPy or PyTorch start their thread pools
        os.environ[name] = str(args.threads)
    from benchmarks import malloc

    malloc.tune()
    from tinygrad_cnn import set_num_threads

    set_num_threads(args.threads)
    ours, theirs = _steps(args)
    for fn in (ours, theirs):
        if fn is not None:
            fn()
            fn()
    what = "inference" if args.inference else "train step (SGD, momentum)"
    print(f"ResNet-20 {what}, batch {args.batch}, {args.threads} thread(s), "
          f"{args.steps} steps")
    clock = time.thread_time if args.cpu else time.perf_counter
    kind = "CPU" if args.cpu else "wall"
    print(f"whole step, best of {args.steps} ({kind} time): ours "
          f"{_best(ours, args.steps, clock) * 1e3:.1f} ms"
          + (f", PyTorch {_best(theirs, args.steps, clock) * 1e3:.1f} ms" if theirs else ""))
    rows, total = _ours_profile(ours, args.steps, clock)
    _print_table("tinygrad_cnn, each op's forward on arrays", rows, total, args.top)
    if theirs is not None:
        rows, total = _torch_profile(theirs, args.steps)
        _print_table("PyTorch, self CPU time per aten op (torch.profiler)", rows, total,
                     args.top)


if __name__ == "__main__":
    main()
