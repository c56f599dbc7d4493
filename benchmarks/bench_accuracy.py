"""LeNet-5 test accuracy on the embedded subset: ours against PyTorch, the same recipe.

Adam (lr 1e-3), batch 64, 10 epochs; both frameworks start from the same weights and see the
same batches in the same order, so the difference is the arithmetic alone.
"""

from __future__ import annotations

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks import torch_twins
from benchmarks.timing import torch_or_none
from tinygrad_cnn import Tensor, manual_seed, models, no_grad, optim
from tinygrad_cnn.data import DataLoader, TensorDataset, load_mnist

EPOCHS, BATCH, LR = 10, 64, 1e-3


def train_ours(model, data, epochs: int) -> float:
    (x_train, y_train), (x_test, y_test) = data
    opt = optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(x_train, y_train), BATCH, shuffle=True, seed=0)
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb.data).backward()
            opt.step()
    model.eval()
    with no_grad():
        return float((model(Tensor(x_test)).data.argmax(1) == y_test).mean())


def train_torch(torch, model, data, epochs: int) -> float:
    (x_train, y_train), (x_test, y_test) = data
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(x_train, y_train), BATCH, shuffle=True, seed=0)
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            logits = model(torch.from_numpy(np.ascontiguousarray(xb.data)))
            torch.nn.functional.cross_entropy(logits, torch.from_numpy(yb.data)).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    return float((logits.argmax(1) == y_test).mean())


def run(epochs: int = EPOCHS, seeds: tuple[int, ...] = (0, 1, 2)) -> list[dict[str, float]]:
    """Test accuracy per initial-weight seed, for us and (when installed) PyTorch."""
    data = load_mnist()
    torch = torch_or_none()
    results = []
    for seed in seeds:
        manual_seed(seed)
        ours = models.lenet5()
        row = {"seed": seed}
        if torch is not None:
            twin = torch_twins.lenet5(torch)
            torch_twins.copy_weights(torch, ours, twin)
            row["torch"] = train_torch(torch, twin, data, epochs)
        row["ours"] = train_ours(ours, data, epochs)
        results.append(row)
    return results


def main() -> None:
    print(f"LeNet-5, Adam lr={LR}, batch {BATCH}, {EPOCHS} epochs, 4,000 train / 1,000 test")
    for row in run():
        theirs = f"{row['torch']:.4f}" if "torch" in row else "-"
        print(f"seed {row['seed']}: ours {row['ours']:.4f}   torch {theirs}")


if __name__ == "__main__":
    main()
