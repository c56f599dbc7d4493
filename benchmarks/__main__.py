"""Run the benchmark suite: `python -m benchmarks [--threads N [N ...]] [--quick] [--skip ...]`.

Each thread count (default: 1, 2 and all the CPUs this process may use, deduplicated, none
above the CPU count) runs the suite in a process of its own, `python -m benchmarks --threads
N`, which sets OPENBLAS/OMP/MKL_NUM_THREADS before NumPy or PyTorch is imported and gives N
threads to our kernels (`tinygrad_cnn.set_num_threads`), to NumPy's BLAS and to
PyTorch. Within that process every case times tinygrad_cnn and (when installed) PyTorch
interleaved, round by round, with the same malloc thresholds; it prints a table of medians
with the per-round ratio (median and min..max) and writes all samples as JSON. Peak memory
runs each framework in a further process of its own. With several counts, a last table puts
each case's ours / torch / ratio at every count side by side.

`--out` says where the JSON goes: by default benchmarks/results/<date>-<N>t.json for each
count N; an existing directory gets the same file names; any other path is the file itself
with one count, or with several a prefix (`--out runs/x.json` or `--out runs/x` writes
runs/x-1t.json, runs/x-2t.json, ...). `--plot` draws the scaling plot of the run with the
most threads; `python -m benchmarks.plot_scaling FILE.json` draws it from any JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
SECTIONS = ("train", "augment", "ops", "overhead", "memory", "scaling")
RESULTS = Path(__file__).resolve().parent / "results"


def default_thread_counts() -> list[int]:
    """1, 2 and all the CPUs this process may use, deduplicated, sorted, none above the CPUs."""
    cpus = len(os.sched_getaffinity(0))
    return sorted({1, min(2, cpus), cpus})


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a thread count is a positive integer, not {text!r}")
    return int(text)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=_positive_int, nargs="+", default=None, metavar="N",
                        help="thread counts, each run in its own process, for our kernels and "
                        "both frameworks' BLAS/OpenMP (default: 1, 2 and all CPUs)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per case")
    parser.add_argument("--quick", action="store_true", help="3 rounds, no memory or scaling")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS)
    parser.add_argument("--out", default=None, help="JSON file, directory or path prefix "
                        "(default: benchmarks/results/<date>-<N>t.json)")
    parser.add_argument("--plot", action="store_true", help="also draw the scaling plot")
    args = parser.parse_args()
    args.threads = sorted(set(args.threads or default_thread_counts()))
    return args


def json_path(out: str | None, stamp: str, threads: int, several: bool) -> Path:
    """Where the run at `threads` writes its JSON, as the module docstring describes."""
    if out is None:
        return RESULTS / f"{stamp}-{threads}t.json"
    target = Path(out).resolve()
    if target.is_dir():
        return target / f"{stamp}-{threads}t.json"
    if not several:
        return target
    return target.with_name(f"{target.stem}-{threads}t{target.suffix or '.json'}")


def _run_here(threads: int, args: argparse.Namespace, path: Path) -> dict:
    """The suite at `threads` threads in this process, which has not imported NumPy yet."""
    # Before NumPy or PyTorch load their thread pools; inherited by the memory subprocesses.
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from benchmarks import malloc

    malloc_report = malloc.tune()
    from benchmarks import suite

    skip = set(args.skip) | ({"memory", "scaling"} if args.quick else set())
    results = suite.run(threads, 3 if args.quick else args.rounds, skip, malloc_report)
    suite.write(results, path)
    print(f"\nwrote {path}", flush=True)
    return results


def _run_in_subprocess(threads: int, args: argparse.Namespace, path: Path) -> dict:
    """The suite at `threads` threads in a fresh `python -m benchmarks --threads N`."""
    command = [sys.executable, "-m", "benchmarks", "--threads", str(threads),
               "--rounds", str(args.rounds), "--out", str(path)]
    if args.quick:
        command.append("--quick")
    if args.skip:
        command += ["--skip", *args.skip]
    print(f"\n$ python {' '.join(command[1:])}", flush=True)
    if subprocess.run(command, check=False).returncode != 0:
        sys.exit(f"python -m benchmarks: the run with {threads} thread(s) failed")
    return json.loads(path.read_text())


def main() -> None:
    args = _arguments()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H%M%SZ")
    several = len(args.threads) > 1
    paths = [json_path(args.out, stamp, n, several) for n in args.threads]
    if several:
        runs = [_run_in_subprocess(n, args, path) for n, path in zip(args.threads, paths)]
        from benchmarks import suite

        print(f"\nmedians across thread counts ({', '.join(map(str, args.threads))})")
        suite.print_across_threads(runs)
    else:
        runs = [_run_here(args.threads[0], args, paths[0])]
    if args.plot and "scaling" in runs[-1]:
        from benchmarks import plot_scaling

        for image in plot_scaling.plot(runs[-1]):
            print(f"wrote {image}")


if __name__ == "__main__":
    sys.exit(main())
