"""ResNets against PyTorch: ResNet-20 (CIFAR, 32x32x3) training steps at batch 128 and inference
at batch 500, and a ResNet-18 training step at 32x32, batch 64.

A training step is forward, cross-entropy, backward and an SGD step with momentum 0.9 and
weight decay 5e-4, on a fixed batch; inference is a forward pass in eval mode under no_grad.
PyTorch runs torchvision's models rebuilt in plain torch.nn (`torchvision_twins`), from our
initial weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks import torch_twins, torchvision_twins
from benchmarks.timing import Comparison, compare, torch_or_none
from tinygrad_cnn import Tensor, manual_seed, models, no_grad, optim

SIZE, CLASSES = 32, 10

# (case name, model, batch, training?)
CASES = [
    ("ResNet-20 train step, batch 128", "resnet20", 128, True),
    ("ResNet-20 inference, batch 500", "resnet20", 500, False),
    (f"ResNet-18 train step, {SIZE}x{SIZE}, batch 64", "resnet18", 64, True),
]


def _batch(batch: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((batch, 3, SIZE, SIZE), dtype=np.float32), rng.integers(0, CLASSES, batch)


def ours_model(name: str):
    """Our model `name` (resnet20 or resnet18) for 10 classes, from seed 0."""
    manual_seed(0)
    return getattr(models, name)(num_classes=CLASSES)


def ours_train_step(name: str, batch: int) -> tuple[Callable[[], None], object]:
    """One SGD step of our model on a fixed batch; also returns the model."""
    model = ours_model(name)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x, y = _batch(batch)
    xt = Tensor(x)

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(xt), y).backward()
        opt.step()

    return step, model


def ours_inference(name: str, batch: int) -> tuple[Callable[[], object], object]:
    """A forward pass of our model in eval mode under no_grad; also returns the model."""
    model = ours_model(name).eval()
    xt = Tensor(_batch(batch)[0])

    @no_grad()
    def forward() -> object:
        return model(xt)

    return forward, model


def torch_train_step(torch, name: str, batch: int, ours) -> Callable[[], None]:
    """The same step in PyTorch (torchvision's model rebuilt), from the same weights."""
    model = torchvision_twins.build(torch, name, num_classes=CLASSES)
    torch_twins.copy_weights(torch, ours, model)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x, y = (torch.from_numpy(a) for a in _batch(batch))

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def torch_inference(torch, name: str, batch: int, ours) -> Callable[[], object]:
    """The same forward pass in PyTorch, eval mode, no_grad."""
    model = torchvision_twins.build(torch, name, num_classes=CLASSES).eval()
    torch_twins.copy_weights(torch, ours, model)
    x = torch.from_numpy(_batch(batch)[0])

    def forward() -> object:
        with torch.no_grad():
            return model(x)

    return forward


def run(rounds: int = 7) -> list[tuple[Comparison, int]]:
    """(comparison, batch size) of every case, ours and (when installed) PyTorch's."""
    torch = torch_or_none()
    results = []
    for case, name, batch, training in CASES:
        ours, model = (ours_train_step if training else ours_inference)(name, batch)
        contenders = {"ours": ours}
        if torch is not None:
            contenders["torch"] = (torch_train_step if training else torch_inference)(
                torch, name, batch, model)
        results.append((compare(case, contenders, rounds, repeat=1), batch))
    return results


def main() -> None:
    for comparison, _ in run():
        print(comparison.row())


if __name__ == "__main__":
    main()
