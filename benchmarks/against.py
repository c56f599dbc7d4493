"""Old code against new: `python -m benchmarks.against REV [--new REV] [--rounds N]
[--threads 1 2] [--cpu] [--only TEXT]`.

A change's effect on speed is often a few percent, inside the noise of one run. So the old
code (the `tinygrad_cnn/` of git revision REV) and the new (this working tree) each run in a
process of their own, and the two are asked in turn, round after round, to time the same
case: both see the same machine at the same moments, and the per-round ratio new / old is
what the table reports (median, and min..max). The cases are the suite's own, ours only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = "BENCHMARK_CODE"  # the folder whose tinygrad_cnn a worker imports


def cases() -> dict[str, Callable[[], Callable[[], object]]]:
    """Each case by name, as a function that builds the callable to time."""
    from benchmarks import bench_conv, bench_epoch, bench_overhead, bench_resnet, bench_train
    from tinygrad_cnn import Tensor
    from tinygrad_cnn.data import load_mnist

    built: dict[str, Callable[[], Callable[[], object]]] = {}
    for batch in (64, 256):
        built[f"LeNet-5 train step, batch {batch}"] = (
            lambda batch=batch: bench_train.ours_train_step(batch)[0])
    built["LeNet-5 epoch, Classifier.fit"] = lambda: bench_epoch.ours_epoch(*load_mnist()[0])[0]
    built["LeNet-5 inference, batch 1000"] = lambda: bench_train.inference(1000, None)["ours"]
    for case, name, batch, training in bench_resnet.CASES:
        recipe = bench_resnet.ours_train_step if training else bench_resnet.ours_inference
        built[case] = lambda recipe=recipe, name=name, batch=batch: recipe(name, batch)[0]
    for name, shapes, kwargs, op in bench_conv.CASES:
        built[f"{name} fwd+bwd"] = (lambda shapes=shapes, kwargs=kwargs, op=op:
                                    bench_conv.ours(bench_conv._arrays(shapes), kwargs, op))
    data = bench_overhead.np.ones(16, dtype=bench_overhead.np.float32)
    built[f"{bench_overhead.CHAIN}-op chain fwd+bwd"] = lambda: (
        lambda: bench_overhead.ours_chain(Tensor(data, requires_grad=True)))
    return built


def serve(clock: Callable[[], float]) -> None:
    """A worker: read a case name per line, answer with the best of 3 timed calls (seconds)."""
    sys.path.insert(0, os.environ[CODE])
    from benchmarks import malloc
    from benchmarks.timing import SETTLE_SECONDS

    malloc.tune()
    recipes, ready = cases(), {}
    for line in sys.stdin:
        name = line.strip()
        if name not in ready:
            ready[name] = recipes[name]()
            for _ in range(2):  # warm-up
                ready[name]()
        time.sleep(SETTLE_SECONDS)
        best = float("inf")
        for _ in range(3):
            start = clock()
            ready[name]()
            best = min(best, clock() - start)
        print(json.dumps(best), flush=True)


def _worker(code: Path, threads: int, cpu: bool) -> subprocess.Popen:
    env = {**os.environ, CODE: str(code), "PYTHONPATH": str(ROOT)}
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    command = [sys.executable, "-m", "benchmarks.against", "--serve"] + (["--cpu"] if cpu else [])
    return subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def _ask(worker: subprocess.Popen, case: str) -> float:
    worker.stdin.write(case + "\n")
    worker.stdin.flush()
    answer = worker.stdout.readline()
    if not answer:
        raise RuntimeError(f"the benchmark worker died on {case!r}")
    return json.loads(answer)


def _extract(rev: str, into: str) -> Path:
    """The `tinygrad_cnn/` of git revision `rev`, written into the folder `into`."""
    archive = subprocess.run(["git", "archive", rev, "tinygrad_cnn"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return Path(into)


def compare(rev: str, rounds: int, threads: int, only: str = "", new: str | None = None,
            cpu: bool = False) -> dict[str, float]:
    """Print old and new medians and the per-round ratio new / old of every case (whose name
    holds `only`); the new code is revision `new`, or the working tree. Returns each case's
    median ratio."""
    medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as old, tempfile.TemporaryDirectory() as newer:
        new_code = _extract(new, newer) if new else ROOT
        workers = {"old": _worker(_extract(rev, old), threads, cpu),
                   "new": _worker(new_code, threads, cpu)}
        print(f"{rev} (old) against {new or 'the working tree'} (new): {rounds} rounds, "
              f"{threads} thread(s), best of 3 per sample"
              + (", CPU time of the worker's thread" if cpu else ""))
        print(f"{'case':<46} {'old ms':>9} {'new ms':>9} {'new/old (min..max)':>20}")
        try:
            for case in (name for name in cases() if only in name):
                samples: dict[str, list[float]] = {"old": [], "new": []}
                for round_ in range(rounds):
                    order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
                    for who in order:
                        samples[who].append(_ask(workers[who], case))
                ratios = [n / o for n, o in zip(samples["new"], samples["old"])]
                old_ms, new_ms = (statistics.median(samples[w]) * 1e3 for w in ("old", "new"))
                medians[case] = statistics.median(ratios)
                spread = f"{medians[case]:.3f} ({min(ratios):.2f}..{max(ratios):.2f})"
                print(f"{case:<46} {old_ms:9.3f} {new_ms:9.3f} {spread:>20}", flush=True)
        finally:
            for worker in workers.values():
                worker.stdin.close()
                worker.wait()
    return medians


def print_across_threads(runs: dict[int, dict[str, float]]) -> None:
    """The median new / old of every case at each thread count, side by side."""
    print("\nnew / old, median of the rounds, by thread count")
    print(f"{'case':<46}" + "".join(f" {f'{n} thread(s)':>12}" for n in runs))
    for case in dict.fromkeys(c for medians in runs.values() for c in medians):
        print(f"{case:<46}" + "".join(
            f" {medians[case]:12.3f}" if case in medians else f" {'-':>12}"
            for medians in runs.values()))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.against", description=__doc__)
    parser.add_argument("rev", nargs="?", default="HEAD", help="the old code's git revision")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--threads", type=int, nargs="+", default=[1], metavar="N",
                        help="thread counts of both workers (our kernels and BLAS), one run "
                        "each, then a table of the ratios at every count (default: 1)")
    parser.add_argument("--new", default=None, help="the new code's revision (default: the "
                        "working tree)")
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    parser.add_argument("--cpu", action="store_true", help="time the CPU time of the "
                        "workers' calling thread (time.thread_time) instead of wall time: "
                        "steadier on a busy machine, and meaningful at one thread only")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(time.thread_time if args.cpu else time.perf_counter)
        return
    runs = {n: compare(args.rev, args.rounds, n, args.only, args.new, args.cpu)
            for n in args.threads}
    if len(runs) > 1:
        print_across_threads(runs)


if __name__ == "__main__":
    main()
