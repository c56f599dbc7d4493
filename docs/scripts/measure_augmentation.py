"""Measure what `--augment` buys LeNet-5 on the embedded MNIST subset: the table of docs/data.md.

Run from anywhere: ``python docs/scripts/measure_augmentation.py`` (about ten minutes on two
cores; not part of the test suite). For 10 and 40 epochs and seeds 0, 1, 2 it runs
``tinygrad-cnn train --model lenet5 --epochs E --seed S`` without and with ``--augment``, one
run at a time (each uses the machine's cores), prints a Markdown table of the final test
accuracies and the seconds per epoch, and writes every run's per-epoch test accuracy and time
to ``docs/data/augmentation.json``; ``--table`` prints the table again from that file.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "data" / "augmentation.json"
EPOCH_LINE = re.compile(r"epoch +\d+ .* val_acc (?P<acc>[\d.]+) +(?P<seconds>[\d.]+)s")
EPOCHS = (10, 40)
SEEDS = (0, 1, 2)


def train(epochs: int, seed: int, augment: bool) -> dict[str, object]:
    """One CLI run: its command, per-epoch test accuracies and seconds."""
    arguments = ["train", "--model", "lenet5", "--epochs", str(epochs), "--seed", str(seed),
                 "--quiet", *(["--augment"] if augment else [])]
    result = subprocess.run([sys.executable, "-m", "tinygrad_cnn", *arguments], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    epochs_seen = [m.groupdict() for m in EPOCH_LINE.finditer(result.stdout)]
    return {"command": " ".join(["tinygrad-cnn", *arguments]),
            "val_accuracy": [float(e["acc"]) for e in epochs_seen],
            "seconds": [float(e["seconds"]) for e in epochs_seen]}


def table(runs: dict[str, list[dict]]) -> str:
    """Markdown: per setting, the final accuracy per seed, their mean, and seconds per epoch.

    The seconds are the median and the fastest epoch of all its runs: on a shared machine the
    median carries other people's load, the fastest epoch is the cost without it.
    """
    lines = ["| epochs | `--augment` | " + " | ".join(f"seed {s}" for s in SEEDS)
             + " | mean | s/epoch, median | s/epoch, fastest |", "|---" * (len(SEEDS) + 5) + "|"]
    for key, results in runs.items():
        epochs, augment = key.split("/")
        final = [r["val_accuracy"][-1] for r in results]
        seconds = [s for r in results for s in r["seconds"]]
        lines.append(f"| {epochs} | {augment} | " + " | ".join(f"{a:.4f}" for a in final)
                     + f" | **{statistics.mean(final):.4f}** | {statistics.median(seconds):.1f}"
                     f" | {min(seconds):.1f} |")
    return "\n".join(lines)


def main() -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {}
    for epochs in EPOCHS:
        for augment in (False, True):
            key = f"{epochs}/{'yes' if augment else 'no'}"
            runs[key] = [train(epochs, seed, augment) for seed in SEEDS]
            print(key, [r["val_accuracy"][-1] for r in runs[key]], flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(runs, indent=1) + "\n")
    print(table(runs))
    return runs


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:  # the table again, from the recorded runs
        print(table(json.loads(OUT.read_text())))
    else:
        main()
