"""Interleaved timing: ours and PyTorch's alternate round by round, so both see the same machine."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# OpenBLAS threads spin for ~0.1 s after a BLAS call and slow whatever runs next; a pause
# before each timed sample lets them park, for every framework alike.
SETTLE_SECONDS = 0.25


def torch_or_none():
    """PyTorch, set to NumPy's thread count, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(blas_threads())
    return torch


def blas_threads() -> int:
    """The thread count NumPy's BLAS uses (so PyTorch can be given the same)."""
    import os

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):  # what OpenBLAS reads at import
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    try:
        from threadpoolctl import threadpool_info

        counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
        if counts:
            return counts[0]
    except ImportError:
        pass
    return len(os.sched_getaffinity(0))


@dataclass
class Comparison:
    """Seconds per call of each contender, one sample per round."""

    name: str
    samples: dict[str, list[float]] = field(default_factory=dict)

    def median(self, who: str) -> float:
        return statistics.median(self.samples[who])

    def ratios(self, who: str = "ours", reference: str = "torch") -> list[float]:
        return [a / b for a, b in zip(self.samples[who], self.samples[reference])]

    def row(self, unit: float = 1e3) -> str:
        ours = self.median("ours") * unit
        if "torch" not in self.samples:
            return f"{self.name:<44} {ours:10.3f} {'-':>10} {'-':>18}"
        ratios = self.ratios()
        torch_time = self.median("torch") * unit
        spread = f"{statistics.median(ratios):5.2f} ({min(ratios):.2f}..{max(ratios):.2f})"
        return f"{self.name:<44} {ours:10.3f} {torch_time:10.3f} {spread:>18}"


def compare(
    name: str, contenders: dict[str, Callable[[], object]], rounds: int = 7, repeat: int = 3,
    warmup: int = 2,
) -> Comparison:
    """Time each contender `repeat` times per round, alternating, for `rounds` rounds.

    Each sample is the best of `repeat` consecutive calls, taken after a settling pause.
    """
    result = Comparison(name, {who: [] for who in contenders})
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    for _ in range(rounds):
        for who, fn in contenders.items():
            time.sleep(SETTLE_SECONDS)
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                fn()
                best = min(best, time.perf_counter() - start)
            result.samples[who].append(best)
    return result


def header(unit: str = "ms") -> str:
    """The column titles for `Comparison.row`."""
    return f"{'case':<44} {'ours ' + unit:>10} {'torch ' + unit:>10} {'ratio (min..max)':>18}"
