"""The cost of augmentation: crop + rotation of 256 MNIST digits against a LeNet-5 step at 256."""

from __future__ import annotations

import statistics

from benchmarks.bench_train import ours_train_step
from benchmarks.timing import compare
from tinygrad_cnn import manual_seed
from tinygrad_cnn.data import load_mnist, transforms

BATCH = 256
BUDGET = 0.25  # augmenting a batch may cost at most a quarter of a training step on it


def run(rounds: int = 7) -> dict:
    """Both timed in one interleaved comparison; the ratio is taken round by round."""
    (x_train, _), _ = load_mnist()
    digits = x_train[:BATCH]
    augment = transforms.Compose([transforms.RandomCrop(28, padding=2),
                                  transforms.RandomRotation(10)])
    manual_seed(0)
    step, _ = ours_train_step(BATCH)
    comparison = compare(f"augment crop+rotation vs train step, batch {BATCH}",
                         {"augment": lambda: augment(digits), "step": step}, rounds)
    ratios = [a / s for a, s in zip(comparison.samples["augment"], comparison.samples["step"])]
    return {"name": comparison.name, "augment_ms": comparison.median("augment") * 1e3,
            "train_step_ms": comparison.median("step") * 1e3,
            "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios), "budget": BUDGET, "samples_seconds": comparison.samples}


def main() -> None:
    row = run()
    print(f"crop+rotation of {BATCH} digits {row['augment_ms']:.2f} ms, LeNet-5 train step "
          f"{row['train_step_ms']:.1f} ms: ratio {row['ratio']:.3f} "
          f"({row['ratio_min']:.3f}..{row['ratio_max']:.3f}), budget {BUDGET}")


if __name__ == "__main__":
    main()
