"""Shared helpers for the optimiser tests: a small problem, and runs of ours and PyTorch's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from torch_parity import torch_module

from tinygrad_cnn import Tensor

SHAPES = [(3, 4), (5,), ()]


def make_problem(
    steps: int = 6, dtype: Any = np.float64, seed: int = 0, shapes: list[tuple] = SHAPES
) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """Initial parameters and one list of gradients per step, from a seeded generator."""
    rng = np.random.default_rng(seed)
    inits = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
    grads = [[rng.standard_normal(shape).astype(dtype) for shape in shapes] for _ in range(steps)]
    return inits, grads


def run_ours(
    cls: type, inits: list[np.ndarray], grads: list[list[np.ndarray]], **options: Any
) -> list[list[np.ndarray]]:
    """Run our optimiser over fixed gradients; the parameters after each step (copies)."""
    params = [Tensor(init.copy(), requires_grad=True) for init in inits]
    opt = cls(params, **options)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = Tensor(g.copy())
        opt.step()
        history.append([p.data.copy() for p in params])
    return history


def run_torch(
    name: str, inits: list[np.ndarray], grads: list[list[np.ndarray]], **options: Any
) -> list[list[np.ndarray]]:
    """Run `torch.optim.<name>` over the same gradients (skips the test without PyTorch)."""
    torch = torch_module()
    params = [torch.nn.Parameter(torch.tensor(init.copy())) for init in inits]
    opt = getattr(torch.optim, name)(params, **options)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = torch.tensor(g.copy())
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


def assert_histories_close(
    ours: list[list[np.ndarray]], theirs: list[list[np.ndarray]], rtol: float, atol: float
) -> None:
    """Every parameter after every step agrees (and has the same dtype)."""
    assert len(ours) == len(theirs)
    for step, (a_step, b_step) in enumerate(zip(ours, theirs, strict=True)):
        for i, (a, b) in enumerate(zip(a_step, b_step, strict=True)):
            assert a.dtype == b.dtype, (step, i)
            where = f"step {step}, param {i}"
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=where)


@pytest.fixture
def problem() -> Callable[..., Any]:
    """`make_problem`, as a fixture."""
    return make_problem


@pytest.fixture
def ours() -> Callable[..., Any]:
    """`run_ours`, as a fixture."""
    return run_ours


@pytest.fixture
def torch_run() -> Callable[..., Any]:
    """`run_torch`, as a fixture."""
    return run_torch


@pytest.fixture
def close() -> Callable[..., Any]:
    """`assert_histories_close`, as a fixture."""
    return assert_histories_close
