"""LeNet-5 training and inference throughput (samples per second) against PyTorch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import tinygrad_cnn.nn.functional as F
from benchmarks import torch_twins
from benchmarks.timing import Comparison, compare, torch_or_none
from tinygrad_cnn import Tensor, manual_seed, models, no_grad, optim


def _batch(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)


def ours_train_step(batch: int) -> tuple[Callable[[], None], object]:
    """One Adam step of LeNet-5 on a fixed batch; also returns the model."""
    manual_seed(0)
    model = models.lenet5()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x, y = _batch(batch)
    xt = Tensor(x)

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(xt), y).backward()
        opt.step()

    return step, model


def torch_train_step(torch, batch: int, ours_model) -> Callable[[], None]:
    """The same step in PyTorch, from the same initial weights."""
    model = torch_twins.lenet5(torch)
    torch_twins.copy_weights(torch, ours_model, model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = (torch.from_numpy(a) for a in _batch(batch))

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def inference(batch: int, torch) -> dict[str, Callable[[], object]]:
    """Forward passes without gradients, ours and (when installed) PyTorch's."""
    manual_seed(0)
    model = models.lenet5().eval()
    x, _ = _batch(batch)
    xt = Tensor(x)
    contenders: dict[str, Callable[[], object]] = {}

    @no_grad()
    def ours() -> object:
        return model(xt)

    contenders["ours"] = ours
    if torch is not None:
        twin = torch_twins.lenet5(torch).eval()
        torch_twins.copy_weights(torch, model, twin)
        tx = torch.from_numpy(x)

        def theirs() -> object:
            with torch.no_grad():
                return twin(tx)

        contenders["torch"] = theirs
    return contenders


def run(rounds: int = 7) -> list[tuple[Comparison, int]]:
    """(comparison, batch size) for each case; samples/s = batch / seconds."""
    torch = torch_or_none()
    results = []
    for batch in (64, 256):
        step, model = ours_train_step(batch)
        contenders = {"ours": step}
        if torch is not None:
            contenders["torch"] = torch_train_step(torch, batch, model)
        results.append((compare(f"LeNet-5 train step, batch {batch}", contenders, rounds), batch))
    results.append((compare("LeNet-5 inference, batch 1000", inference(1000, torch), rounds), 1000))
    return results


def main() -> None:
    print(f"{'case':<36} {'ours samples/s':>15} {'torch samples/s':>16} {'time ratio':>18}")
    for comparison, batch in run():
        ours = batch / comparison.median("ours")
        if "torch" in comparison.samples:
            theirs = batch / comparison.median("torch")
            ratios = comparison.ratios()
            spread = f"{np.median(ratios):.2f} ({min(ratios):.2f}..{max(ratios):.2f})"
            print(f"{comparison.name:<36} {ours:15,.0f} {theirs:16,.0f} {spread:>18}")
        else:
            print(f"{comparison.name:<36} {ours:15,.0f} {'-':>16} {'-':>18}")


if __name__ == "__main__":
    main()
