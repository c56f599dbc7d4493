"""The suite behind `python -m benchmarks`: run every section at one thread count, print the
table, write JSON; and the table across thread counts from several such runs."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
from pathlib import Path

import numpy as np

from benchmarks import (
    bench_augment,
    bench_conv,
    bench_epoch,
    bench_memory,
    bench_overhead,
    bench_resnet,
    bench_scaling,
    bench_train,
)
from benchmarks.timing import SETTLE_SECONDS, Comparison, torch_or_none
from tinygrad_cnn import set_num_threads

NAME_WIDTH = len(bench_epoch.NAME)  # the longest case name


def _case(comparison: Comparison, unit: str, scale: float, samples: int | None = None) -> dict:
    """One table row: medians in `unit`, the per-round ratios, and the raw seconds."""
    row = {"name": comparison.name, "unit": unit, "samples_seconds": comparison.samples}
    for who in comparison.samples:
        row[who] = comparison.median(who) * scale
    if samples:
        row["samples_per_second"] = {who: samples / comparison.median(who)
                                     for who in comparison.samples}
    if "torch" in comparison.samples:
        ratios = comparison.ratios()
        row["ratio"] = statistics.median(ratios)
        row["ratio_min"], row["ratio_max"] = min(ratios), max(ratios)
    return row


def _print_row(row: dict) -> None:
    theirs = f"{row['torch']:10.3f}" if "torch" in row else f"{'-':>10}"
    spread = (f"{row['ratio']:5.2f} ({row['ratio_min']:.2f}..{row['ratio_max']:.2f})"
              if "ratio" in row else "-")
    print(f"{row['name']:<{NAME_WIDTH}} {row['unit']:>3} {row['ours']:10.3f} {theirs} {spread:>18}",
          flush=True)


def run(threads: int, rounds: int, skip: set[str], malloc_report: dict) -> dict:
    """Every section not in `skip`, our kernels and both BLAS at `threads` threads; returns the
    JSON-ready results."""
    set_num_threads(threads)
    torch = torch_or_none()
    if torch is not None and torch.get_num_threads() != threads:
        raise RuntimeError(f"PyTorch runs {torch.get_num_threads()} threads, not {threads}")
    results: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "torch": getattr(torch, "__version__", None), "cpu": platform.processor()
                    or platform.machine(), "cores": len(os.sched_getaffinity(0))},
        "threads": threads, "rounds": rounds, "settle_seconds": SETTLE_SECONDS,
        "malloc": malloc_report, "cases": [],
    }
    print(f"threads {threads} (both frameworks, our kernels too), {rounds} interleaved rounds, "
          f"malloc {malloc_report}")
    print(f"{'case':<{NAME_WIDTH}} {'':>3} {'ours':>10} {'torch':>10} {'ratio (min..max)':>18}")
    if "train" not in skip:
        train = [*bench_train.run(rounds), *bench_resnet.run(rounds), *bench_epoch.run(rounds)]
        for comparison, batch in train:
            _add(results, _case(comparison, "ms", 1e3, batch))
    if "augment" not in skip:
        row = results["augmentation"] = bench_augment.run(rounds)
        print(f"{row['name']:<{NAME_WIDTH}}  ms {row['augment_ms']:10.3f} "
              f"{row['train_step_ms']:10.3f} {row['ratio']:5.3f} "
              f"({row['ratio_min']:.3f}..{row['ratio_max']:.3f}), budget {row['budget']}",
              flush=True)
    if "ops" not in skip:
        for comparison in bench_conv.run(rounds):
            _add(results, _case(comparison, "ms", 1e3))
    if "overhead" not in skip:
        for comparison in bench_overhead.run(rounds):
            _add(results, _case(comparison, "us", 1e6 / bench_overhead.CHAIN))
    if "memory" not in skip:
        memory = bench_memory.run(("ours", "torch") if torch is not None else ("ours",))
        results["memory"] = memory
        for who, readings in memory.items():
            print(f"peak memory {who:<6} {readings['peak']:8.1f} MiB (VmHWM), "
                  f"{readings['training_growth']:6.1f} MiB of it during "
                  f"{bench_memory.STEPS} steps at batch {bench_memory.BATCH}", flush=True)
    if "scaling" not in skip:
        results["scaling"] = bench_scaling.run(max(3, rounds // 2))
        for key, rows in results["scaling"].items():
            for row in rows:
                ratio = f"{row['ratio']:.2f}" if "ratio" in row else "-"
                theirs = f"{row['torch'] * 1e3:9.3f}" if "torch" in row else "-"
                print(f"scaling {key:>5} {row[key]:>5}: ms/sample ours {row['ours'] * 1e3:9.3f}"
                      f"  torch {theirs}  ratio {ratio}", flush=True)
    return results


def _add(results: dict, row: dict) -> None:
    results["cases"].append(row)
    _print_row(row)


def write(results: dict, path: Path) -> None:
    """Write the results as JSON to `path`, creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n")


def print_across_threads(runs: list[dict]) -> None:
    """One table of the timed cases of several runs: ours, torch and the median ratio at each
    run's thread count, side by side (augmentation, memory and scaling stay in each run's own
    table)."""
    names = list(dict.fromkeys(row["name"] for run in runs for row in run["cases"]))
    by_name = [{row["name"]: row for row in run["cases"]} for run in runs]
    print(f"{'case':<{NAME_WIDTH}} {'':>3}" + "".join(
        f" {f'ours {n}t':>10} {f'torch {n}t':>10} {f'ratio {n}t':>9}"
        for n in (run["threads"] for run in runs)))
    for name in names:
        unit = next(rows[name]["unit"] for rows in by_name if name in rows)
        print(f"{name:<{NAME_WIDTH}} {unit:>3}" + "".join(
            _columns(rows.get(name)) for rows in by_name))


def _columns(row: dict | None) -> str:
    """Ours, torch and ratio of one run's row, '-' where missing."""
    row = row or {}
    cells = [f"{row[key]:10.3f}" if key in row else f"{'-':>10}" for key in ("ours", "torch")]
    ratio = f"{row['ratio']:9.2f}" if "ratio" in row else f"{'-':>9}"
    return f" {cells[0]} {cells[1]} {ratio}"
