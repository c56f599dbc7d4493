"""One ResNet-18 training step (SGD with momentum) at 32x32, batch 64, against PyTorch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks import torch_twins, torchvision_twins
from benchmarks.timing import Comparison, compare, torch_or_none
from tinygrad_cnn import Tensor, manual_seed, models, optim

BATCH, SIZE, CLASSES = 64, 32, 10


def _batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((BATCH, 3, SIZE, SIZE), dtype=np.float32), rng.integers(0, CLASSES, BATCH)


def ours_train_step() -> tuple[Callable[[], None], object]:
    """One SGD step of our ResNet-18 on a fixed batch; also returns the model."""
    manual_seed(0)
    model = models.resnet18(num_classes=CLASSES)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x, y = _batch()
    xt = Tensor(x)

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(xt), y).backward()
        opt.step()

    return step, model


def torch_train_step(torch, ours_model) -> Callable[[], None]:
    """The same step in PyTorch (torchvision's ResNet-18 rebuilt), from the same weights."""
    model = torchvision_twins.build(torch, "resnet18", num_classes=CLASSES)
    torch_twins.copy_weights(torch, ours_model, model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x, y = (torch.from_numpy(a) for a in _batch())

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def run(rounds: int = 7) -> list[tuple[Comparison, int]]:
    """(comparison, batch size): the training step, ours and (when installed) PyTorch's."""
    torch = torch_or_none()
    step, model = ours_train_step()
    contenders = {"ours": step}
    if torch is not None:
        contenders["torch"] = torch_train_step(torch, model)
    name = f"ResNet-18 train step, {SIZE}x{SIZE}, batch {BATCH}"
    return [(compare(name, contenders, rounds, repeat=1), BATCH)]


def main() -> None:
    for comparison, _ in run():
        print(comparison.row())


if __name__ == "__main__":
    main()
