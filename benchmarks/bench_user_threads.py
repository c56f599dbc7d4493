"""Several user threads at once: four threads each train a LeNet-5 of their own, with the
default thread count (the pool and BLAS at every CPU) against `set_num_threads(1)`.

`python -m benchmarks.bench_user_threads [--rounds N]`. The two settings alternate round by
round in one process; the ratio default / one thread should stay near 1: the kernels keep
BLAS at one thread while any thread is inside one, whichever thread called them.
"""

from __future__ import annotations

import argparse
import threading
import time

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks.timing import compare
from tinygrad_cnn import Tensor, get_num_threads, manual_seed, models, optim, set_num_threads

USERS, STEPS, BATCH = 4, 10, 64


def _train(model: models.LeNet5, x: np.ndarray, y: np.ndarray) -> None:
    opt = optim.SGD(model.parameters(), lr=0.01)
    for _ in range(STEPS):
        opt.zero_grad()
        F.cross_entropy(model(Tensor(x)), y).backward()
        opt.step()


def four_users(threads: int) -> float:
    """Seconds for USERS threads to train STEPS steps each, at `threads` kernel threads."""
    set_num_threads(threads)
    manual_seed(0)
    trained = [models.lenet5() for _ in range(USERS)]
    x = np.random.default_rng(0).random((BATCH, 1, 28, 28), dtype=np.float32)
    y = np.arange(BATCH) % 10
    users = [threading.Thread(target=_train, args=(m, x, y)) for m in trained]
    start = time.perf_counter()
    for user in users:
        user.start()
    for user in users:
        user.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_user_threads",
                                     description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    default = get_num_threads()
    result = compare(f"{USERS} users x {STEPS} LeNet-5 steps", {
        f"{default} threads": lambda: four_users(default),
        "1 thread": lambda: four_users(1),
    }, rounds=args.rounds, repeat=1, warmup=1)
    ratios = result.ratios(f"{default} threads", "1 thread")
    print(f"{result.name}: {default} threads {result.median(f'{default} threads'):.2f} s, "
          f"1 thread {result.median('1 thread'):.2f} s; ratio median {np.median(ratios):.2f} "
          f"({min(ratios):.2f}..{max(ratios):.2f})")
    set_num_threads(default)


if __name__ == "__main__":
    main()
