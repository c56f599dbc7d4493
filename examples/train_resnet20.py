"""Train the CIFAR-style ResNet-20 on the embedded MNIST subset with a modern recipe.

SGD with Nesterov momentum and weight decay; the learning rate warms up linearly over the
first epoch (LinearLR, stepped per batch) and then follows a cosine to zero (a
CosineAnnealingLR built when the warm-up ends, stepped per batch, so the two schedules
join without a jump); gradients are clipped to a total norm of 2 before each step.

    python examples/train_resnet20.py --epochs 10 --seed 0

Set TINYGRAD_CNN_QUICK=1 (or pass --quick) for 64 images in batches of 32 (a smoke test: two
epochs unless --epochs says otherwise). A bar shows each epoch's batches on a terminal, and a
line follows each epoch.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from tqdm.auto import tqdm

import tinygrad_cnn.nn.functional as F
from tinygrad_cnn import manual_seed, models, nn, no_grad, optim
from tinygrad_cnn.data import DataLoader, TensorDataset, load_mnist
from tinygrad_cnn.optim.lr_scheduler import CosineAnnealingLR, LinearLR

QUICK = bool(os.environ.get("TINYGRAD_CNN_QUICK"))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, help="default: 10, or 2 with --quick")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--max-norm", type=float, default=2.0, help="gradient clipping norm")
    parser.add_argument("--quick", action="store_true", default=QUICK,
                        help="64 training images in batches of 32 (a smoke test)")
    return parser.parse_args()


def standardize(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    return ((x - mean) / std).astype(np.float32)


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray, batch_size: int = 500) -> float:
    """The fraction of `x` classified as `y`, in eval mode (BatchNorm's running statistics)."""
    model.eval()
    correct = 0
    with no_grad():
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size):
            _, predicted = model(xb).max(1)
            correct += (predicted == yb).sum().item()
    model.train()
    return correct / len(x)


def main() -> None:
    args = arguments()
    manual_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    epochs, batch_size = args.epochs or (2 if args.quick else 10), args.batch_size
    if args.quick:
        x_train, y_train, x_test, y_test = x_train[:64], y_train[:64], x_test[:100], y_test[:100]
        batch_size = 32
    mean, std = float(x_train.mean()), float(x_train.std())
    x_train, x_test = standardize(x_train, mean, std), standardize(x_test, mean, std)

    model = models.resnet20(num_classes=10, in_channels=1)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                          weight_decay=args.weight_decay)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size, shuffle=True, seed=args.seed)
    warmup_steps, total_steps = len(loader), epochs * len(loader)
    schedule: LinearLR | CosineAnnealingLR = LinearLR(optimizer, start_factor=0.1,
                                                      total_iters=warmup_steps)
    print(f"ResNet-20: {model.num_parameters():,} parameters; {len(x_train)} training images, "
          f"{epochs} epoch{'s' * (epochs != 1)} of {len(loader)} batches")
    start, step = time.perf_counter(), 0
    for epoch in range(1, epochs + 1):
        losses = []
        # disable=None: a bar on a terminal only, so logs get the epoch lines alone
        for xb, yb in tqdm(loader, desc=f"epoch {epoch}/{epochs}", disable=None, leave=False):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.max_norm)
            optimizer.step()
            schedule.step()
            step += 1
            if step == warmup_steps < total_steps:  # at the full rate: anneal from here on
                schedule = CosineAnnealingLR(optimizer, T_max=total_steps - warmup_steps)
            losses.append(loss.item())
        print(f"epoch {epoch:2d}  loss {np.mean(losses):.4f}  "
              f"test accuracy {accuracy(model, x_test, y_test):.4f}  "
              f"lr {optimizer.param_groups[0]['lr']:.4f}  "
              f"{time.perf_counter() - start:6.0f} s", flush=True)
    final = accuracy(model, x_test, y_test)
    print(f"seed {args.seed}: test accuracy {final:.4f} after {epochs} "
          f"epoch{'s' * (epochs != 1)} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
