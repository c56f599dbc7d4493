"""Draw the picture of docs/data.md: digits of the embedded subset under each augmentation.

Run from anywhere: ``python docs/scripts/make_data_images.py [OUT_DIR]`` (needs matplotlib).
Rows are the original digits, then each transform alone, then the `--augment` recipe; the
generator is seeded, so rerunning changes the picture only when the transforms change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tinygrad_cnn import manual_seed
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.data import transforms as T

IMAGES = Path(__file__).resolve().parents[1] / "images"
NAME = "data_augmented_digits.png"
ROWS = [
    ("original", None),
    ("RandomCrop(28, padding=3)", T.RandomCrop(28, padding=3)),
    ("RandomRotation(25)", T.RandomRotation(25)),
    ("RandomErasing(p=1)", T.RandomErasing(p=1.0, scale=(0.05, 0.2), value=1.0)),
    ("RandomHorizontalFlip()", T.RandomHorizontalFlip()),
    ("digit_augmentation()\n(--augment)", T.digit_augmentation()),
]


def grid(digits: np.ndarray) -> np.ndarray:
    """One row of `digits` per entry of ROWS, a one-pixel gray line between cells."""
    rows = [digits if t is None else t(digits) for _, t in ROWS]  # (N, 1, 28, 28) each
    cells = np.full((len(rows), len(digits), 30, 30), 0.5, np.float32)
    for i, row in enumerate(rows):
        cells[i, :, 1:29, 1:29] = row[:, 0]
    return cells.transpose(0, 2, 1, 3).reshape(len(rows) * 30, len(digits) * 30)


def main(out: Path = IMAGES, columns: int = 10) -> list[Path]:
    """Write the picture into `out` and return its path."""
    from matplotlib.figure import Figure

    (x_train, y_train), _ = load_mnist()
    digits = x_train[[int(np.argmax(y_train == d)) for d in range(columns)]]  # 0, 1, 2, ...
    manual_seed(0)
    figure = Figure(figsize=(1.0 + 0.62 * columns, 0.62 * len(ROWS)), layout="constrained")
    axes = figure.subplots()
    axes.imshow(grid(digits), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes.set_yticks([30 * i + 15 for i in range(len(ROWS))], [name for name, _ in ROWS],
                    fontsize=8)
    axes.set_xticks([])
    out.mkdir(parents=True, exist_ok=True)
    path = out / NAME
    figure.savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES):
        print(f"wrote {written}")
