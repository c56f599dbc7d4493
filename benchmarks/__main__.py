"""Run the whole benchmark suite: `python -m benchmarks [--threads N] [--quick] [--skip ...]`.

Every case times tinygrad_cnn and (when installed) PyTorch interleaved in this one process,
round by round, with the same BLAS/OpenMP thread count and the same malloc thresholds; it
prints a table of medians with the per-round ratio (median and min..max) and writes all
samples as JSON to benchmarks/results/. Peak memory runs each framework in its own process.
`python -m benchmarks.plot_scaling FILE.json` draws the scaling plot from that JSON.
"""

from __future__ import annotations

import argparse
import os
import sys

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
SECTIONS = ("train", "augment", "ops", "overhead", "memory", "scaling")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS/OpenMP threads for both frameworks (default: all cores)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per case")
    parser.add_argument("--quick", action="store_true", help="3 rounds, no memory or scaling")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS)
    parser.add_argument("--out", default=None, help="JSON path (default: benchmarks/results/)")
    parser.add_argument("--plot", action="store_true", help="also draw the scaling plot")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    threads = args.threads or len(os.sched_getaffinity(0))
    # Before NumPy or PyTorch load their thread pools; inherited by the memory subprocesses.
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    from benchmarks import malloc

    malloc_report = malloc.tune()
    from benchmarks import suite

    skip = set(args.skip) | ({"memory", "scaling"} if args.quick else set())
    rounds = 3 if args.quick else args.rounds
    results = suite.run(threads, rounds, skip, malloc_report)
    path = suite.write(results, args.out)
    print(f"\nwrote {path}")
    if args.plot and "scaling" in results:
        from benchmarks import plot_scaling

        for image in plot_scaling.plot(results):
            print(f"wrote {image}")


if __name__ == "__main__":
    sys.exit(main())
