"""Engine overhead: a chain of 1,000 small elementwise ops, forward and backward, per op."""

from __future__ import annotations

import numpy as np

from benchmarks.timing import compare, header, torch_or_none
from tinygrad_cnn import Tensor

CHAIN = 1_000


def ours_chain(x: Tensor) -> None:
    y = x
    for i in range(CHAIN):
        y = y * 1.0001 if i % 2 else y + 0.5
    y.sum().backward()


def torch_chain(torch, x) -> None:
    y = x
    for i in range(CHAIN):
        y = y * 1.0001 if i % 2 else y + 0.5
    y.sum().backward()


def run(rounds: int = 7) -> list:
    """Time the chain for us and PyTorch; the result is seconds per chain (CHAIN ops)."""
    data = np.ones(16, dtype=np.float32)
    contenders = {"ours": lambda: ours_chain(Tensor(data, requires_grad=True))}
    torch = torch_or_none()
    if torch is not None:
        contenders["torch"] = lambda: torch_chain(torch, torch.ones(16, requires_grad=True))
    return [compare(f"{CHAIN}-op chain fwd+bwd (us per op)", contenders, rounds=rounds)]


def main() -> None:
    print(header("us"))
    for comparison in run():
        print(comparison.row(unit=1e6 / CHAIN))


if __name__ == "__main__":
    main()
