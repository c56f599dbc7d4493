"""Scaling: time per sample against batch size (LeNet-5 train step) and against image side
(a VGG-style block, forward + backward), ours and PyTorch's, interleaved as everywhere else.

The block is conv3x3(3->32) - ReLU - conv3x3(32->32) - ReLU - maxpool 2, padding 1, on a
batch of 4 images of side 28, 56, 112 and 224.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks import bench_train
from benchmarks.timing import Comparison, compare, torch_or_none
from tinygrad_cnn import Tensor

BATCHES = (1, 4, 16, 64, 256, 1024)
SIDES = (28, 56, 112, 224)
BLOCK_BATCH, WIDTH = 4, 32


def _block_arrays(side: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    shapes = [(BLOCK_BATCH, 3, side, side), (WIDTH, 3, 3, 3), (WIDTH,), (WIDTH, WIDTH, 3, 3),
              (WIDTH,)]
    return [(rng.standard_normal(s) * 0.1).astype(np.float32) for s in shapes]


def ours_block(arrays: list[np.ndarray]) -> Callable[[], None]:
    x = Tensor(arrays[0])
    params = [Tensor(a, requires_grad=True) for a in arrays[1:]]

    def step() -> None:
        for p in params:
            p.grad = None
        w1, b1, w2, b2 = params
        h = F.conv2d(x, w1, b1, padding=1).relu()
        h = F.conv2d(h, w2, b2, padding=1).relu()
        F.max_pool2d(h, 2).sum().backward()

    return step


def torch_block(torch, arrays: list[np.ndarray]) -> Callable[[], None]:
    tf = torch.nn.functional
    x = torch.from_numpy(arrays[0])
    params = [torch.tensor(a, requires_grad=True) for a in arrays[1:]]

    def step() -> None:
        for p in params:
            p.grad = None
        w1, b1, w2, b2 = params
        h = tf.conv2d(x, w1, b1, padding=1).relu()
        h = tf.conv2d(h, w2, b2, padding=1).relu()
        tf.max_pool2d(h, 2).sum().backward()

    return step


def run(rounds: int = 3) -> dict[str, list[dict[str, float]]]:
    """Seconds per sample (median over rounds) for each batch size and image side."""
    torch = torch_or_none()
    batch_rows, side_rows = [], []
    for batch in BATCHES:
        step, model = bench_train.ours_train_step(batch)
        contenders = {"ours": step}
        if torch is not None:
            contenders["torch"] = bench_train.torch_train_step(torch, batch, model)
        result = compare(f"LeNet-5 train step, batch {batch}", contenders, rounds=rounds)
        batch_rows.append(_row("batch", batch, result, batch))
    for side in SIDES:
        arrays = _block_arrays(side)
        contenders = {"ours": ours_block(arrays)}
        if torch is not None:
            contenders["torch"] = torch_block(torch, arrays)
        result = compare(f"VGG block, side {side}", contenders, rounds=rounds, repeat=2)
        side_rows.append(_row("side", side, result, BLOCK_BATCH))
    return {"batch": batch_rows, "side": side_rows}


def _row(key: str, value: int, result: Comparison, samples: int) -> dict[str, float]:
    row: dict[str, float] = {key: value}
    for who in result.samples:
        row[who] = result.median(who) / samples
    if "torch" in result.samples:
        row["ratio"] = float(np.median(result.ratios()))
    return row


def main() -> None:
    for key, rows in run().items():
        for row in rows:
            theirs = f"{row['torch'] * 1e6:10.1f}" if "torch" in row else "-"
            print(f"{key} {row[key]:>5}: ours {row['ours'] * 1e6:10.1f} us/sample, "
                  f"torch {theirs} us/sample")


if __name__ == "__main__":
    main()
