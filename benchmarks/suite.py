"""The suite behind `python -m benchmarks`: run every section, print the table, write JSON."""

from __future__ import annotations

import datetime
import json
import platform
import statistics
from pathlib import Path

import numpy as np

from benchmarks import (
    bench_augment,
    bench_conv,
    bench_memory,
    bench_overhead,
    bench_resnet,
    bench_scaling,
    bench_train,
)
from benchmarks.timing import SETTLE_SECONDS, Comparison, torch_or_none

RESULTS = Path(__file__).resolve().parent / "results"


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
    print(f"{row['name']:<46} {row['unit']:>3} {row['ours']:10.3f} {theirs} {spread:>18}",
          flush=True)


def run(threads: int, rounds: int, skip: set[str], malloc_report: dict) -> dict:
    """Every section not in `skip`; returns the JSON-ready results."""
    torch = torch_or_none()
    if torch is not None and torch.get_num_threads() != threads:
        raise RuntimeError(f"PyTorch runs {torch.get_num_threads()} threads, not {threads}")
    results: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "torch": getattr(torch, "__version__", None), "cpu": platform.processor()
                    or platform.machine(), "cores": threads},
        "threads": threads, "rounds": rounds, "settle_seconds": SETTLE_SECONDS,
        "malloc": malloc_report, "cases": [],
    }
    print(f"threads {threads} (both frameworks), {rounds} interleaved rounds, "
          f"malloc {malloc_report}")
    print(f"{'case':<46} {'':>3} {'ours':>10} {'torch':>10} {'ratio (min..max)':>18}")
    if "train" not in skip:
        for comparison, batch in [*bench_train.run(rounds), *bench_resnet.run(rounds)]:
            _add(results, _case(comparison, "ms", 1e3, batch))
    if "augment" not in skip:
        row = results["augmentation"] = bench_augment.run(rounds)
        print(f"{row['name']:<46}  ms {row['augment_ms']:10.3f} {row['train_step_ms']:10.3f} "
              f"{row['ratio']:5.3f} ({row['ratio_min']:.3f}..{row['ratio_max']:.3f}), "
              f"budget {row['budget']}", flush=True)
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


def write(results: dict, path: str | None = None) -> Path:
    """Write the results as JSON (default: benchmarks/results/<date>-<threads>t.json)."""
    if path is None:
        RESULTS.mkdir(exist_ok=True)
        stamp = results["date"].replace(":", "").replace("+0000", "Z")
        target = RESULTS / f"{stamp}-{results['threads']}t.json"
    else:
        target = Path(path)
    target.write_text(json.dumps(results, indent=1) + "\n")
    return target
