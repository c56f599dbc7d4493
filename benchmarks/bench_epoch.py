"""One LeNet-5 training epoch on the embedded MNIST subset, as a user runs it, against PyTorch.

Ours is `Classifier.fit` for one epoch (Adam lr 1e-3, batch 64, quiet): shuffling, batching,
the steps and the running loss and accuracy it records. PyTorch's twin starts from the same
weights and does the same epoch by hand: a fresh permutation, batches of 64 taken by indexing,
cross-entropy, backward, Adam step, and the same running loss and accuracy. An epoch takes
seconds, so a sample is one epoch (repeat 1, one warm-up epoch); both models keep training
from one round to the next.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks import torch_twins
from benchmarks.timing import Comparison, compare, torch_or_none
from tinygrad_cnn import manual_seed, models, optim
from tinygrad_cnn.data import load_mnist
from tinygrad_cnn.train import Classifier

BATCH, LR = 64, 1e-3
NAME = f"LeNet-5 epoch, embedded MNIST subset (4,000 images, batch {BATCH})"


def ours_epoch(x: np.ndarray, y: np.ndarray) -> tuple[Callable[[], object], object]:
    """One epoch of `Classifier.fit` on (x, y) per call; also returns the model."""
    manual_seed(0)
    model = models.lenet5()
    classifier = Classifier(model, optim.Adam(model.parameters(), lr=LR), epochs=1,
                            batch_size=BATCH, seed=0, verbose=False)
    return lambda: classifier.fit(x, y), model


def torch_epoch(torch, x: np.ndarray, y: np.ndarray, ours_model) -> Callable[[], object]:
    """The same epoch in PyTorch, from the same initial weights; returns (loss, accuracy)."""
    model = torch_twins.lenet5(torch)
    torch_twins.copy_weights(torch, ours_model, model)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    images, labels = torch.from_numpy(x), torch.from_numpy(y)
    generator = torch.Generator().manual_seed(0)

    def epoch() -> tuple[float, float]:
        model.train()
        total_loss, correct = 0.0, 0
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(labels), BATCH):
            index = order[start : start + BATCH]
            xb, yb = images[index], labels[index]
            opt.zero_grad()
            logits = model(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            total_loss += loss.item() * len(yb)
            loss.backward()
            opt.step()
            correct += int((logits.argmax(dim=1) == yb).sum())
        return total_loss / len(labels), correct / len(labels)

    return epoch


def run(rounds: int = 7) -> list[tuple[Comparison, int]]:
    """(comparison, training images): one epoch, ours and (when installed) PyTorch's."""
    (x, y), _ = load_mnist()
    torch = torch_or_none()
    epoch, model = ours_epoch(x, y)
    contenders = {"ours": epoch}
    if torch is not None:
        contenders["torch"] = torch_epoch(torch, x, y, model)
    return [(compare(NAME, contenders, rounds, repeat=1, warmup=1), len(y))]


def main() -> None:
    for comparison, _ in run():
        print(comparison.row())


if __name__ == "__main__":
    main()
