"""Peak memory of 100 LeNet-5 training steps at batch 256, each framework in its own process.

`run()` starts one subprocess per framework (`python -m benchmarks.bench_memory ours|torch`)
with the same malloc thresholds and thread count, and reads back the RSS high-water mark
(`VmHWM` in /proc/self/status) at three points: after the imports, after building the model
and batch, and after the training steps. The peak and the growth during training are both
reported, since importing PyTorch alone costs more than our whole run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

STEPS, BATCH = 100, 256


def vm_hwm_mb() -> float:
    """The process's peak resident set size so far, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def vm_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def measure(framework: str, steps: int = STEPS, batch: int = BATCH) -> dict[str, float]:
    """Train in this process and return the memory readings (MiB)."""
    from benchmarks import malloc

    malloc.tune()
    from benchmarks import bench_train

    readings = {"imports": vm_hwm_mb()}
    if framework == "ours":
        step, _ = bench_train.ours_train_step(batch)
    else:
        from benchmarks.timing import torch_or_none

        torch = torch_or_none()
        ours_step, model = bench_train.ours_train_step(batch)
        del ours_step
        step = bench_train.torch_train_step(torch, batch, model)
    readings["ready_rss"] = vm_rss_mb()
    readings["ready"] = vm_hwm_mb()
    for _ in range(steps):
        step()
    readings["peak"] = vm_hwm_mb()
    readings["training_growth"] = readings["peak"] - readings["ready_rss"]
    return readings


def run(frameworks: tuple[str, ...] = ("ours", "torch")) -> dict[str, dict[str, float]]:
    """Each framework's readings, measured in a fresh subprocess."""
    results = {}
    for framework in frameworks:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_memory", framework],
            capture_output=True, text=True, check=False, env=dict(os.environ),
        )
        if out.returncode != 0:
            if framework != "ours" and "No module named" in out.stderr:
                continue
            raise RuntimeError(f"bench_memory {framework} failed:\n{out.stderr}")
        results[framework] = json.loads(out.stdout.strip().splitlines()[-1])
    return results


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
        return
    for framework, readings in run().items():
        print(f"{framework:<6} peak {readings['peak']:7.1f} MiB, "
              f"growth during training {readings['training_growth']:6.1f} MiB")


if __name__ == "__main__":
    main()
