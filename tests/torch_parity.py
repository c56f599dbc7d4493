"""Our module against its PyTorch twin: the forward, the input gradients and the parameter
gradients, in float64 (skipped without PyTorch)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from extras import require

from tinygrad_cnn import Tensor, nn

TOL = {"rtol": 1e-6, "atol": 1e-6}


def torch_module() -> Any:
    """PyTorch on one thread, or skip the test saying how to install it (under CI=true, where
    `.ci/run` installs the extra `torch`, fail instead: every comparison must run there).

    One thread: the tests compare numbers, and PyTorch's OpenMP threads, spinning on a busy
    machine, made a MobileNetV2 backward take 12 s instead of 0.3 s.
    """
    torch = require("torch", "torch")
    torch.set_num_threads(1)
    return torch


class Lambda(nn.Module):
    """A module whose forward is `fn` (to compare plain functions)."""

    def __init__(self, fn: Callable[..., Tensor]):
        super().__init__()
        self.fn = fn

    def forward(self, *args: Tensor) -> Tensor:
        return self.fn(*args)


def torch_lambda(fn: Callable[..., Any]) -> Any:
    """The PyTorch counterpart of `Lambda`."""
    torch = torch_module()

    class TorchLambda(torch.nn.Module):
        def forward(self, *args):
            return fn(*args)

    return TorchLambda()


def copy_state(ours: nn.Module, theirs: Any) -> None:
    """Load our parameters and buffers into the PyTorch module (which becomes float64)."""
    torch = torch_module()
    theirs.double()
    state = {k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state)


def assert_matches_torch(ours: nn.Module, theirs: Any, inputs: Sequence[np.ndarray],
                         seed: int = 0, tol: dict[str, float] = TOL) -> None:
    """Same output, same gradient for every input and every parameter (by name), float64.

    Our module's state is copied into `theirs` first; both run in their current train/eval
    mode, so running statistics are compared too.
    """
    torch = torch_module()
    copy_state(ours, theirs)
    xs = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inputs]
    txs = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inputs]
    y, ty = ours(*xs), theirs(*txs)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol, err_msg="forward")
    cotangent = np.random.default_rng(seed).standard_normal(y.shape)
    y.backward(Tensor(cotangent))
    ty.backward(torch.from_numpy(cotangent))
    for i, (x, tx) in enumerate(zip(xs, txs)):
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), **tol, err_msg=f"input {i}")
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, theirs_params[name].grad.numpy(), **tol,
                                   err_msg=name)
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.data, theirs.state_dict()[name].numpy(), **tol,
                                   err_msg=name)


def _flat(value: Any) -> list[Any]:
    """The tensors in a result (one, or a tuple or list of them, or a named tuple)."""
    return [v for part in value for v in _flat(part)] if isinstance(value, (tuple, list)) \
        else [value]


def dtype_name(dtype: Any) -> str:
    """A NumPy or PyTorch dtype's name: 'float32', 'int64', 'bool'."""
    return str(dtype).removeprefix("torch.")


def assert_same_as_torch(fn: Callable[..., Any], *arrays: np.ndarray, seed: int = 0,
                         tol: dict[str, float] = TOL) -> None:
    """`fn` of our tensors and of PyTorch's gives the same values, dtypes and shapes, and the
    same gradient for every floating-point input (a fixed random cotangent per output).

    `fn` is written once, in the API both libraries share; integer and bool arrays become
    tensors that do not require grad.
    """
    torch = torch_module()
    ours = [Tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    theirs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ys, tys = _flat(fn(*ours)), _flat(fn(*theirs))
    assert len(ys) == len(tys)
    rng = np.random.default_rng(seed)
    loss, tloss = 0.0, 0.0
    for i, (y, ty) in enumerate(zip(ys, tys)):
        if not isinstance(ty, torch.Tensor):
            assert y == ty, f"output {i}"
            continue
        assert dtype_name(y.dtype) == dtype_name(ty.dtype), f"output {i} dtype"
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **tol, err_msg=f"output {i}")
        if ty.requires_grad:
            cotangent = rng.standard_normal(y.shape)
            loss = loss + (y * Tensor(cotangent)).sum()
            tloss = tloss + (ty * torch.from_numpy(cotangent)).sum()
    if isinstance(tloss, float):
        return
    loss.backward()
    tloss.backward()
    for i, (x, tx) in enumerate(zip(ours, theirs)):
        if tx.grad is not None:
            np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), **tol,
                                       err_msg=f"gradient of input {i}")
