"""Where a training step (or a forward pass) spends its time, per op, ours beside PyTorch's.

`python -m benchmarks.profile_step [--model resnet20] [--batch N] [--steps 5] [--threads 1]
[--inference] [--cpu]` times every primitive's array work (each `Function.forward`, in the
forward pass and in the backward pass, whose VJPs run ops too) over a few steps of one of
the suite's cases (ResNet-20 with SGD and momentum at batch 128 by default, inference at
batch 500; ResNet-18; LeNet-5 with Adam at batch 64), and the same steps of PyTorch's twin
under `torch.profiler` (self CPU time per aten op). What no op's forward accounts for is the
graph, the engine, the layers and the optimiser's Python: the "rest" row. Each table is
sorted by time; the whole step is timed without a profiler.
"""

from __future__ import annotations

import argparse
import collections
import os
import time
from collections.abc import Callable

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_step",
                                     description=__doc__)
    parser.add_argument("--model", choices=["resnet20", "resnet18", "lenet5"],
                        default="resnet20")
    parser.add_argument("--batch", type=int, default=None,
                        help="default 128 (train) or 500 (inference); LeNet-5 64 or 1000")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--inference", action="store_true", help="forward passes, no_grad, eval")
    parser.add_argument("--top", type=int, default=14, help="rows per table")
    parser.add_argument("--cpu", action="store_true", help="our ops by this thread's CPU time "
                        "(time.thread_time), steadier on a busy machine; one thread only")
    return parser.parse_args()


class OpClock:
    """Seconds spent in each op's forward, by (op, pass), while installed."""

    def __init__(self, clock: Callable[[], float]) -> None:
        from tinygrad_cnn.autograd import grad_mode  # after main() has set the thread counts

        self.clock = clock
        self.switches = grad_mode.switches
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
                running = self.switches().backward_of  # the VJP running, if any
                where = "forward" if running is None else "backward"
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


def _steps(args: argparse.Namespace) -> tuple[Callable[[], object], Callable[[], object] | None]:
    """Our step and PyTorch's (None without PyTorch), on the same weights and batch, as the
    suite builds them."""
    from benchmarks import bench_resnet, bench_train
    from benchmarks.timing import torch_or_none

    torch = torch_or_none()
    if args.model == "lenet5":
        if args.inference:
            contenders = bench_train.inference(args.batch, torch)
            return contenders["ours"], contenders.get("torch")
        ours, model = bench_train.ours_train_step(args.batch)
        return ours, bench_train.torch_train_step(torch, args.batch, model) if torch else None
    if args.inference:
        ours, model = bench_resnet.ours_inference(args.model, args.batch)
        theirs = bench_resnet.torch_inference
    else:
        ours, model = bench_resnet.ours_train_step(args.model, args.batch)
        theirs = bench_resnet.torch_train_step
    return ours, theirs(torch, args.model, args.batch, model) if torch else None


def _best(fn: Callable[[], None], steps: int, clock: Callable[[], float]) -> float:
    best = float("inf")
    for _ in range(steps):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def _ours_profile(ours: Callable[[], None], steps: int,
                  clock: Callable[[], float]) -> tuple[list, float]:
    from tinygrad_cnn.autograd import Function

    ops = OpClock(clock)
    ops.install(_all_functions(Function))
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
    if args.batch is None:
        args.batch = {(False, True): 500, (False, False): 128,
                      (True, True): 1000, (True, False): 64}[args.model == "lenet5",
                                                             args.inference]
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
    what = "inference" if args.inference else "train step"
    print(f"{args.model} {what}, batch {args.batch}, {args.threads} thread(s), "
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
